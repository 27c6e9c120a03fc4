"""A second study replaces every trace of the first; a changed series role makes results stale."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from gui_helpers import click, move, viewport_point
from PySide6.QtCore import Qt
from test_export_action import export
from test_gui_thrombus_settings import fake_analyze
from test_gui_window import bleed_index, open_study

from strokescope import pipeline
from strokescope.gui import export_action
from strokescope.gui.main_window import REGISTERED, MainWindow
from strokescope.gui.results_panel import STALE
from strokescope.io.dicom_write import SeriesIdentity, write_ct_series
from strokescope.volume import Volume


def with_results(qtbot, win: MainWindow, study) -> None:  # type: ignore[no-untyped-def]
    """Open the phantom study, measure a bleed by one click and run the stand-in thrombus."""
    open_study(qtbot, win, study.root)
    qtbot.keyClick(win, Qt.Key.Key_R)
    k, j, i = bleed_index(win, study)
    win.state.set_cursor((k, j, i))
    axial = win.views["axial"]
    click(axial, viewport_point(axial, (k, j, i)))
    assert win.ht.result is not None, win.last_error and win.last_error.text()
    win.acts["thrombus"].trigger()
    qtbot.waitUntil(lambda: not win.busy, timeout=20000)
    assert win.thrombus is not None and REGISTERED in win.volumes


def other_study(root: Path) -> Path:
    """Study B: one plain NCCT series (40 x 64 x 64) with other UIDs, size and spacing."""
    rng = np.random.default_rng(7)
    arr = rng.normal(30.0, 5.0, (40, 64, 64)).astype(np.float32)
    vol = Volume.from_array(arr, (2.5, 0.6, 0.6), origin=(-20.0, -20.0, 0.0))
    write_ct_series(vol, root / "ncct", SeriesIdentity(description="STUDY B NCCT"))
    return root


def test_opening_a_second_study_clears_every_trace_of_the_first(  # type: ignore[no-untyped-def]
    qtbot, window, study, tmp_path, monkeypatch
) -> None:
    monkeypatch.setattr(pipeline, "analyze_thrombus", fake_analyze(study), raising=False)
    with_results(qtbot, window, study)
    axial = window.views["axial"]
    move(axial, viewport_point(axial, window.state.cursor))
    window.results.set_exports([str(tmp_path / "results-001")])  # as a finished export does
    assert window.cursor_label.text() and window.results.exported.isVisible()
    assert window.views["axial"].roi_mode and window.state.masks["hemorrhage"] is not None

    window.open_folder(other_study(tmp_path / "b"))
    qtbot.waitUntil(lambda: "baseline" in window.volumes and not window.busy, timeout=30000)
    assert window.last_error is None
    b = window.volumes["baseline"]
    assert set(window.volumes) == {"baseline"} and b.meta.description == "STUDY B NCCT"
    assert window.state.volume is b
    # analyses, ROIs and their undo history, overlays
    assert window.prepared is None and window.ht.prepared is None and window.thrombus is None
    assert window.ht.rois == [] and window.ht.history == [] and window.ht.items == []
    assert window.ht.result is None and window.state.masks == dict.fromkeys(window.state.masks)
    assert not window.views["axial"].roi_mode and not window.acts["roi"].isChecked()
    # the results panel
    panel = window.results
    assert panel.thrombus is None and panel.hemorrhage is None and panel.stale == set()
    assert panel.thrombus_call.text() == "not analysed" and panel.ht_volume.text() == "no ROI"
    assert panel.thrombus_table.rowCount() == 0 and panel.roi_table.rowCount() == 0
    assert not panel.exported.isVisible() and panel.exported.text() == ""
    assert not [w for w in panel.all_warnings() if w.startswith(("thrombus:", "HT:"))]
    # crosshairs, titles and the status bar follow study B
    assert window.state.cursor == (20, 32, 32)
    for view in window.views.values():
        p = view.view_point(window.state.cursor)
        assert (view.vline.value(), view.hline.value()) == pytest.approx((p.x(), p.y()))
        assert view.vline.isVisible() and view.hline.isVisible()
    assert axial.title.text() == "Axial  slice 20 (0-39)"
    assert window.cursor_label.text() == ""
    assert not window.acts["export"].isEnabled()


def test_changing_a_series_role_makes_results_stale_and_unexported(  # type: ignore[no-untyped-def]
    qtbot, window, study, tmp_path, monkeypatch
) -> None:
    monkeypatch.setattr(pipeline, "analyze_thrombus", fake_analyze(study), raising=False)
    with_results(qtbot, window, study)
    panel, picker = window.results, window.picker
    assert STALE not in panel.thrombus_call.text()
    base_key = picker.series_for("baseline").key

    picker.assign("cta", "")  # the user takes the CTA away
    assert panel.is_stale("thrombus") and not panel.is_stale("hemorrhage")
    assert STALE in panel.thrombus_call.text() and f"thrombus: {STALE}" in panel.all_warnings()
    assert [r.what for r in export_action.requests(window)] == ["HT"]
    export(qtbot, window, "export", tmp_path)
    assert (tmp_path / "results-001").is_dir() and not (tmp_path / "results-002").exists()
    assert export_action.STALE_REFUSED in window.statusBar().currentMessage()
    assert export_action.STALE_REFUSED in panel.exported.text()

    picker.assign("baseline", "")
    picker.assign("followup", base_key)  # another follow-up: the HT result is stale at once
    assert panel.is_stale("hemorrhage") and STALE in panel.ht_volume.text()
    assert export_action.requests(window) == []
    assert not window.acts["export"].isEnabled()
    assert export_action.STALE_REFUSED in window.acts["export"].toolTip()
    export_action.export(window)
    message = window.statusBar().currentMessage()
    assert message == f"HT + thrombus result {export_action.STALE_REFUSED}"
    qtbot.waitUntil(lambda: window.prepared is not None and not window.busy, timeout=30000)
    # the new follow-up is prepared: its ROIs start empty and nothing is stale any more
    assert window.ht.result is None and not panel.is_stale("hemorrhage")
    assert window.prepared.ncct is window.volumes["followup"]
    window.run_thrombus()  # no baseline any more: nothing runs, the old result stays stale
    assert panel.is_stale("thrombus")
