"""File → Export results…: the GUI writes the same results folder as ``strokescope ht --out``,
through a dialog that previews the report and creates a missing folder."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from gui_helpers import click, viewport_point
from PySide6.QtCore import Qt

from strokescope import pipeline
from strokescope.gui import export_action
from strokescope.gui.export_dialog import ExportDialog
from strokescope.gui.main_window import MainWindow
from strokescope.outputs import pdf_raster

FILES = ("seg.dcm", "sr.dcm", "report.pdf", "results.json")


def folder_hook(monkeypatch: pytest.MonkeyPatch, folder: Path | None) -> list[str]:
    """Replace the folder dialog; returns the list of start folders it was asked with."""
    asked: list[str] = []

    def choose(_parent: object, start: str = "") -> str | None:
        asked.append(start)
        return None if folder is None else str(folder)

    monkeypatch.setattr(export_action, "choose_export_folder", choose)
    return asked


def measure_bleed(qtbot, win: MainWindow, study, timeout: int = 30000) -> float:  # type: ignore[no-untyped-def]
    win.open_folder(study.root)
    qtbot.waitUntil(lambda: win.prepared is not None or win.last_error is not None, timeout=timeout)
    qtbot.waitUntil(lambda: not win.busy, timeout=timeout)
    assert win.last_error is None
    assert not win.acts["export"].isEnabled()  # a study but no result yet
    qtbot.keyClick(win, Qt.Key.Key_R)
    k, j, i = (
        int(v)
        for v in np.rint(win.volumes["followup"].geometry.lps_to_index(study.bleed_centre_lps))
    )
    win.state.set_cursor((k, j, i))
    axial = win.views["axial"]
    click(axial, viewport_point(axial, (k, j, i)))
    assert win.ht.result is not None, win.last_error and win.last_error.text()
    expected = pipeline.measure_hemorrhage(win.prepared, win.ht.rois)
    assert win.ht.result.volume_ml == expected.volume_ml
    assert f"Volume {expected.volume_ml:.2f} mL" in win.results.ht_volume.text()
    return expected.volume_ml


def open_dialog(qtbot, win: MainWindow, name: str) -> ExportDialog:  # type: ignore[no-untyped-def]
    """Trigger an export action; return its dialog once the report preview is drawn."""
    win.acts[name].trigger()
    (dialog,) = [d for d in win.findChildren(ExportDialog) if d.isVisible()]
    qtbot.waitUntil(lambda: not win.busy, timeout=60000)
    assert dialog.export_button.isEnabled()
    return dialog


def press_export(qtbot, win: MainWindow, dialog: ExportDialog, folder: Path) -> None:  # type: ignore[no-untyped-def]
    dialog.folder.setText(str(folder))
    dialog.export_button.click()
    assert not dialog.isVisible()
    qtbot.waitUntil(lambda: not win.busy, timeout=60000)
    assert win.last_error is None, win.last_error.text()


def export(qtbot, win: MainWindow, name: str, folder: Path) -> None:  # type: ignore[no-untyped-def]
    press_export(qtbot, win, open_dialog(qtbot, win, name), folder)


def test_export_actions_are_disabled_without_a_result(qtbot, window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    asked = folder_hook(monkeypatch, Path("/nonexistent"))
    for name in ("export", "export_anon"):
        act = window.acts[name]
        assert not act.isEnabled() and act.toolTip() == export_action.NO_RESULT
        assert act in window.menuBar().actions()[0].menu().actions()
    assert window.acts["export"].shortcut().toString() == "Ctrl+E"
    export_action.export(window)  # even when called directly: nothing asked, nothing run
    assert asked == [] and not window.busy


def test_export_writes_the_cli_results_folder_and_anonymizes(  # type: ignore[no-untyped-def]
    qtbot, window, study, tmp_path, monkeypatch
) -> None:
    volume_ml = measure_bleed(qtbot, window, study)
    assert window.acts["export"].isEnabled() and window.acts["export_anon"].isEnabled()
    dialog = open_dialog(qtbot, window, "export")  # cancelled: no job, nothing written
    assert dialog.folder.text() == str(Path(study.root).parent)  # beside the study
    dialog.reject()
    assert not window.busy and window.last_error is None

    out = tmp_path / "new" / "exports"  # missing: the dialog creates it
    dialog = open_dialog(qtbot, window, "export")
    asked = folder_hook(monkeypatch, out)
    dialog.browse.click()
    assert asked == [str(Path(study.root).parent)] and dialog.folder.text() == str(out)
    assert "will be created" in dialog.note.text()
    press_export(qtbot, window, dialog, out)
    folder = out / "results-001"
    for name in FILES:
        assert (folder / name).is_file(), name
    doc = json.loads((folder / "results.json").read_text())
    # the JSON holds the result's own document (mL to 3 decimals), as the CLI writes it
    assert doc["hemorrhage"] == json.loads(json.dumps(window.ht.result.to_dict()))
    assert doc["hemorrhage"]["volume_ml"] == pytest.approx(volume_ml, abs=5e-4)
    assert doc["thrombus"] is None
    assert str(folder) in window.statusBar().currentMessage()
    assert window.results.exported.isVisible() and str(folder) in window.results.exported.text()
    patient = window.volumes["followup"].meta.patient_name.encode()
    assert patient and patient in (folder / "seg.dcm").read_bytes()  # the check below can fail

    anon_out = tmp_path / "anonymized"
    export(qtbot, window, "export_anon", anon_out)
    anon = anon_out / "results-001"
    for name in FILES:
        assert (anon / name).is_file(), name
    assert json.loads((anon / "results.json").read_text())["hemorrhage"][
        "volume_ml"
    ] == pytest.approx(volume_ml, abs=5e-4)
    for path in anon.rglob("*"):
        if path.is_file():
            assert patient not in path.read_bytes(), path.name
    assert "anonymized" in window.results.exported.text()

    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    dialog = open_dialog(qtbot, window, "export")
    dialog.folder.setText(str(blocker / "below"))
    dialog.export_button.click()  # refused in the dialog, with its reason; nothing runs
    assert dialog.isVisible() and str(blocker) in dialog.note.text()
    assert not window.busy and window.last_error is None
    dialog.reject()
    assert window.acts["export"].isEnabled()


def test_export_writes_one_folder_per_result_with_its_own_source(  # type: ignore[no-untyped-def]
    qtbot, window, study, tmp_path, monkeypatch
) -> None:
    from test_gui_thrombus_settings import fake_analyze

    monkeypatch.setattr(pipeline, "analyze_thrombus", fake_analyze(study), raising=False)
    measure_bleed(qtbot, window, study)
    window.acts["thrombus"].trigger()
    qtbot.waitUntil(lambda: not window.busy, timeout=20000)
    assert window.thrombus is not None
    ht_job, th_job = export_action.requests(window)  # the thrombus with its NCCT, for the CPR
    assert ht_job.ncct is None and th_job.ncct is window.volumes["baseline"]
    dialog = open_dialog(qtbot, window, "export")
    assert len(dialog.pages) == 2  # one preview per report
    press_export(qtbot, window, dialog, tmp_path)
    ht = json.loads((tmp_path / "results-001" / "results.json").read_text())
    th = json.loads((tmp_path / "results-002" / "results.json").read_text())
    assert ht["hemorrhage"] is not None and ht["thrombus"] is None
    assert th["thrombus"] is not None and th["hemorrhage"] is None
    followup_uid = window.volumes["followup"].meta.series_uid
    cta_uid = window.volumes["cta"].meta.series_uid
    assert followup_uid and cta_uid and followup_uid != cta_uid
    assert followup_uid in json.dumps(ht) and cta_uid not in json.dumps(ht)
    assert cta_uid in json.dumps(th) and followup_uid not in json.dumps(th)
    text = window.results.exported.text()
    assert str(tmp_path / "results-001") in text and str(tmp_path / "results-002") in text


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils not installed")
def test_dialog_shows_page_one_of_the_report(qtbot, window, study) -> None:  # type: ignore[no-untyped-def]
    measure_bleed(qtbot, window, study)
    dialog = open_dialog(qtbot, window, "export")
    (page,) = dialog.pages
    pixmap = page.pixmap()
    assert not pixmap.isNull() and pixmap.height() == 560
    assert pixmap.width() / pixmap.height() == pytest.approx(595.28 / 841.89, rel=0.01)
    image = pixmap.toImage()
    # the report's title band (dark blue) at the top, white page below it
    band = image.pixelColor(pixmap.width() // 2, int(pixmap.height() * 0.07))
    assert band.blue() > band.red() + 40
    assert image.pixelColor(pixmap.width() // 2, int(pixmap.height() * 0.97)).lightness() > 240
    dialog.reject()


def test_without_a_renderer_the_dialog_says_so_and_exports(  # type: ignore[no-untyped-def]
    qtbot, window, study, tmp_path, monkeypatch
) -> None:
    measure_bleed(qtbot, window, study)
    monkeypatch.setattr(pdf_raster.shutil, "which", lambda _name: None)
    dialog = open_dialog(qtbot, window, "export")
    (page,) = dialog.pages
    assert "pdftoppm, which is not installed" in page.text() and page.pixmap().isNull()
    press_export(qtbot, window, dialog, tmp_path)
    assert (tmp_path / "results-001" / "report.pdf").is_file()
