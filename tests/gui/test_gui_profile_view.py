"""The results panel plots the selected thrombus' CTA/NCCT profile with its CTA signs."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from PySide6.QtCore import Qt

from strokescope.gui.results_panel import ResultsPanel
from strokescope.thrombus.result import AxialProfile, Thrombus
from thrombus_results import thrombus_result


def _thrombus(label: int, length: float, inline: float | None) -> Thrombus:
    d = np.arange(-10.0, length + 10.5, 1.0)
    cta = np.where((d >= 0) & (d <= length), 70.0, 300.0)
    profile = AxialProfile(tuple(d), tuple(cta), tuple(np.full(len(d), 40.0)))
    return Thrombus(
        label, 90.0, length, 3.0, 60.0, 4.0, 70.0, 10.0, 1.4, "left", (1.0, 2.0, 3.0), "M1", 0.9,
        cta_lumen_in_line=inline, cta_missing_artery=None if inline is None else 0.05,
        axial_profile=profile,
    )  # fmt: skip


def test_the_selected_thrombus_profile_and_signs_are_shown(qtbot) -> None:  # type: ignore[no-untyped-def]
    panel = ResultsPanel()
    qtbot.addWidget(panel)
    panel.show()
    first, second = _thrombus(1, 12.0, 0.85), _thrombus(2, 6.0, 0.05)
    panel.set_thrombus(thrombus_result(first, second))
    view = panel.profile
    assert view.isVisible() and view.thrombus is first
    x, y = view.cta.getData()
    assert np.array_equal(x, first.axial_profile.distance_mm)  # type: ignore[union-attr]
    assert np.array_equal(y, first.axial_profile.cta_hu)  # type: ignore[union-attr]
    assert view.region.getRegion() == (0.0, 12.0)
    assert "CTA sign present (lumen in line 85%" in view.caption.text()

    rect = panel.thrombus_table.visualItemRect(panel.thrombus_table.item(1, 0))
    qtbot.mouseClick(panel.thrombus_table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert view.thrombus is second and view.region.getRegion() == (0.0, 6.0)
    assert "no CTA sign of occlusion" in view.caption.text()

    panel.set_thrombus(thrombus_result(replace(first, axial_profile=None)))
    assert not view.isVisible()  # a result read back from an older export has no profile
    panel.set_thrombus(None)
    assert not view.isVisible() and view.thrombus is None
