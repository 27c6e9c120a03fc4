from __future__ import annotations

import numpy as np
import pytest

from strokescope.hemorrhage import abc2
from strokescope.volume import Geometry, Mask


def test_box_measures_diagonal_and_perpendicular_width() -> None:
    arr = np.zeros((10, 60, 60), bool)
    arr[2:7, 10:50, 20:30] = True  # 20 mm x 5 mm (0.5 mm pixels) on 5 slices of 5 mm
    arr[4, 10:50, 20:22] = False  # slice 4 smaller; the largest slice is measured
    res = abc2(Mask(arr, Geometry(arr.shape, (5.0, 0.5, 0.5))))
    assert res is not None
    diag = np.hypot(20.0, 5.0)
    assert res.slice_index == 2
    assert res.a_mm == pytest.approx(diag, abs=0.15)  # the longest diameter is the diagonal
    centres = np.hypot(19.5, 4.5)  # pixel centres span 19.5 x 4.5 mm, plus one pixel
    assert res.b_mm == pytest.approx(2 * 19.5 * 4.5 / centres + 0.5, abs=0.05)
    assert res.c_mm == pytest.approx(25.0)
    assert res.slice_count == 5
    assert res.volume_ml == pytest.approx(res.a_mm * res.b_mm * 25 / 2 / 1000)


def test_square_of_one_pixel_measures_one_pixel() -> None:
    arr = np.zeros((1, 5, 5), bool)
    arr[0, 2, 2] = True
    res = abc2(Mask(arr, Geometry(arr.shape, (5.0, 0.8, 0.8))))
    assert res is not None
    assert res.b_mm == pytest.approx(0.8, abs=0.02)


def test_ellipsoid_is_close_to_true_volume() -> None:
    sp = (1.0, 0.5, 0.5)
    z, y, x = np.ogrid[:40, :120, :120]
    arr = ((z - 20) / 10.0) ** 2 + ((y - 60) * 0.5 / 20.0) ** 2 + ((x - 60) * 0.5 / 15.0) ** 2 <= 1
    m = Mask(arr, Geometry(arr.shape, sp))
    res = abc2(m)
    assert res is not None
    assert res.a_mm == pytest.approx(40.5, abs=1.0)
    assert res.b_mm == pytest.approx(30.5, abs=1.0)
    # ABC/2 approximates 4/3 pi abc for an ellipsoid (pi/6 ~ 1/2)
    assert res.volume_ml == pytest.approx(m.volume_ml, rel=0.1)


def test_empty_mask_has_no_abc2() -> None:
    g = Geometry((2, 4, 4), (5.0, 1.0, 1.0))
    assert abc2(Mask(np.zeros(g.shape, bool), g)) is None
