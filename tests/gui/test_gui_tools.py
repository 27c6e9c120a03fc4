"""Viewer tools a physician expects: ruler, HU ellipse ROI, smooth zoom, legible labels,
the mouse-and-keys help and side-by-side linked views, on synthetic volumes of known values."""

from __future__ import annotations

import math

import numpy as np
import pytest
from gui_helpers import drag, viewport_point, wheel
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QImage, QKeySequence
from PySide6.QtWidgets import QApplication, QMessageBox

from strokescope.gui.main_window import MainWindow
from strokescope.gui.slice_view import SliceView
from strokescope.study import LoadedSeries
from strokescope.volume import Volume

BASE_SPACING = (2.0, 0.8, 0.6)  # z, y, x mm
CTA_SPACING = (1.0, 0.8, 0.6)
CTA_SHIFT_Y = 8.0  # the CTA grid starts 8 mm (10 rows) further posterior


def baseline() -> Volume:
    """Noise with a uniform 40 HU block (rows 30-69, columns 30-89) on every slice."""
    rng = np.random.default_rng(0)
    array = rng.normal(20.0, 6.0, size=(40, 100, 120)).astype(np.float32)
    array[:, 30:70, 30:90] = 40.0
    return Volume.from_array(array, BASE_SPACING)


def cta() -> Volume:
    array = np.full((80, 100, 120), 100.0, np.float32)
    return Volume.from_array(array, CTA_SPACING, origin=(0.0, CTA_SHIFT_Y, 0.0))


def show(qtbot, win: MainWindow, **volumes: Volume) -> None:  # type: ignore[no-untyped-def]
    win._on_loaded(LoadedSeries(volumes, ()))  # type: ignore[arg-type]
    QApplication.processEvents()
    assert win.state.volume is volumes["baseline"]


def pixel_mm(view: SliceView) -> float:
    """Millimetres per screen pixel of a view (its x axis)."""
    rect = view.box.viewRect()
    return rect.width() / view.box.width()


