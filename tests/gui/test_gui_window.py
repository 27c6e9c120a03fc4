"""The main window through real widgets, real mouse events and the real worker."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from gui_helpers import STALL_LIMIT_S, StallMeter, click, drag, move, viewport_point, wheel
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QSpinBox

from strokescope import pipeline
from strokescope.gui.main_window import MainWindow


def wait_idle(qtbot, win: MainWindow, timeout: int = 20000) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: not win.busy, timeout=timeout)


def open_study(qtbot, win: MainWindow, root: Path) -> None:  # type: ignore[no-untyped-def]
    win.open_folder(root)
    qtbot.waitUntil(lambda: win.prepared is not None or win.last_error is not None, timeout=30000)
    wait_idle(qtbot, win)
    assert win.last_error is None


def bleed_index(win: MainWindow, study) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    fu = win.volumes["followup"]
    k, j, i = np.rint(fu.geometry.lps_to_index(study.bleed_centre_lps)).astype(int)
    return int(k), int(j), int(i)


def test_open_assigns_roles_and_shows_three_linked_views(qtbot, window, study) -> None:  # type: ignore[no-untyped-def]
    open_study(qtbot, window, study.root)
    picker = window.picker
    assert "CTA" in picker.series_for("cta").description
    assert "FOLLOW-UP" in picker.series_for("followup").description
    base = picker.series_for("baseline")
    assert base.contrast_agent == "" and "FOLLOW" not in base.description
    assert set(window.volumes) == {"baseline", "cta", "followup"}
    assert window.state.volume is window.volumes["baseline"]
    axial, coronal, sagittal = (window.views[n] for n in ("axial", "coronal", "sagittal"))
    # radiological convention: patient right on image left; head up; anterior up on axial
    assert (axial.letters["left"].text(), axial.letters["right"].text()) == ("R", "L")
    assert (axial.letters["top"].text(), coronal.letters["top"].text()) == ("A", "S")
    assert sagittal.letters["left"].text() == "A"
    # physical aspect: 80 slices x 2 mm over 128 x 1.8 mm
    rect = coronal.image.mapRectToView(coronal.image.boundingRect())
    assert rect.height() / rect.width() == pytest.approx(160 / 230.4, rel=1e-3)
    # crosshair link: a click on the coronal view moves the axial slice
    k0 = window.state.cursor[0]
    target = (k0 + 10, window.state.cursor[1], 30)
    click(coronal, viewport_point(coronal, target))
    assert window.state.cursor[0] == k0 + 10 and window.state.cursor[2] == 30
    # 0-based voxel indices, as in --roi z=...: the title names the index and its range
    n = window.state.volume.shape[0]
    assert axial.title.text() == f"Axial  slice {k0 + 10} (0-{n - 1})"
    assert "0-based voxel indices, as in --roi" in axial.title.toolTip()


def test_status_bar_wheel_and_window_drag(qtbot, window, study) -> None:  # type: ignore[no-untyped-def]
    open_study(qtbot, window, study.root)
    axial = window.views["axial"]
    vol = window.state.volume
    k = window.state.cursor[0]
    move(axial, viewport_point(axial, (k, 40, 70)))
    text = window.cursor_label.text()
    x, y, z = vol.geometry.index_to_lps((k, 40, 70))
    assert f"HU {vol.array[k, 40, 70]:.0f}" in text
    assert f"x {x:.1f}  y {y:.1f}  z {z:.1f} mm" in text
    assert f"voxel z={k} y=40 x=70" in text  # the same indices --roi and --click take
    assert "0-based voxel indices, as in --roi" in window.cursor_label.toolTip()
    wheel(axial, viewport_point(axial, (k, 40, 70)), 3)
    assert window.state.cursor[0] == k + 3
    before = window.state.window
    centre = viewport_point(axial, (k, 50, 45))
    drag(axial, centre, centre + type(centre)(60, -40), button=Qt.MouseButton.RightButton)
    after = window.state.window
    assert after.width > before.width and after.level > before.level
    qtbot.keyClick(window, Qt.Key.Key_2)
    assert (window.state.window.width, window.state.window.level) == (40, 40)
    qtbot.keyClick(window, Qt.Key.Key_M)
    assert window.state.mip and "MIP" in axial.title.text()


def test_drawn_roi_shows_the_pipeline_volume(qtbot, window, study) -> None:  # type: ignore[no-untyped-def]
    open_study(qtbot, window, study.root)
    window.set_roi_tool(True)
    assert window.state.volume is window.volumes["followup"]
    k, j, i = bleed_index(window, study)
    window.state.set_cursor((k, j, i))
    axial = window.views["axial"]
    window.findChild(QSpinBox, "roiDepth").setValue(3)
    drag(
        axial,
        viewport_point(axial, (k, j - 11, i - 11)),
        viewport_point(axial, (k, j + 11, i + 11)),
    )
    assert len(window.ht.rois) == 1
    roi = window.ht.rois[0]
    assert roi.z == (k - 3, k + 3)
    assert roi.y[0] <= j - 9 and j + 9 <= roi.y[1] <= j + 12 and roi.x[0] <= i - 9
    expected = pipeline.measure_hemorrhage(window.prepared, [roi])
    assert f"Volume {expected.volume_ml:.2f} mL" in window.results.ht_volume.text()
    assert expected.volume_ml == pytest.approx(study.hemorrhage_ml, rel=0.35)
    assert window.results.roi_table.rowCount() == 1
    assert window.state.masks["hemorrhage"] is not None
    window.ht.undo()
    assert window.ht.rois == [] and window.results.ht_volume.text() == "no ROI"


def test_click_proposes_an_roi_and_delete_removes_it(qtbot, window, study) -> None:  # type: ignore[no-untyped-def]
    open_study(qtbot, window, study.root)
    qtbot.keyClick(window, Qt.Key.Key_R)
    assert window.views["axial"].roi_mode
    k, j, i = bleed_index(window, study)
    window.state.set_cursor((k, j, i))
    axial = window.views["axial"]
    click(axial, viewport_point(axial, (k, j, i)))
    assert len(window.ht.rois) == 1, window.last_error and window.last_error.text()
    proposed = pipeline.propose_hemorrhage_roi(window.prepared, (k, j, i))
    assert window.ht.rois[0] == proposed
    volume = window.ht.result.volume_ml
    assert volume == pytest.approx(study.hemorrhage_ml, rel=0.35)
    assert f"{volume:.2f} mL" in window.results.ht_volume.text()
    window.ht.delete()
    assert window.ht.rois == [] and window.ht.result is None
    click(axial, viewport_point(axial, (k, 2, 2)))  # outside the brain: one readable dialog
    assert window.last_error is not None and "outside the brain" in window.last_error.text()


def test_corrupt_folder_gives_one_dialog_and_the_app_stays_usable(
    qtbot, window, study, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "IM0001.dcm").write_bytes(b"DICM" + bytes(300))
    (bad / "notes.txt").write_text("not an image")
    window.open_folder(bad)
    qtbot.waitUntil(lambda: window.last_error is not None, timeout=10000)
    box = window.findChild(QMessageBox, "errorDialog")
    assert box is window.last_error and box.isVisible()
    assert str(bad) in box.text() and "\n" not in box.text()
    assert not window.busy
    box.accept()
    window.last_error = None
    open_study(qtbot, window, study.root)
    assert window.state.volume is not None


def test_cancel_mid_run_and_gui_never_stalls(qtbot, window, study) -> None:  # type: ignore[no-untyped-def]
    def busy(*, on_progress: pipeline.Progress) -> int:
        data = np.random.default_rng(0).normal(size=(128, 128)).astype(np.float32)
        t0 = time.perf_counter()
        while (elapsed := time.perf_counter() - t0) < 1.5:
            np.sort(data, axis=None)
            on_progress(elapsed / 1.5)
        return 1

    followup = pipeline.load(study.root / "followup")
    meter = StallMeter()
    meter.start()
    prepared: list[object] = []
    window.run_job("Preparing", pipeline.prepare_followup, followup, on_done=prepared.append)
    qtbot.waitUntil(lambda: not window.busy, timeout=30000)
    assert len(prepared) == 1 and prepared[0].ncct is followup
    done: list[int] = []
    worker = window.run_job("Busy", busy, on_done=done.append)
    qtbot.waitUntil(lambda: window.progress.value() > 300, timeout=10000)
    qtbot.mouseClick(window.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.busy, timeout=10000)
    meter.stop()
    gaps = meter.gaps
    assert worker is not None and worker.is_cancel_requested and worker.seconds < 1.4
    assert done == [] and window.last_error is None and not window.progress.isVisible()
    assert "cancelled" in window.statusBar().currentMessage()
    assert len(gaps) > 50
    assert max(gaps) < STALL_LIMIT_S, f"GUI thread stalled {1000 * max(gaps):.0f} ms"


def test_one_series_cannot_take_two_roles(qtbot, window, study) -> None:  # type: ignore[no-untyped-def]
    open_study(qtbot, window, study.root)
    picker = window.picker
    base = picker.series_for("baseline")
    picker.assign("cta", base.key)
    assert picker.series_for("cta") is None and picker.series_for("baseline") is base
    assert window.last_error is not None
    assert "is already the Baseline NCCT" in window.last_error.text()
