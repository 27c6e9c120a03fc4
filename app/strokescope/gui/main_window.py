"""The main window: three linked views, series picker, results, toolbar, jobs and status bar.

Long work (scan, load, prepare, thrombus) runs one job at a time in a :class:`Worker`, with
the progress bar and Cancel in the status bar. A failed job becomes one dialog
(:func:`strokescope.gui.dialogs.show_error`) and a log line; the window stays usable.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QThreadPool, Signal
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
)

from strokescope import RESEARCH_ONLY, pipeline
from strokescope.gui import actions
from strokescope.gui.controls import ViewControls
from strokescope.gui.dialogs import PresetDialog, show_about, show_error
from strokescope.gui.display import AXIAL, CORONAL, SAGITTAL, SLICE_NUMBERING
from strokescope.gui.ht_tool import HtTool
from strokescope.gui.jobs import LoadedSeries, load_roles
from strokescope.gui.results_panel import ResultsPanel
from strokescope.gui.series_picker import SeriesPicker
from strokescope.gui.settings import GuiSettings
from strokescope.gui.slice_view import SliceView
from strokescope.gui.view_state import ViewState
from strokescope.gui.worker import Worker
from strokescope.hemorrhage import PreparedStudy
from strokescope.io import FolderScan
from strokescope.series_roles import ROLE_NAMES, ROLES, Role
from strokescope.thrombus import ThrombusResult
from strokescope.volume import Volume

log = logging.getLogger(__name__)

REGISTERED = "ncct_registered"


class MainWindow(QMainWindow):
    """StrokeScope's viewer window. ``busy_changed(bool)`` tells when a job starts/ends."""

    busy_changed = Signal(bool)

    def __init__(self, settings: GuiSettings | None = None) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle(f"StrokeScope — {RESEARCH_ONLY}")
        self.setAcceptDrops(True)
        self.settings = settings or GuiSettings()
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.worker: Worker | None = None
        self.last_error: QMessageBox | None = None
        self.volumes: dict[str, Volume] = {}
        self.prepared: PreparedStudy | None = None
        self.thrombus: ThrombusResult | None = None

        self.state = ViewState(self)
        self.state.set_slab(slab_mm=self.settings.slab_mm())
        self.views = {o.name: SliceView(self.state, o) for o in (AXIAL, CORONAL, SAGITTAL)}
        self.active_view = self.views["axial"]
        for view in self.views.values():
            view.hovered.connect(lambda k, j, i, v=view: self._on_hover(v, k, j, i))
        right = QSplitter()
        right.setOrientation(right.orientation().Vertical)
        right.addWidget(self.views["coronal"])
        right.addWidget(self.views["sagittal"])
        center = QSplitter()
        center.addWidget(self.views["axial"])
        center.addWidget(right)
        center.setStretchFactor(0, 3)
        center.setStretchFactor(1, 2)
        self.setCentralWidget(center)

        self.picker = SeriesPicker(self)
        self.picker.setMinimumWidth(360)
        self.picker.role_changed.connect(self._on_role_changed)
        self.picker.role_refused.connect(lambda text: self.error("Series roles", text))
        self.results = ResultsPanel(self)
        self.results.thrombus_selected.connect(lambda x, y, z: self.state.center_on_lps((x, y, z)))
        for title, widget, area in (
            ("Series", self.picker, actions.LEFT),
            ("Results", self.results, actions.RIGHT),
        ):
            dock = QDockWidget(title, self)
            dock.setObjectName(f"dock{title}")
            dock.setWidget(widget)
            self.addDockWidget(area, dock)

        self.controls = ViewControls(self.state, self)
        self.controls.set_presets(self.settings.presets())
        self.controls.role_selected.connect(self.show_role)
        self.ht = HtTool(self.views["axial"], self.state)
        self.ht.result_changed.connect(self.results.set_hemorrhage)
        self.ht.failed.connect(lambda msg: self.error("HT ROI", msg))
        self._build_status_bar()
        self.acts = actions.build(self)
        self._restore()
        self.update_actions()
        self.views["axial"].setFocus()

    # --- layout pieces ---------------------------------------------------------------------------
    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.cursor_label = QLabel("", self)
        self.cursor_label.setObjectName("cursorLabel")
        self.cursor_label.setToolTip(
            f"voxel under the mouse in the --roi/--click syntax; {SLICE_NUMBERING}"
        )
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1000)
        self.progress.setMaximumWidth(200)
        self.progress.setVisible(False)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.cancel_job)
        research = QLabel(RESEARCH_ONLY, self)
        research.setStyleSheet("color: #c03030; font-weight: bold;")
        bar.addWidget(self.cursor_label, 1)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.cancel_button)
        bar.addPermanentWidget(research)

    def _restore(self) -> None:
        geometry, state = self.settings.geometry(), self.settings.window_state()
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1400, 860)
        if state is not None:
            self.restoreState(state)

    # --- jobs ------------------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self.worker is not None

    def run_job(
        self,
        name: str,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None],
        **kwargs: Any,
    ) -> Worker | None:
        """Run ``fn(*args, on_progress=..., **kwargs)`` in the worker thread; one job at a time."""
        if self.worker is not None:
            self.statusBar().showMessage(f"busy with {self.worker.name}; try again after it", 4000)
            return None
        worker = Worker(fn, *args, name=name, **kwargs)
        worker.signals.progress.connect(lambda f: self.progress.setValue(int(f * 1000)))
        worker.signals.finished.connect(lambda result: self._job_ended(worker, on_done, result))
        worker.signals.errored.connect(lambda msg: self._job_failed(worker, msg))
        worker.signals.cancelled.connect(lambda: self._job_cancelled(worker))
        self.worker = worker
        self.progress.setValue(0)
        self.progress.setFormat(f"{name} %p%")
        self.progress.setVisible(True)
        self.cancel_button.setVisible(True)
        self.statusBar().showMessage(f"{name}…")
        self.update_actions()
        self.busy_changed.emit(True)
        worker.start(self.pool)
        return worker

    def _release(self, worker: Worker) -> None:
        if self.worker is worker:
            self.worker = None
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)
        self.update_actions()
        self.busy_changed.emit(False)

    def _job_ended(self, worker: Worker, on_done: Callable[[Any], None], result: Any) -> None:
        self._release(worker)
        self.statusBar().showMessage(f"{worker.name} done in {worker.seconds:.1f} s", 5000)
        try:
            on_done(result)
        except Exception as exc:  # keep the app alive; one dialog per failure
            log.exception("handling the result of %s failed", worker.name)
            self.error(worker.name, f"unexpected {type(exc).__name__}: {exc}")

    def _job_failed(self, worker: Worker, message: str) -> None:
        self._release(worker)
        self.statusBar().showMessage(f"{worker.name} failed", 8000)
        self.error(f"{worker.name} failed", message)

    def _job_cancelled(self, worker: Worker) -> None:
        self._release(worker)
        self.statusBar().showMessage(f"{worker.name} cancelled", 5000)

    def cancel_job(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
            self.statusBar().showMessage(f"cancelling {self.worker.name}…")

    def error(self, title: str, message: str) -> QMessageBox:
        self.last_error = show_error(self, title, message)
        return self.last_error

    # --- opening ---------------------------------------------------------------------------------
    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Open DICOM folder", self.settings.last_folder()
        )
        if folder:
            self.open_folder(folder)

    def open_folder(self, folder: str | Path) -> None:
        """Scan ``folder`` in the worker, then assign roles and load their series."""
        self.run_job("Scanning", pipeline.scan, str(folder), on_done=self._on_scan)

    def _on_scan(self, scan: FolderScan) -> None:
        self.settings.set_last_folder(scan.folder)
        self.clear_study()
        self.picker.set_scan(scan)
        self.setWindowTitle(f"StrokeScope — {scan.folder} — {RESEARCH_ONLY}")
        self.load_series(list(ROLES), warnings=scan.warnings)

    def clear_study(self) -> None:
        """Forget every trace of the open study: volumes, prepared follow-up, ROIs and their
        undo history, results (and their stale marks), overlays, the registered NCCT, the
        last export's label, study warnings, crosshairs, view titles and the cursor readout."""
        self.set_roi_tool(False)
        self.volumes.clear()
        self.prepared = None
        self.ht.set_prepared(None)
        self._set_thrombus(None)
        self.state.set_mask("brain", None)
        self.state.set_volume(None)
        self.results.set_study_warnings([])
        self.results.set_exports([])
        self.cursor_label.setText("")
        self._refresh_roles()

    def _on_role_changed(self, role: str) -> None:
        """A user's new series for ``role``: results made on the old one become stale."""
        if role in ("baseline", "cta") and self.thrombus is not None:
            self.results.set_stale("thrombus")
        if role == "followup" and self.ht.result is not None:
            self.results.set_stale("hemorrhage")
        self.update_actions()
        self.load_series([role])  # type: ignore[list-item]

    def load_series(self, roles: list[Role], *, warnings: tuple[str, ...] = ()) -> None:
        chosen = {r: s for r in roles if (s := self.picker.series_for(r)) is not None}
        for role in roles:
            if role not in chosen:
                self._drop_role(role)
        if not chosen:
            self._refresh_roles()
            return
        self.run_job(
            "Loading",
            load_roles,
            chosen,
            on_done=lambda loaded: self._on_loaded(loaded, warnings),
        )

    def _drop_role(self, role: Role) -> None:
        self.volumes.pop(role, None)
        if role == "followup":
            self.prepared = None
            self.ht.set_prepared(None)
            self.state.set_mask("brain", None)

    def _on_loaded(self, loaded: LoadedSeries, scan_warnings: tuple[str, ...] = ()) -> None:
        self.volumes.update({str(r): v for r, v in loaded.volumes.items()})
        self.results.set_study_warnings([*scan_warnings, *loaded.warnings])
        shown = self.state.volume_role
        if shown not in self.volumes or shown in loaded.volumes:
            shown = next((r for r in ("baseline", "cta", "followup") if r in loaded.volumes), "")
        self._refresh_roles()
        if shown:
            self.show_role(shown)
        if "followup" in loaded.volumes:
            self.prepare_followup()

    def prepare_followup(self) -> None:
        followup = self.volumes.get("followup")
        if followup is None:
            return
        self.run_job(
            "Preparing follow-up", pipeline.prepare_followup, followup, on_done=self._on_prepared
        )

    def _on_prepared(self, prepared: PreparedStudy) -> None:
        if prepared.ncct is not self.volumes.get("followup"):
            return
        self.prepared = prepared
        self.ht.set_prepared(prepared)
        self.state.set_mask("brain", prepared.brain)
        self.update_actions()

    # --- showing ---------------------------------------------------------------------------------
    def _refresh_roles(self) -> None:
        names: dict[str, str] = {str(r): n for r, n in ROLE_NAMES.items()}
        names[REGISTERED] = "NCCT on CTA grid"
        pairs = [(r, names[r]) for r in (*ROLES, REGISTERED) if r in self.volumes]
        self.controls.set_roles(pairs, self.state.volume_role)
        self.update_actions()

    def show_role(self, role: str) -> None:
        """Show a loaded series ('baseline', 'cta', 'followup' or 'ncct_registered')."""
        volume = self.volumes.get(role)
        if volume is None:
            return
        first = self.state.volume is None or (self.state.volume_role == "cta") != (role == "cta")
        self.state.set_volume(volume, role)
        self.controls.select_role(role)
        if first:
            idx = self.controls.preset_index("CTA" if role == "cta" else "Brain")
            self.controls.apply_preset(idx)
        self.ht._update_visibility()
        self.update_actions()

    def _on_hover(self, view: SliceView, k: int, j: int, i: int) -> None:
        vol = self.state.volume
        if vol is None:
            return
        self.active_view = view
        x, y, z = vol.geometry.index_to_lps((k, j, i))
        hu = float(vol.array[k, j, i])
        self.cursor_label.setText(
            f"HU {hu:.0f}   voxel z={k} y={j} x={i}   LPS x {x:.1f}  y {y:.1f}  z {z:.1f} mm"
        )

    # --- analyses --------------------------------------------------------------------------------
    def run_thrombus(self) -> None:
        analyze = getattr(pipeline, "analyze_thrombus", None)
        ncct = self.volumes.get("baseline")
        if analyze is None or ncct is None:
            return
        self.run_job(
            "Thrombus analysis",
            analyze,
            ncct,
            self.volumes.get("cta"),
            device="auto",
            on_done=self._set_thrombus,
        )

    def _set_thrombus(self, result: ThrombusResult | None) -> None:
        self.thrombus = result
        self.volumes.pop(REGISTERED, None)
        if result is not None and result.ncct_registered is not None:
            self.volumes[REGISTERED] = result.ncct_registered
        self.results.set_thrombus(result)
        self.state.set_mask("thrombus", None if result is None else result.mask)
        self._refresh_roles()
        if result is not None:
            cta = self.volumes.get("cta")
            if cta is not None and cta.geometry.shape == result.mask.geometry.shape:
                self.show_role("cta")
            if result.thrombi:
                self.state.center_on_lps(result.thrombi[0].centroid_lps)

    def set_roi_tool(self, on: bool) -> None:
        if on and "followup" in self.volumes:
            self.show_role("followup")
        self.views["axial"].roi_mode = on
        self.acts["roi"].setChecked(on)

    # --- misc ------------------------------------------------------------------------------------
    def edit_presets(self) -> None:
        dialog = PresetDialog(self.settings.presets(), self)

        def accept() -> None:
            try:
                presets = dialog.presets()
            except Exception as exc:
                self.error("Window presets", str(exc))
                return
            self.settings.set_presets(presets)
            self.controls.set_presets(presets)

        dialog.accepted.connect(accept)
        dialog.open()

    def fit_views(self) -> None:
        for view in self.views.values():
            view.reset_zoom()

    def about(self) -> None:
        show_about(self)

    def update_actions(self) -> None:
        if not hasattr(self, "acts"):
            return
        actions.update(self)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            target = paths[0] if paths[0].is_dir() else paths[0].parent
            event.acceptProposedAction()
            self.open_folder(target)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.cancel_job()
        self.pool.waitForDone(5000)
        self.settings.set_window(self.saveGeometry(), self.saveState())
        self.settings.set_slab_mm(self.state.slab_mm)
        self.settings.sync()
        super().closeEvent(event)
