"""The Worklist dock: the studies a DICOM node (``strokescope listen``) received.

The table lists the node's studies with their state (receiving, queued, analysing,
analysed, not analysed, failed, sending, delivered: :mod:`strokescope.node.worklist`),
read through :func:`strokescope.pipeline.node_worklist` from the node's storage folder
(File → Worklist folder…, remembered in the settings) every :data:`REFRESH_MS` ms. The
index is opened read-only, so the node may run meanwhile.

A double click opens the study folder as File → Open does. The results the node exported
for it are read back and shown once the study is loaded, without running the analyses
again: a thrombus result (:func:`strokescope.pipeline.read_thrombus_results`) on the CTA,
with the NCCT on the CTA grid when the results hold the registration's motion; the newest
HT result (:func:`strokescope.pipeline.read_hemorrhage_results`) on the follow-up NCCT,
with its boxes once the follow-up is prepared (an edit measures them again). The series
the node measured HT on becomes the viewer's Follow-up NCCT first when the role rules
picked another (a follow-up scan alone in its study is otherwise the "baseline").

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
from strokescope.errors import InputError, StrokeScopeError
from strokescope.gui.thrombus_job import stored_thrombus_for_viewer
from strokescope.hemorrhage import HemorrhageResult
from strokescope.io import FolderScan, SeriesInfo
from strokescope.node.ht_queue import HtRequest
from strokescope.node.worklist import WorklistEntry
from strokescope.pipeline import Progress
from strokescope.series_roles import Role
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


class _HtResults(Protocol):
    def show_result(self, result: HemorrhageResult) -> None: ...


class _Picker(Protocol):
    @property
    def scan(self) -> FolderScan | None: ...
    def series_for(self, role: Role) -> SeriesInfo | None: ...
    def assign(self, role: Role, key: str) -> None: ...


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
    @property
    def ht(self) -> _HtResults: ...
    @property
    def picker(self) -> _Picker: ...

    def run_job(
        self, name: str, fn: Callable[..., Any], *args: Any, on_done: Callable[[Any], None]
    ) -> object: ...
    def open_folder(self, folder: str | Path) -> None: ...
    def show_role(self, role: str) -> None: ...
    def set_thrombus_views(self, done: tuple[ThrombusResult, Volume | None]) -> None: ...
    def error(self, title: str, message: str) -> object: ...


def read_ht_results(
    folder: Path, followup: Volume, *, on_progress: Progress | None = None
) -> HemorrhageResult:
    """The job that reads a stored HT result, its mask on ``followup``'s exact grid.

    Raises
    ------
    InputError
        The results cannot be read, or were measured on another grid than ``followup``.
    """
    result = pipeline.read_hemorrhage_results(folder)
    if not result.mask.geometry.same_grid(followup.geometry):
        raise InputError(
            f"{folder}: the stored HT result lies on another grid than the follow-up NCCT "
            "loaded; pick the series the node measured, or measure HT here"
        )
    return replace(result, mask=Mask(result.mask.array, followup.geometry, result.mask.name))


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
    stored = entry.results_folder is not None or entry.ht_results_folder is not None
    state = f"{entry.state} ✓" if stored else entry.state
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
        """The opened study while its thrombus result waits to be read."""
        self.pending_ht: WorklistEntry | None = None
        """The opened study while its HT result waits to be read."""
        self.moved = False
        """Whether the series HT was measured on was made the follow-up (once per open)."""
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
        """Open the study; its stored results follow once its series are loaded."""
        if self.host.busy:
            self.status.setText("busy: open the study again when the current job is done")
            return
        self.pending = entry if entry.results_folder is not None else None
        self.pending_ht = entry if entry.ht_results_folder is not None else None
        self.moved = False
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
        if not busy and (self.pending is not None or self.pending_ht is not None):
            QTimer.singleShot(0, self._read_pending)  # after the job's on_done has run

    def _loaded(self, role: str, entry: WorklistEntry) -> Volume | None:
        volume = self.host.volumes.get(role)
        return volume if volume is not None and volume.meta.study_uid == entry.study_uid else None

    def _read_pending(self) -> None:
        """Read the next stored result whose series is loaded, once no job runs (after the
        loading and the follow-up's preparation, which would clear an HT result)."""
        if self.host.busy:
            return
        study = self.pending
        cta = None if study is None else self._loaded("cta", study)
        if study is not None and study.results_folder is not None and cta is not None:
            self.pending = None
            self.host.run_job(
                "Reading results",
                stored_thrombus_for_viewer,
                study.results_folder,
                self._loaded("baseline", study),
                cta,
                on_done=lambda done: self._show(done, study),
            )
            return
        ht_study = self.pending_ht
        if ht_study is not None and ht_study.ht_results_folder is not None:
            if self._make_followup(ht_study):
                return  # that series loads (and is prepared) as the follow-up first
            followup = self._loaded("followup", ht_study)
            if followup is None:
                return  # not loaded (yet): a thrombus result waits for its CTA the same way
            self.pending_ht = None
            self.host.run_job(
                "Reading HT results",
                read_ht_results,
                ht_study.ht_results_folder,
                followup,
                on_done=lambda result: self._show_ht(result, ht_study),
            )

    def _make_followup(self, entry: WorklistEntry) -> bool:
        """Make the series the node measured HT on the follow-up NCCT, clearing a role it
        holds (once per open); whether the viewer now loads it."""
        picker, key = self.host.picker, entry.ht_series_key
        opened = any(v.meta.study_uid == entry.study_uid for v in self.host.volumes.values())
        current = picker.series_for("followup")
        if self.moved or not opened or not key or (current is not None and current.key == key):
            return False
        if picker.scan is None or all(s.key != key for s in picker.scan.series):
            return False  # no longer stored: the grid check decides
        self.moved = True
        others: tuple[Role, ...] = ("baseline", "cta")
        for role in others:
            held = picker.series_for(role)
            if held is not None and held.key == key:
                picker.assign(role, "")  # one series plays one role
        picker.assign("followup", key)
        return True

    def _show(self, done: tuple[ThrombusResult, Volume | None], entry: WorklistEntry) -> None:
        if self._loaded("cta", entry) is None:
            return  # another study was opened meanwhile
        self.host.set_thrombus_views(done)

    def _show_ht(self, result: HemorrhageResult, entry: WorklistEntry) -> None:
        if self._loaded("followup", entry) is None:
            return
        self.host.ht.show_result(result)
        self.host.show_role("followup")