def test_ruler_reads_mm_from_the_volume_spacing_on_any_view(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    show(qtbot, window, baseline=baseline())
    qtbot.keyClick(window, Qt.Key.Key_D)
    assert window.measure.mode == "ruler" and window.acts["ruler"].isChecked()
    axial = window.views["axial"]
    k = window.state.cursor[0]
    drag(axial, viewport_point(axial, (k, 50, 20)), viewport_point(axial, (k, 50, 80)))
    (ruler,) = window.measure.items
    mm = float(ruler.label.toPlainText().split()[0])
    assert mm == pytest.approx(60 * 0.6, abs=2 * pixel_mm(axial))  # drawn at screen pixels
    # exact view points: 60 columns of 0.6 mm; on the coronal view 15 slices of 2 mm
    exact = window.measure.add_ruler(
        axial, axial.view_point((k, 50, 20)), axial.view_point((k, 50, 80))
    )
    assert exact is not None and exact.label.toPlainText() == "36.0 mm"
    coronal = window.views["coronal"]
    j = window.state.cursor[1]
    vertical = window.measure.add_ruler(
        coronal, coronal.view_point((10, j, 20)), coronal.view_point((25, j, 20))
    )
    assert vertical is not None and vertical.label.toPlainText() == "30.0 mm"
    diagonal = window.measure.add_ruler(
        axial, axial.view_point((k, 10, 10)), axial.view_point((k, 40, 50))
    )
    assert diagonal is not None
    assert diagonal.label.toPlainText() == f"{math.hypot(30 * 0.8, 40 * 0.6):.1f} mm"
    # a measurement belongs to its slice
    assert exact.roi.isVisible()
    window.state.step(0, 1)
    assert not exact.roi.isVisible() and not exact.label.isVisible()
    window.state.step(0, -1)
    assert exact.roi.isVisible()
    qtbot.keyClick(window, Qt.Key.Key_C)
    assert window.measure.items == []


def test_ellipse_roi_over_a_uniform_region(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    show(qtbot, window, baseline=baseline())
    qtbot.keyClick(window, Qt.Key.Key_E)
    assert window.measure.mode == "ellipse" and not window.acts["ruler"].isChecked()
    axial = window.views["axial"]
    k = window.state.cursor[0]
    drag(axial, viewport_point(axial, (k, 40, 45)), viewport_point(axial, (k, 60, 75)))
    (drawn,) = window.measure.items
    size = drawn.roi.size()
    area = math.pi * size.x() * size.y() / 4
    assert size.x() == pytest.approx(30 * 0.6, abs=2 * pixel_mm(axial))
    assert drawn.label.toPlainText() == f"mean 40 HU\nSD 0.0\n{area:.0f} mm²"
    # an exact 20 x 12 mm ellipse inside the block: pi * 10 * 6 = 188 mm²
    exact = window.measure.add_ellipse(axial, QRectF(30.0, 35.0, 20.0, 12.0))
    assert exact is not None
    assert exact.label.toPlainText() == "mean 40 HU\nSD 0.0\n188 mm²"
    # moved onto the noise (mean 20, SD 6), the reading follows the item
    exact.roi.setPos(QPointF(2.0, 2.0))
    text = exact.label.toPlainText()
    mean, sd = float(text.split()[1]), float(text.split()[4])  # mean N HU / SD N / area
    assert mean == pytest.approx(20, abs=2) and sd == pytest.approx(6, abs=1)


def _grey_levels(image: QImage, y: int, x0: int, x1: int) -> set[int]:
    return {image.pixelColor(x, y).red() for x in range(x0, x1)}


def test_zoom_is_interpolated_unless_turned_off(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    stripes = np.indices((4, 20, 20))[2] % 2 * 1000.0  # columns alternate 0 / 1000 HU
    vol = Volume.from_array(stripes, (1.0, 1.0, 1.0))
    show(qtbot, window, baseline=vol)
    window.state.set_window(1000.0, 500.0)
    axial = window.views["axial"]
    axial.box.setRange(QRectF(8.0, 8.0, 4.0, 4.0), padding=0)  # 4 voxels across the view
    QApplication.processEvents()
    y, width = axial.height() // 2, axial.width()
    smooth = _grey_levels(axial.grab().toImage(), y, width // 4, 3 * width // 4)
    assert len([v for v in smooth if 40 < v < 215]) > 20  # ramps between black and white
    qtbot.keyClick(window, Qt.Key.Key_I)
    assert not window.acts["smooth"].isChecked()
    QApplication.processEvents()
    blocky = _grey_levels(axial.grab().toImage(), y, width // 4, 3 * width // 4)
    assert len([v for v in blocky if 40 < v < 215]) < 4


def test_slice_labels_stay_legible_over_bone(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    bone = Volume.from_array(np.full((10, 64, 64), 1500.0, np.float32), (1.0, 1.0, 1.0))
    show(qtbot, window, baseline=bone)
    axial = window.views["axial"]
    QApplication.processEvents()
    image = axial.grab().toImage()
    for label in (axial.title, axial.letters["left"]):
        assert label.text() and label.isVisible()
        g = label.geometry()
        lum = np.array(
            [
                [image.pixelColor(x, y).lightness() for x in range(g.left(), g.right())]
                for y in range(g.top(), g.bottom())
            ]
        )
        assert np.median(lum) < 100, label.text()  # a dark plate under the text...
        assert lum.max() > 150, label.text()  # ...with light text on it
    centre = image.pixelColor(axial.width() // 2, axial.height() // 2)
    assert centre.lightness() > 240  # the image itself is white there


def test_f1_lists_the_mouse_and_every_shortcut(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClick(window, Qt.Key.Key_F1)
    box = window.findChild(QMessageBox, "helpDialog")
    assert box is not None and box.isVisible()
    text = box.text()
    for act in window.acts.values():
        keys = act.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if keys:
            assert f"<b>{keys}</b>" in text, act.text()
    for mouse in ("Ctrl + wheel", "Right drag", "Wheel"):
        assert f"<b>{mouse}</b>" in text
    assert window.acts["help"] in window.menuBar().actions()[-1].menu().actions()


def test_side_by_side_views_follow_each_other(qtbot, window) -> None:  # type: ignore[no-untyped-def]
    show(qtbot, window, baseline=baseline(), cta=cta())
    qtbot.keyClick(window, Qt.Key.Key_S)
    compare = window.compare
    assert window.area.side_by_side and compare.isVisible()
    assert compare.right_state.volume is window.volumes["cta"]
    assert compare.partner.currentData() == "cta"
    assert compare.right_state.window.width == 600  # the CTA preset on the CTA side
    left, right = compare.left, compare.right
    k = window.state.cursor[0]
    assert compare.right_state.cursor[0] == 2 * k  # 2 mm NCCT slices, 1 mm CTA slices
    wheel(left, viewport_point(left, (k, 50, 60)), 3)
    assert window.state.cursor[0] == k + 3 and compare.right_state.cursor[0] == 2 * (k + 3)
    wheel(right, viewport_point(right, compare.right_state.cursor), 2)
    assert compare.right_state.cursor[0] == 2 * k + 8 and window.state.cursor[0] == k + 4
    assert window.views["axial"].title.text() == left.title.text()
    # pan/zoom: the right view shows the same patient region (CTA rows start 8 mm later)
    left.box.setRange(QRectF(20.0, 30.0, 24.0, 24.0), padding=0)
    QApplication.processEvents()
    lr, rr = left.box.viewRect(), right.box.viewRect()
    assert rr.width() == pytest.approx(lr.width(), rel=0.02)
    assert rr.center().x() == pytest.approx(lr.center().x(), abs=0.05)
    assert rr.center().y() == pytest.approx(lr.center().y() - CTA_SHIFT_Y, abs=0.05)
    right.box.setRange(QRectF(10.0, 10.0, 30.0, 30.0), padding=0)
    QApplication.processEvents()
    assert left.box.viewRect().center().y() == pytest.approx(
        right.box.viewRect().center().y() + CTA_SHIFT_Y, abs=0.05
    )
    # measurements work on the right view with the CTA's own spacing
    ruler = window.measure.add_ruler(
        right, right.view_point((0, 20, 10)), right.view_point((0, 20, 60))
    )
    assert ruler is not None and ruler.label.toPlainText() == "30.0 mm"
    qtbot.keyClick(window, Qt.Key.Key_S)
    assert not window.area.side_by_side and window.views["axial"].isVisible()
