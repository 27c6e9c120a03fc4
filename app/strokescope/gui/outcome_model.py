"""Analysis → Outcome model…: the installed outcome model the viewer runs after each
thrombus result, and its probability in the results panel and the exports.

No model ships. Until a folder is chosen here the viewer uses ``$STROKESCOPE_OUTCOME_MODEL``
(as ``strokescope thrombus`` does); a chosen folder is remembered
(:meth:`~strokescope.gui.settings.GuiSettings.outcome_model`); "No outcome model" turns it
off. A chosen folder is checked at once in the worker (manifest, sha256, features a study
gives: :func:`strokescope.pipeline.check_outcome_model`): a bad one becomes the job's one
error dialog and is not remembered. Each thrombus result shown (an analysis, or one the
DICOM node stored) is then run through the model in the worker; the outcome panel shows
the probability beside the model card's cohort and AUC, and the export carries it. A model
that fails there is the same one dialog; the features stay.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from PySide6.QtWidgets import QFileDialog, QWidget

from strokescope import pipeline
from strokescope.gui.export_action import ExportHost, ResultMarks
from strokescope.gui.outcome_panel import OutcomePanel
from strokescope.outcome.prediction import OutcomePrediction
from strokescope.resources import OUTCOME_MODEL_ENV
from strokescope.thrombus import ThrombusResult

CHECK_JOB = "Checking outcome model"
RUN_JOB = "Outcome model"
NONE_TIP = f"choose an installed outcome model folder (none ships; default ${OUTCOME_MODEL_ENV})"


class _OutcomeSettings(Protocol):
    def last_folder(self) -> str: ...
    def outcome_model(self) -> str | None: ...
    def set_outcome_model(self, folder: str | Path) -> None: ...


class _OutcomeResults(ResultMarks, Protocol):
    @property
    def outcome(self) -> OutcomePanel: ...


class OutcomeHost(ExportHost, Protocol):
    """What the outcome-model actions use of the main window, besides the export's."""

    @property
    def settings(self) -> _OutcomeSettings: ...
    @property
    def results(self) -> _OutcomeResults: ...
    @property
    def outcome(self) -> OutcomePrediction | None: ...
    @outcome.setter
    def outcome(self, value: OutcomePrediction | None) -> None: ...


def model_folder(win: OutcomeHost) -> Path | None:
    """The folder the viewer runs: the one chosen, else ``$STROKESCOPE_OUTCOME_MODEL``;
    ``None`` when there is none or it was turned off."""
    chosen = win.settings.outcome_model()
    if chosen is None:
        return pipeline.outcome_model_folder()
    return Path(chosen) if chosen else None


def choose_model_folder(parent: QWidget, start: str = "") -> str | None:
    """Browse for an installed outcome model folder; ``None``: cancelled.

    Module-level so tests (and scripted use) can replace the dialog.
    """
    folder = QFileDialog.getExistingDirectory(parent, "Installed outcome model folder", start)
    return folder or None


def choose(win: OutcomeHost) -> None:
    """Ask for a folder, check it in the worker; remember it and run it when it passes."""
    current = model_folder(win)
    folder = choose_model_folder(win.window(), "" if current is None else str(current))
    if folder is None:
        return
    win.run_job(
        CHECK_JOB,
        pipeline.check_outcome_model,
        folder,
        progress=False,
        on_done=lambda line: _chosen(win, folder, line),
    )


def _chosen(win: OutcomeHost, folder: str, line: str) -> None:
    win.settings.set_outcome_model(folder)
    win.statusBar().showMessage(f"outcome model {folder}: {line}", 15000)
    update(win)
    run(win)


def turn_off(win: OutcomeHost) -> None:
    """No outcome model from now on (remembered); the shown result keeps its features."""
    win.settings.set_outcome_model("")
    _show(win, win.thrombus, None)
    update(win)


def run(win: OutcomeHost) -> None:
    """Run the model on the shown thrombus result in the worker (nothing without either)."""
    folder, result = model_folder(win), win.thrombus
    if folder is None or result is None:
        return
    win.run_job(
        RUN_JOB,
        pipeline.predict_outcome,
        result,
        model=folder,
        ncct=win.volumes.get("baseline"),
        cta=win.volumes.get("cta"),
        progress=False,
        on_done=lambda prediction: _ran(win, result, folder, prediction),
    )


def _ran(
    win: OutcomeHost, result: ThrombusResult, folder: Path, prediction: OutcomePrediction
) -> None:
    if model_folder(win) == folder:  # not turned off or changed meanwhile
        _show(win, result, prediction)


def _show(
    win: OutcomeHost, result: ThrombusResult | None, prediction: OutcomePrediction | None
) -> None:
    """Show ``prediction`` for ``result`` unless another result is shown by now."""
    if result is None or win.thrombus is not result:
        return
    win.outcome = prediction
    win.results.outcome.show_result(result, prediction)


def update(win: OutcomeHost) -> None:
    """Enable the two actions when idle; the tooltip names the folder in use."""
    folder = model_folder(win)
    choose_act, off = win.acts["outcome_model"], win.acts["no_outcome_model"]
    choose_act.setEnabled(not win.busy)
    choose_act.setToolTip(NONE_TIP if folder is None else f"outcome model: {folder}")
    off.setEnabled(folder is not None and not win.busy)
