"""Analysis → Outcome model…: an installed outcome model chosen in the viewer (checked in
the worker, remembered), run after each thrombus result, its probability in the outcome
panel beside the model card and in the export; a bad folder is one error dialog; "No
outcome model" turns it off; until one is chosen ``$STROKESCOPE_OUTCOME_MODEL`` applies."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from test_gui_thrombus_settings import fake_analyze
from test_gui_window import open_study, wait_idle

from outcome_model_files import COHORT, train_tiny_model
from strokescope import pipeline
from strokescope.gui import export_action, outcome_model
from strokescope.gui.main_window import MainWindow
from strokescope.gui.settings import GuiSettings
from strokescope.outcome.prediction import NO_MODEL, OUTCOME
from strokescope.resources import OUTCOME_MODEL_ENV


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return train_tiny_model(tmp_path_factory.mktemp("outcome"))


@pytest.fixture
def stand_in(study, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(pipeline, "analyze_thrombus", fake_analyze(study), raising=False)
    monkeypatch.delenv(OUTCOME_MODEL_ENV, raising=False)


def _settings(path: Path) -> GuiSettings:
    return GuiSettings(QSettings(str(path), QSettings.Format.IniFormat))


def _choose(monkeypatch: pytest.MonkeyPatch, folder: Path | None) -> None:
    monkeypatch.setattr(
        outcome_model, "choose_model_folder", lambda *_a: None if folder is None else str(folder)
    )


def _analyse(qtbot, win: MainWindow) -> None:  # type: ignore[no-untyped-def]
    win.acts["thrombus"].trigger()
    wait_idle(qtbot, win)
    assert win.thrombus is not None and win.last_error is None


@pytest.mark.usefixtures("stand_in")
def test_chosen_model_runs_after_the_analysis_and_reaches_panel_and_export(  # type: ignore[no-untyped-def]
    qtbot, study, model, tmp_path, monkeypatch
) -> None:
    win = MainWindow(_settings(tmp_path / "s.ini"))
    qtbot.addWidget(win)
    win.show()
    open_study(qtbot, win, study.root)
    assert not win.acts["no_outcome_model"].isEnabled()
    _analyse(qtbot, win)
    assert win.outcome is None and win.results.outcome.line.text() == NO_MODEL
    _choose(monkeypatch, model)
    win.acts["outcome_model"].trigger()  # a result is shown: the model runs on it at once
    wait_idle(qtbot, win)
    assert win.last_error is None and win.outcome is not None
    expected = pipeline.predict_outcome(win.thrombus, model=model)
    assert win.outcome == expected and expected.probability is not None
    line = win.results.outcome.line.text()
    assert line == expected.line() and f"{OUTCOME} " in line and f"{COHORT} (n=160)" in line
    assert win.acts["outcome_model"].toolTip() == f"outcome model: {model}"
    assert win.acts["no_outcome_model"].isEnabled()
    _analyse(qtbot, win)  # a new result runs the model again
    assert win.outcome == pipeline.predict_outcome(win.thrombus, model=model)
    (manifest,) = export_action.run_exports(
        [r for r in export_action.requests(win) if r.what == "thrombus"], tmp_path / "out"
    )
    doc = json.loads(manifest.json.read_text())
    assert doc["outcome"]["prediction"] == expected.to_dict()
    assert _settings(tmp_path / "s.ini").outcome_model() == str(model)  # remembered


@pytest.mark.usefixtures("stand_in")
def test_bad_folder_is_one_dialog_and_is_not_remembered(  # type: ignore[no-untyped-def]
    qtbot, study, model, tmp_path, monkeypatch
) -> None:
    bad = tmp_path / "altered"
    shutil.copytree(model, bad)
    with (bad / "MODEL_CARD.md").open("a") as fh:
        fh.write("edited\n")
    win = MainWindow(_settings(tmp_path / "s.ini"))
    qtbot.addWidget(win)
    win.show()
    open_study(qtbot, win, study.root)
    _analyse(qtbot, win)
    _choose(monkeypatch, bad)
    win.acts["outcome_model"].trigger()
    wait_idle(qtbot, win)
    assert win.last_error is not None
    assert win.last_error.windowTitle() == f"{outcome_model.CHECK_JOB} failed"
    assert win.last_error.text() == f"{bad / 'MODEL_CARD.md'}: sha256 differs from the " + (
        "manifest (altered model file)"
    )
    assert win.settings.outcome_model() is None and win.outcome is None
    assert win.results.outcome.line.text() == NO_MODEL
    _choose(monkeypatch, None)  # cancelled: nothing happens
    win.last_error = None
    win.acts["outcome_model"].trigger()
    wait_idle(qtbot, win)
    assert win.last_error is None and win.settings.outcome_model() is None


@pytest.mark.usefixtures("stand_in")
def test_environment_default_until_turned_off(  # type: ignore[no-untyped-def]
    qtbot, study, model, tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv(OUTCOME_MODEL_ENV, str(model))
    win = MainWindow(_settings(tmp_path / "s.ini"))
    qtbot.addWidget(win)
    win.show()
    open_study(qtbot, win, study.root)
    _analyse(qtbot, win)
    assert win.outcome is not None and win.outcome.probability is not None
    assert win.acts["no_outcome_model"].isEnabled()
    win.acts["no_outcome_model"].trigger()
    assert win.outcome is None and win.results.outcome.line.text() == NO_MODEL
    assert not win.acts["no_outcome_model"].isEnabled()
    assert _settings(tmp_path / "s.ini").outcome_model() == ""  # off, whatever the default
    _analyse(qtbot, win)
    assert win.outcome is None and win.results.outcome.line.text() == NO_MODEL
