"""Hemorrhagic-transformation ROI tool on the axial view of the follow-up NCCT.

A click on the bleed asks :func:`strokescope.pipeline.propose_hemorrhage_roi` for an ROI; a
left drag draws one (through all slices, or ``depth`` slices either side of the current
one). ROIs are adjustable rectangles; every change re-measures at once with
:func:`strokescope.pipeline.measure_hemorrhage` (tens of ms, fine on the GUI thread). Undo
restores the previous ROI list; an ROI is deleted from its context menu or with Delete.
"""

from __future__ import annotations

import logging

import pyqtgraph as pg
from PySide6.QtCore import QObject, QPointF, Signal

from strokescope import pipeline
from strokescope.errors import StrokeScopeError
from strokescope.gui.slice_view import SliceView
from strokescope.gui.view_state import ViewState
from strokescope.hemorrhage import HemorrhageResult, PreparedStudy, Roi

log = logging.getLogger(__name__)

ROI_PEN = pg.mkPen(color=(255, 200, 0), width=2)
ROI_SELECTED_PEN = pg.mkPen(color=(255, 120, 0), width=3)


class HtTool(QObject):
    """ROIs, undo history and the live measurement of the HT volume.

    Signals
    -------
    result_changed(object)
        The new :class:`HemorrhageResult`, or ``None`` when no ROI is left.
    failed(str)
        A one-line reason (e.g. a click outside the brain); the caller shows it.
    """

    result_changed = Signal(object)
    failed = Signal(str)

    def __init__(self, view: SliceView, state: ViewState) -> None:
        super().__init__(view)
        self.view = view
        self.state = state
        self.prepared: PreparedStudy | None = None
        self.rois: list[Roi] = []
        self.items: list[pg.RectROI] = []
        self.history: list[list[Roi]] = []
        self.selected = -1
        self.depth = -1
        """Slices either side of the current one for a drawn ROI; -1 = every slice."""
        self.result: HemorrhageResult | None = None
        view.clicked.connect(self.propose)
        view.rect_drawn.connect(self.draw)
        state.cursor_changed.connect(self.update_visibility)
        state.volume_changed.connect(self.update_visibility)

    @property
    def ready(self) -> bool:
        return self.prepared is not None

    def set_prepared(self, prepared: PreparedStudy | None) -> None:
        """Start over on a (new) prepared follow-up study."""
        self.prepared = prepared
        self.history.clear()
        self._set_rois([])

    # --- editing -------------------------------------------------------------------------------
    def propose(self, k: int, j: int, i: int) -> None:
        if self.prepared is None:
            self.failed.emit("the follow-up NCCT is not prepared yet")
            return
        try:
            roi = pipeline.propose_hemorrhage_roi(self.prepared, (k, j, i))
        except StrokeScopeError as exc:
            self.failed.emit(str(exc))
            return
        self.add(roi)

    def draw(self, j0: int, j1: int, i0: int, i1: int) -> None:
        if self.prepared is None:
            self.failed.emit("the follow-up NCCT is not prepared yet")
            return
        k = self.state.cursor[0]
        n = self.prepared.geometry.shape[0]
        z = None if self.depth < 0 else (max(k - self.depth, 0), min(k + self.depth, n - 1))
        self.add(Roi(y=(j0, j1), x=(i0, i1), z=z))

    def add(self, roi: Roi) -> None:
        self._set_rois([*self.rois, roi], record=True)
        self.selected = len(self.rois) - 1

    def delete(self, index: int | None = None) -> None:
        """Delete ROI ``index`` (the selected, else the last one)."""
        if not self.rois:
            return
        idx = self.selected if index is None else index
        if not 0 <= idx < len(self.rois):
            idx = len(self.rois) - 1
        self._set_rois([r for n, r in enumerate(self.rois) if n != idx], record=True)

    def undo(self) -> bool:
        """Restore the ROI list before the last change; False when there is nothing to undo."""
        if not self.history:
            return False
        self._set_rois(self.history.pop())
        return True

    def clear(self) -> None:
        if self.rois:
            self._set_rois([], record=True)

    def show_result(self, result: HemorrhageResult) -> None:
        """Show a result measured elsewhere (the DICOM node's, read back) without measuring:
        its mask and, on the prepared follow-up it was measured on, its boxes. An edit then
        measures those boxes again (each with its click); undo has nothing before them."""
        prepared = self.prepared
        same = prepared is not None and prepared.geometry.same_grid(result.mask.geometry)
        self.history.clear()
        self.rois = [r.roi for r in result.rois] if same else []
        self.selected = -1
        self._rebuild_items()
        self.result = result
        self.state.set_mask("hemorrhage", result.mask)
        self.result_changed.emit(result)

    # --- internals ------------------------------------------------------------------------------
    def _set_rois(self, rois: list[Roi], *, record: bool = False) -> None:
        if record:
            self.history.append(list(self.rois))
        self.rois = list(rois)
        self.selected = min(self.selected, len(self.rois) - 1)
        self._rebuild_items()
        self.measure()

    def measure(self) -> None:
        if self.prepared is None or not self.rois:
            self.result = None
        else:
            try:
                self.result = pipeline.measure_hemorrhage(self.prepared, self.rois)
            except StrokeScopeError as exc:
                self.failed.emit(str(exc))
                self.result = None
        self.state.set_mask("hemorrhage", None if self.result is None else self.result.mask)
        self.result_changed.emit(self.result)

    def _spacing(self) -> tuple[float, float]:
        assert self.prepared is not None
        sp = self.prepared.geometry.spacing
        return sp[1], sp[2]

    def _rebuild_items(self) -> None:
        for item in self.items:
            self.view.box.removeItem(item)
        self.items = []
        if self.prepared is None:
            return
        sr, sc = self._spacing()
        for n, roi in enumerate(self.rois):
            item = pg.RectROI(
                (roi.x[0] * sc, roi.y[0] * sr),
                ((roi.x[1] - roi.x[0] + 1) * sc, (roi.y[1] - roi.y[0] + 1) * sr),
                pen=ROI_SELECTED_PEN if n == self.selected else ROI_PEN,
                removable=True,
            )
            item.setZValue(20)
            item.sigRegionChangeFinished.connect(lambda it, n=n: self._moved(n, it))
            item.sigRemoveRequested.connect(lambda _it, n=n: self.delete(n))
            item.sigClicked.connect(lambda _it, _ev, n=n: self._select(n))
            item.setAcceptedMouseButtons(pg.QtCore.Qt.MouseButton.LeftButton)
            self.view.box.addItem(item)
            self.items.append(item)
        self.update_visibility()

    def _select(self, n: int) -> None:
        self.selected = n
        for m, item in enumerate(self.items):
            item.setPen(ROI_SELECTED_PEN if m == n else ROI_PEN)

    def _moved(self, n: int, item: pg.RectROI) -> None:
        if self.prepared is None or n >= len(self.rois):
            return
        sr, sc = self._spacing()
        pos, size = QPointF(*item.pos()), QPointF(*item.size())
        shape = self.prepared.geometry.shape
        i0 = min(max(round(pos.x() / sc), 0), shape[2] - 1)
        j0 = min(max(round(pos.y() / sr), 0), shape[1] - 1)
        i1 = min(max(round((pos.x() + size.x()) / sc) - 1, i0), shape[2] - 1)
        j1 = min(max(round((pos.y() + size.y()) / sr) - 1, j0), shape[1] - 1)
        old = self.rois[n]
        new = Roi(y=(j0, j1), x=(i0, i1), z=old.z)
        if new != old:
            self.selected = n
            self._set_rois([new if m == n else r for m, r in enumerate(self.rois)], record=True)

    def update_visibility(self) -> None:
        """Show each ROI on the slices it spans, and only while the follow-up is shown."""
        on_followup = self.state.volume is not None and self.prepared is not None
        on_followup = on_followup and self.state.volume is self.prepared.ncct  # type: ignore[union-attr]
        k = self.state.cursor[0]
        for roi, item in zip(self.rois, self.items, strict=True):
            in_range = roi.z is None or roi.z[0] <= k <= roi.z[1]
            item.setVisible(bool(on_followup and in_range))
