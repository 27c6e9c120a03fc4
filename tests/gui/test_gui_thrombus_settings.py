"""Thrombus action (absent model and a stand-in pipeline), results panel, settings, About."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QMessageBox
from test_gui_window import open_study, wait_idle

from strokescope import pipeline
from strokescope.gui.main_window import MainWindow
from strokescope.gui.presets import WindowPreset
from strokescope.gui.settings import GuiSettings, setup_log_file
from strokescope.thrombus import Thrombus, ThrombusResult
from strokescope.volume import Mask, Volume


def _settings(path: Path) -> GuiSettings:
    return GuiSettings(QSettings(str(path), QSettings.Format.IniFormat))


def fake_analyze(study):  # type: ignore[no-untyped-def]
    """A stand-in with the agreed signature: the truth clot as the 'segmentation'."""

    def analyze(
        ncct: Volume, cta: Volume | None, *, device: str = "auto", on_progress=None
    ) -> ThrombusResult:  # type: ignore[no-untyped-def]
        assert cta is not None and device == "auto"
        if on_progress:
            on_progress(0.5)
        k, j, i = np.rint(cta.geometry.lps_to_index(study.thrombus_centroid_lps)).astype(int)
        arr = np.zeros(cta.shape, bool)
        arr[k - 1 : k + 2, j - 1 : j + 2, i - 2 : i + 3] = True
        clot = Thrombus(
            1,
            120.0,
            18.0,
            3.0,
            70.0,
            5.0,
            80.0,
            10.0,
            1.6,
            "left",
            study.thrombus_centroid_lps,
            "M1",
            0.9,
        )
        return ThrombusResult(
            (clot,),
            True,
            True,
            "LVO",
            Mask(arr, cta.geometry, "thrombus"),
            np.eye(4),  # no motion: the viewer resamples the NCCT onto the CTA grid as is
            None,
            "test",
            {},
            "LVO if ICA/M1 component",
            warnings=("stand-in model",),
        )

    return analyze


def test_thrombus_action_disabled_without_model(qtbot, tmp_path, study, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The real switch: STROKESCOPE_MODELS names a folder without a manifest."""
    (tmp_path / "no-models").mkdir()
    monkeypatch.setenv("STROKESCOPE_MODELS", str(tmp_path / "no-models"))
    win = MainWindow(_settings(tmp_path / "s.ini"))
    qtbot.addWidget(win)
    win.show()
    open_study(qtbot, win, study.root)
    assert "baseline" in win.volumes
    assert not win.acts["thrombus"].isEnabled()
    assert win.acts["thrombus"].toolTip() == "thrombus model not installed"
    monkeypatch.delenv("STROKESCOPE_MODELS")
    win.open_folder(study.root)
    wait_idle(qtbot, win)
    assert win.acts["thrombus"].isEnabled()  # the shipped models are found again


def test_thrombus_result_table_centres_views(qtbot, tmp_path, study, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(pipeline, "analyze_thrombus", fake_analyze(study), raising=False)
    win = MainWindow(_settings(tmp_path / "s.ini"))
    qtbot.addWidget(win)
    win.show()
    open_study(qtbot, win, study.root)
    assert win.acts["thrombus"].isEnabled()
    win.acts["thrombus"].trigger()
    wait_idle(qtbot, win)
    panel = win.results
    assert panel.thrombus_table.rowCount() == 1
    assert panel.thrombus_table.item(0, 0).text() == "M1"
    assert panel.thrombus_table.item(0, 2).text() == "18.0"
    assert "LVO" in panel.thrombus_call.text()
    assert any("stand-in model" in w for w in panel.all_warnings())
    assert win.state.volume is win.volumes["cta"]
    win.state.set_cursor((0, 0, 0))
    item = panel.thrombus_table.item(0, 3)
    rect = panel.thrombus_table.visualItemRect(item)
    qtbot.mouseClick(panel.thrombus_table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    expected = win.volumes["cta"].geometry.lps_to_index(study.thrombus_centroid_lps)
    assert win.state.cursor == tuple(int(v) for v in np.rint(expected))
    assert "Research use only, not for diagnosis." in panel.research.text()
    assert panel.research.text().endswith(
        "trained on digital phantoms only, not validated on patients."
    )


def test_settings_remember_presets_folder_and_geometry(qtbot, tmp_path, study) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "remember.ini"
    win = MainWindow(_settings(path))
    qtbot.addWidget(win)
    win.show()
    open_study(qtbot, win, study.root)
    win.settings.set_presets((WindowPreset("Mine", 123, 45), WindowPreset("Brain", 80, 40)))
    win.resize(700, 500)
    stored = win.saveGeometry()
    win.close()
    again = MainWindow(_settings(path))
    qtbot.addWidget(again)
    assert again.settings.last_folder() == str(study.root)
    assert again.controls.presets[0] == WindowPreset("Mine", 123, 45)
    assert again.settings.geometry() == stored
    again.controls.apply_preset(0)
    assert (again.state.window.width, again.state.window.level) == (123, 45)


def test_about_box_and_log_file(qtbot, tmp_path, gui_data_dir) -> None:  # type: ignore[no-untyped-def]
    win = MainWindow(_settings(tmp_path / "s.ini"))
    qtbot.addWidget(win)
    win.about()
    box = win.findChild(QMessageBox, "aboutDialog")
    assert box is not None and "0.1.0" in box.text() and "numpy" in box.informativeText()
    assert "manifest" in box.detailedText().lower()
    assert "slice numbers are 0-based voxel indices, as in --roi" in box.text()
    log = setup_log_file()
    assert log.parent == gui_data_dir and log.is_file()


@pytest.mark.parametrize("key, overlay", [(Qt.Key.Key_T, "thrombus"), (Qt.Key.Key_B, "brain")])
def test_overlay_shortcuts_toggle(qtbot, tmp_path, key, overlay) -> None:  # type: ignore[no-untyped-def]
    win = MainWindow(_settings(tmp_path / "s.ini"))
    qtbot.addWidget(win)
    win.show()
    win.activateWindow()
    qtbot.waitUntil(lambda: win.isActiveWindow(), timeout=2000)
    before = win.state.visible[overlay]
    qtbot.keyClick(win.views["axial"], key)
    assert win.state.visible[overlay] is not before
    assert win.controls.overlays[overlay].isChecked() is not before
