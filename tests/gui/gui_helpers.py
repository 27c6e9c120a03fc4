"""Helpers for window tests: real mouse events on a slice view's viewport, a stall meter."""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt, QTimer
from PySide6.QtGui import QMouseEvent, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from strokescope.gui.slice_view import SliceView

MOVE_INTERVAL_MS = 15
STALL_LIMIT_S = 0.5
"""A GUI-thread gap longer than this is work done on the GUI thread (an analysis blocks it
for seconds), not scheduler noise: on a loaded 2-core CI machine idle gaps reach 0.1 s."""


def viewport_point(view: SliceView, index: tuple[int, int, int]) -> QPoint:
    """Viewport pixel of a voxel centre on the view's plane."""
    scene = view.box.mapViewToScene(view.view_point(index))
    return view.mapFromScene(scene)


def _send(
    view: SliceView, kind: QEvent.Type, pos: QPoint, button: Qt.MouseButton, buttons: Qt.MouseButton
) -> None:
    vp = view.viewport()
    event = QMouseEvent(
        kind,
        QPointF(pos),
        QPointF(vp.mapToGlobal(pos)),
        button,
        buttons,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(vp, event)


def click(view: SliceView, pos: QPoint) -> None:
    left = Qt.MouseButton.LeftButton
    _send(view, QEvent.Type.MouseButtonPress, pos, left, left)
    _send(view, QEvent.Type.MouseButtonRelease, pos, left, Qt.MouseButton.NoButton)
    QApplication.processEvents()


def drag(
    view: SliceView,
    start: QPoint,
    end: QPoint,
    *,
    button: Qt.MouseButton = Qt.MouseButton.LeftButton,
    steps: int = 6,
) -> None:
    vp = view.viewport()
    QTest.mousePress(vp, button, Qt.KeyboardModifier.NoModifier, start)
    for s in range(1, steps + 1):
        QTest.qWait(MOVE_INTERVAL_MS)  # pyqtgraph drops moves closer than 10 ms
        QTest.mouseMove(vp, start + (end - start) * (s / steps))
    QTest.mouseRelease(vp, button, Qt.KeyboardModifier.NoModifier, end)
    QApplication.processEvents()


def move(view: SliceView, pos: QPoint) -> None:
    QTest.qWait(MOVE_INTERVAL_MS)
    _send(view, QEvent.Type.MouseMove, pos, Qt.MouseButton.NoButton, Qt.MouseButton.NoButton)
    QApplication.processEvents()


def wheel(view: SliceView, pos: QPoint, clicks: int) -> None:
    vp = view.viewport()
    event = QWheelEvent(
        QPointF(pos),
        QPointF(vp.mapToGlobal(pos)),
        QPoint(0, 0),
        QPoint(0, 120 * clicks),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(vp, event)
    QApplication.processEvents()


class StallMeter:
    """Gaps between ticks of a 10 ms timer on the GUI thread: a blocked GUI shows a long gap."""

    def __init__(self, interval_ms: int = 10) -> None:
        self.gaps: list[float] = []
        self._last = time.perf_counter()
        self._timer = QTimer()
        self._timer.timeout.connect(self._tick)
        self._interval = interval_ms

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append(now - self._last)
        self._last = now

    def start(self) -> None:
        self._last = time.perf_counter()
        self._timer.start(self._interval)

    def stop(self) -> None:
        self._timer.stop()
