"""The main window: linked views (three orthogonal or two side by side), series picker,
results, toolbar, measuring tools, jobs and status bar.

Long work (scan, load, prepare, thrombus) runs one job at a time through the
:class:`~strokescope.gui.job_runner.JobRunner`, with progress and Cancel in the status bar.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
)

from strokescope import RESEARCH_ONLY, pipeline
from strokescope.gui import actions, outcome_model
from strokescope.gui.compare_view import partner_for
from strokescope.gui.controls import ViewControls
from strokescope.gui.dialogs import PresetDialog, show_about, show_error, show_help
from strokescope.gui.display import SLICE_NUMBERING
from strokescope.gui.ht_tool import HtTool
from strokescope.gui.job_runner import JobRunner
from strokescope.gui.presets import DEFAULT_PRESETS
from strokescope.gui.results_panel import ResultsPanel
from strokescope.gui.series_picker import SeriesPicker
from strokescope.gui.settings import GuiSettings
from strokescope.gui.slice_view import SliceView
from strokescope.gui.thrombus_job import REGISTERED, thrombus_for_viewer
from strokescope.gui.view_area import ViewArea
from strokescope.gui.view_state import ViewState
from strokescope.gui.worklist_dock import WorklistDock
from strokescope.hemorrhage import PreparedStudy
from strokescope.io import FolderScan
from strokescope.outcome.prediction import OutcomePrediction
from strokescope.pipeline import load_roles
from strokescope.series_roles import ROLE_NAMES, ROLES, Role
from strokescope.study import LoadedSeries
from strokescope.thrombus import ThrombusResult
from strokescope.volume import Volume


class MainWindow(QMainWindow):
    """StrokeScope's viewer window. ``busy_changed(bool)`` tells when a job starts/ends."""

    busy_changed = Signal(bool)

    def __init__(self, settings: GuiSettings | None = None) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle(f"StrokeScope — {RESEARCH_ONLY}")
        self.setAcceptDrops(True)
        self.settings = settings or GuiSettings()
        self.last_error: QMessageBox | None = None
        self.volumes: dict[str, Volume] = {}
        self.prepared: PreparedStudy | None = None
        self.thrombus: ThrombusResult | None = None
        self.outcome: OutcomePrediction | None = None  # the model's, on ``thrombus``

        self.state = ViewState(self)
        self.state.set_slab(slab_mm=self.settings.slab_mm())
        self.area = ViewArea(self.state, self)
        self.views = self.area.views
        self.compare = self.area.compare
        self.measure = self.area.measure
        self.compare.partner_selected.connect(self.show_partner)
        self.active_view = self.views["axial"]
        for view in self.area.all_views():
            view.hovered.connect(lambda k, j, i, v=view: self._on_hover(v, k, j, i))
        self.setCentralWidget(self.area)

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
        self.worklist = WorklistDock(self, self)

        self.controls = ViewControls(self.state, self)
        self.controls.set_presets(self.settings.presets())
        self.controls.role_selected.connect(self.show_role)
        self.ht = HtTool(self.views["axial"], self.state)
        self.ht.result_changed.connect(self.results.set_hemorrhage)
        self.ht.failed.connect(lambda msg: self.error("HT ROI", msg))
        self._build_status_bar()
        self.acts = actions.build(self, self)
        self._restore()
        self.update_actions()
        self.views["axial"].setFocus()

    # --- layout pieces ---------------------------------------------------------------------------
    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.jobs = JobRunner(bar, self.error)
        self.jobs.busy_changed.connect(self._on_busy)
        self.run_job, self.cancel_job = self.jobs.run, self.jobs.cancel
        self.pool, self.progress, self.cancel_button = (
            self.jobs.pool,
            self.jobs.progress,
            self.jobs.cancel_button,
        )
        self.cursor_label = QLabel("", self)
        self.cursor_label.setObjectName("cursorLabel")
        self.cursor_label.setToolTip(
            f"voxel under the mouse in the --roi/--click syntax; {SLICE_NUMBERING}"
        )
        research = QLabel(RESEARCH_ONLY, self)
        research.setStyleSheet("color: #c03030; font-weight: bold;")
        bar.addWidget(self.cursor_label, 1)
        for widget in (self.progress, self.cancel_button, research):
            bar.addPermanentWidget(widget)

    def _on_busy(self, busy: bool) -> None:
        self.update_actions()
        self.busy_changed.emit(busy)

    def _restore(self) -> None:
        geometry, state = self.settings.geometry(), self.settings.window_state()
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            self.resize(1400, 860)
        if state is not None:
            self.restoreState(state)

    # --- jobs ----------------------------------------------------------------------------------
    @property
    def busy(self) -> bool:
        return self.jobs.busy

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
        self.measure.clear()
        self.volumes.clear()
        self.prepared = None
        self.ht.set_prepared(None)
        self.set_thrombus(None)
        self.state.set_mask("brain", None)
        self.state.set_volume(None)
        self.compare.set_partner(None, "", (80.0, 40.0))
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
        self.compare.set_choices(pairs, self.compare.right_state.volume_role)
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
        self.ht.update_visibility()
        if self.area.side_by_side and self.compare.right_state.volume is None:
            self.show_partner(partner_for(role, list(self.volumes)))
        self.update_actions()

    def show_partner(self, role: str) -> None:
        """Put the loaded series ``role`` beside the shown one (side-by-side page)."""
        name = "CTA" if role == "cta" else "Brain"
        p = next(p for p in (*self.controls.presets, *DEFAULT_PRESETS) if p.name == name)
        self.compare.set_partner(self.volumes.get(role), role, (p.width, p.level))

    def set_side_by_side(self, on: bool) -> None:
        """Two linked axial views (the shown series and a partner) instead of three."""
        self.area.set_side_by_side(on)
        if on and self.compare.right_state.volume is None:
            self.show_partner(partner_for(self.state.volume_role, list(self.volumes)))
        self.acts["side_by_side"].setChecked(on)

    def set_measure_mode(self, mode: str) -> None:
        """Ruler ("ruler"), ellipse ROI ("ellipse") or neither (""); ends the HT ROI tool."""
        if mode:
            self.set_roi_tool(False)
        self.measure.set_mode(mode)
        self.acts["ruler"].setChecked(mode == "ruler")
        self.acts["ellipse"].setChecked(mode == "ellipse")

    def _on_hover(self, view: SliceView, k: int, j: int, i: int) -> None:
        vol = view.state.volume
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
        ncct = self.volumes.get("baseline")
        if ncct is None or not pipeline.thrombus_models_installed():
            return
        self.run_job(
            "Thrombus analysis",
            thrombus_for_viewer,
            ncct,
            self.volumes.get("cta"),
            on_done=self.set_thrombus_views,
        )

    def set_thrombus_views(self, done: tuple[ThrombusResult, Volume | None]) -> None:
        """Show a thrombus result and, when given, the NCCT on the CTA grid; then run the
        outcome model on it (when there is one)."""
        result, registered = done
        self.set_thrombus(result)
        if registered is not None:
            self.volumes[REGISTERED] = registered
            self._refresh_roles()
        self.results.tree.set_images(self.volumes.get("cta"), self.volumes.get("baseline"))
        outcome_model.run(self)

    def set_thrombus(self, result: ThrombusResult | None) -> None:
        self.thrombus, self.outcome = result, None
        self.volumes.pop(REGISTERED, None)
        self.results.set_thrombus(result)
        self.state.set_mask("thrombus", None if result is None else result.mask)
        self.state.set_mask("arteries", pipeline.arteries_overlay(result))
        self._refresh_roles()
        if result is not None:
            cta = self.volumes.get("cta")
            if cta is not None and cta.geometry.same_grid(result.mask.geometry):
                self.show_role("cta")
            if result.thrombi:
                self.state.center_on_lps(result.thrombi[0].centroid_lps)

    def set_roi_tool(self, on: bool) -> None:
        if on:
            self.set_measure_mode("")
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
        self.area.reset_zoom()

    def about(self) -> None:
        show_about(self)

    def help(self) -> None:
        show_help(self, actions.shortcut_lines(self.acts))

    def update_actions(self) -> None:
        if not hasattr(self, "acts"):
            return
        actions.update(self)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            target = paths[0] if paths[0].is_dir() else paths[0].parent
            event.acceptProposedAction()
            self.open_folder(target)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.cancel_job()
        self.pool.waitForDone(5000)
        self.settings.set_window(self.saveGeometry(), self.saveState())
        self.settings.set_slab_mm(self.state.slab_mm)
        self.settings.sync()
        super().closeEvent(event)
