"""The Worklist dock: the studies a DICOM node (``strokescope listen``) received.

The table lists the node's studies with their state (receiving, queued, analysing,
analysed, not analysed, failed, sending, delivered: :mod:`strokescope.node.worklist`),
read through :func:`strokescope.pipeline.node_worklist` from the node's storage folder
(File → Worklist folder…, remembered in the settings) every :data:`REFRESH_MS` ms. The
index is opened read-only, so the node may run meanwhile.

A double click opens the study folder as File → Open does. When the node exported a
thrombus result for it, that result is read back from the results folder
(:func:`strokescope.pipeline.read_thrombus_results`) and shown once the study's CTA is
loaded: the analysis does not run again.

"Measure HT at the cursor…" asks the node to measure HT on the selected study's follow-up
NCCT at the viewer's cursor (:func:`strokescope.pipeline.request_node_hemorrhage`): open
the study, put the cursor on the bleed, click. The point goes to the node in LPS mm; the
request is checked in a job (unknown study, no follow-up NCCT, point outside: one error
dialog) and queued in the node's index; the node measures it and sends SEG, SR and PDF as
for thrombus results, and the study's detail shows the outcome. The window is reached
only through :class:`WorklistHost`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import Qt, QTimer, SignalInstance
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QFileDialog,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from strokescope import pipeline
from strokescope.errors import StrokeScopeError
from strokescope.node.ht_queue import HtRequest
from strokescope.node.worklist import WorklistEntry
from strokescope.pipeline import Progress
from strokescope.thrombus import ThrombusResult
from strokescope.volume import Mask, Volume

COLUMNS = ("Study", "Received", "Images", "State", "Detail")
REFRESH_MS = 3000
NO_FOLDER = "No worklist folder: File → Worklist folder… (the node's storage folder)"
OPEN_TIP = "double-click: open the study (and the node's results, without re-running)"
HT_TIP = (
    "ask the node to measure HT on the selected study's follow-up NCCT at the cursor "
    "(open the study and put the cursor on the bleed first)"
)


class _WorklistSettings(Protocol):
    def worklist_folder(self) -> str: ...
    def set_worklist_folder(self, folder: str | Path) -> None: ...


class _Cursor(Protocol):
    @property
    def volume(self) -> Volume | None: ...
    @property
    def cursor(self) -> tuple[int, int, int]: ...


class WorklistHost(Protocol):
    """What the dock uses of the main window."""

    @property
    def settings(self) -> _WorklistSettings: ...
    @property
    def state(self) -> _Cursor: ...
    @property
    def volumes(self) -> Mapping[str, Volume]: ...
    @property
    def busy(self) -> bool: ...
    @property
    def busy_changed(self) -> SignalInstance: ...

    def run_job(
        self, name: str, fn: Callable[..., Any], *args: Any, on_done: Callable[[Any], None]
    ) -> object: ...
    def open_folder(self, folder: str | Path) -> None: ...
    def set_thrombus(self, result: ThrombusResult | None) -> None: ...
    def error(self, title: str, message: str) -> object: ...


def read_results(folder: Path, *, on_progress: Progress | None = None) -> ThrombusResult:
    """The job that reads a stored thrombus result (the worker passes ``on_progress``)."""
    return pipeline.read_thrombus_results(folder)


def request_ht(
    folder: str,
    study_uid: str,
    point: tuple[float, float, float],
    *,
    on_progress: Progress | None = None,
) -> HtRequest:
    """The job that checks and queues an HT request at the node (loads the follow-up)."""
    return pipeline.request_node_hemorrhage(folder, study_uid, points_lps=[point])


def confirm(parent: QWidget, text: str) -> bool:
    """Ask before sending a request (tests replace this)."""
    answer = QMessageBox.question(parent, "Measure HT", text)
    return answer == QMessageBox.StandardButton.Yes


def _cells(entry: WorklistEntry) -> list[str]:
    received = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(entry.received))
    state = f"{entry.state} ✓" if entry.results_folder is not None else entry.state
    return [entry.short_uid, received, str(entry.instances), state, entry.detail]


class WorklistDock(QDockWidget):
    """The worklist table in a dock of ``frame``, acting on ``host`` (the main window)."""

    def __init__(self, host: WorklistHost, frame: QMainWindow) -> None:
        super().__init__("Worklist", frame)
        self.setObjectName("dockWorklist")
        self.host = host
        self.folder = host.settings.worklist_folder()
        self.entries: tuple[WorklistEntry, ...] = ()
        self.pending: WorklistEntry | None = None
        self.status = QLabel(NO_FOLDER)
        self.status.setObjectName("worklistStatus")
        self.status.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setObjectName("worklistTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.cellDoubleClicked.connect(lambda row, _col: self.open_row(row))
        self.measure_button = QPushButton("Measure HT at the cursor…")
        self.measure_button.setObjectName("worklistMeasureHt")
        self.measure_button.setToolTip(HT_TIP)
        self.measure_button.clicked.connect(self.measure_ht)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.status)
        layout.addWidget(self.table)
        layout.addWidget(self.measure_button)
        self.setWidget(body)
        frame.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self)
        self.setVisible(bool(self.folder))
        host.busy_changed.connect(self._on_busy)
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.refresh)
        self.timer.start(REFRESH_MS)
        self.refresh()

    # --- the list ----------------------------------------------------------------------------
    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Worklist folder (the DICOM node's storage folder)", self.folder
        )
        if folder:
            self.set_folder(folder)

    def set_folder(self, folder: str | Path) -> None:
        """Read the worklist of the node storing into ``folder`` (and remember it)."""
        self.folder = str(folder)
        self.host.settings.set_worklist_folder(self.folder)
        self.entries = ()
        self.setVisible(True)
        self.raise_()
        self.refresh()

    def refresh(self) -> None:
        """Read the node's index again; a failed read keeps the rows and says why."""
        if not self.folder:
            self._fill(())
            self.status.setText(NO_FOLDER)
            return
        try:
            entries = pipeline.node_worklist(self.folder)
        except StrokeScopeError as exc:
            self.status.setText(str(exc))
            return
        self.status.setText(f"{self.folder}: {len(entries)} studies")
        if entries != self.entries:
            self._fill(entries)

    def _fill(self, entries: tuple[WorklistEntry, ...]) -> None:
        selected = self._selected_uid()
        self.entries = entries
        self.table.setRowCount(len(entries))
        for row, entry in enumerate(entries):
            for col, text in enumerate(_cells(entry)):
                item = QTableWidgetItem(text)
                item.setToolTip(entry.study_uid if col == 0 else text or OPEN_TIP)
                self.table.setItem(row, col, item)
            if entry.study_uid == selected:
                self.table.selectRow(row)

    def _selected_uid(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows or rows[0].row() >= len(self.entries):
            return None
        return self.entries[rows[0].row()].study_uid

    # --- opening -----------------------------------------------------------------------------
    def open_row(self, row: int) -> None:
        if 0 <= row < len(self.entries):
            self.open_entry(self.entries[row])

    def open_entry(self, entry: WorklistEntry) -> None:
        """Open the study; its stored thrombus result follows once its CTA is loaded."""
        if self.host.busy:
            self.status.setText("busy: open the study again when the current job is done")
            return
        self.pending = entry if entry.results_folder is not None else None
        self.host.open_folder(entry.study_folder)

    # --- HT on request ------------------------------------------------------------------------
    def measure_ht(self) -> None:
        """Ask the node to measure HT on the selected study at the viewer's cursor."""
        uid = self._selected_uid()
        if uid is None or self.host.busy:
            self.status.setText("select the study in the worklist (and wait for the current job)")
            return
        volume = self.host.state.volume
        if volume is None or volume.meta.study_uid != uid:
            self.host.error(
                "Measure HT",
                "Open the study (double-click) and put the cursor on the bleed first: the "
                "point is taken from the viewer's cursor.",
            )
            return
        k, j, i = self.host.state.cursor
        x, y, z = (float(v) for v in volume.geometry.index_to_lps((k, j, i)))
        text = (
            f"Ask the node to measure HT on this study's follow-up NCCT at voxel z={k} y={j} "
            f"x={i} (LPS x {x:.1f}, y {y:.1f}, z {z:.1f} mm)? It sends SEG, SR and PDF to its "
            "destinations."
        )
        if confirm(self, text):
            self.host.run_job(
                "Requesting HT", request_ht, self.folder, uid, (x, y, z), on_done=self._requested
            )

    def _requested(self, request: HtRequest) -> None:
        self.refresh()  # the study's detail shows the request ("HT pending")
        self.status.setText(
            f"HT request {request.id} ({request.where}): {request.state}"
            + (f": {request.detail}" if request.detail else "; the node measures it")
        )

    def _on_busy(self, busy: bool) -> None:
        if not busy and self.pending is not None:
            QTimer.singleShot(0, self._read_pending)  # after the job's on_done has run

    def _read_pending(self) -> None:
        entry = self.pending
        if entry is None or entry.results_folder is None or self.host.busy:
            return
        cta = self.host.volumes.get("cta")
        if cta is None or cta.meta.study_uid != entry.study_uid:
            return  # the study is still loading (or failed to load): keep waiting
        self.pending = None
        self.host.run_job(
            "Reading results",
            read_results,
            entry.results_folder,
            on_done=lambda result: self._show(result, entry),
        )

    def _show(self, result: ThrombusResult, entry: WorklistEntry) -> None:
        cta = self.host.volumes.get("cta")
        if cta is None or cta.meta.study_uid != entry.study_uid:
            return  # another study was opened meanwhile
        if not result.mask.geometry.same_grid(cta.geometry):
            self.host.error(
                "Worklist",
                f"{entry.results_folder}: the stored result lies on another grid than the "
                "CTA loaded; run the thrombus analysis instead",
            )
            return
        mask = Mask(result.mask.array, cta.geometry, result.mask.name)  # the CTA's exact grid
        self.host.set_thrombus(replace(result, mask=mask))
