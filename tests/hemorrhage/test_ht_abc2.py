from __future__ import annotations

import numpy as np
import pytest

from strokescope.hemorrhage import abc2
from strokescope.hemorrhage.abc2 import slice_weights
from strokescope.volume import Geometry, Mask


def test_box_measures_diagonal_and_perpendicular_width() -> None:
    arr = np.zeros((10, 60, 60), bool)
    arr[2:7, 10:50, 20:30] = True  # 20 mm x 5 mm (0.5 mm pixels) on 5 slices of 5 mm
    arr[4, 10:50, 20:22] = False  # slice 4 is 80 % of the others; the largest is measured
    res = abc2(Mask(arr, Geometry(arr.shape, (5.0, 0.5, 0.5))))
    assert res is not None
    diag = np.hypot(20.0, 5.0)
    assert res.slice_index == 2
    assert res.a_mm == pytest.approx(diag, abs=0.15)  # the longest diameter is the diagonal
    centres = np.hypot(19.5, 4.5)  # pixel centres span 19.5 x 4.5 mm, plus one pixel
    assert res.b_mm == pytest.approx(2 * 19.5 * 4.5 / centres + 0.5, abs=0.05)
    assert res.c_mm == pytest.approx(25.0)
    assert res.slice_count == 5.0
    assert res.volume_ml == pytest.approx(res.a_mm * res.b_mm * 25 / 2 / 1000)
    assert res.lesion_ml == pytest.approx(Mask(arr, Geometry(arr.shape, (5.0, 0.5, 0.5))).volume_ml)


def test_square_of_one_pixel_measures_one_pixel() -> None:
    arr = np.zeros((1, 5, 5), bool)
    arr[0, 2, 2] = True
    res = abc2(Mask(arr, Geometry(arr.shape, (5.0, 0.8, 0.8))))
    assert res is not None
    assert res.b_mm == pytest.approx(0.8, abs=0.02)
    assert res.slice_count == 1.0


def test_kothari_weights_slices_by_area() -> None:
    """Areas 100, 80, 50 and 20 % of the largest count 1, 1, 0.5 and 0 (Kothari 1996)."""
    arr = np.zeros((6, 30, 40), bool)
    for k, width in ((1, 4), (2, 10), (3, 20), (4, 16)):  # 20, 50, 100, 80 % of 20 x 10
        arr[k, 10:20, 5 : 5 + width] = True
    res = abc2(Mask(arr, Geometry(arr.shape, (4.0, 1.0, 1.0))))
    assert res is not None
    assert res.slice_index == 3
    assert res.slice_count == 2.5
    assert res.c_mm == pytest.approx(2.5 * 4.0)
    assert res.a_mm == pytest.approx(np.hypot(19.0, 9.0) + 1.0, abs=0.1)
    assert res.volume_ml == pytest.approx(res.a_mm * res.b_mm * 10.0 / 2 / 1000)


@pytest.mark.parametrize(
    ("fraction", "weight"),
    [(1.0, 1.0), (0.76, 1.0), (0.75, 0.5), (0.5, 0.5), (0.25, 0.5), (0.24, 0.0), (0.0, 0.0)],
)
def test_slice_weight_boundaries(fraction: float, weight: float) -> None:
    """More than 75 % counts 1; 25 % to 75 % (both included) counts 0.5; below 25 % 0."""
    assert slice_weights([100.0, 100.0 * fraction])[1] == weight


def test_slice_weights_of_nothing() -> None:
    assert slice_weights([]).size == 0
    assert slice_weights([0.0, 0.0]).tolist() == [0.0, 0.0]


def test_ellipsoid_gets_kotharis_weighted_height() -> None:
    """A thin-sliced ellipsoid, hand-computed: slice k at dz = k - 20 mm from the centre has
    area 1 - (dz / 9.5)^2 of the largest: |dz| <= 4 is above 75 % (9 slices count 1),
    5 <= |dz| <= 8 lies in 25-75 % (8 slices count 0.5), |dz| = 9 is 10 % (0), so C = 13 mm
    where the ellipsoid is 19 mm tall. ABC/2 = 0.65-0.7 of the true volume by construction."""
    sp = (1.0, 0.5, 0.5)
    z, y, x = np.ogrid[:40, :120, :120]
    arr = ((z - 20) / 9.5) ** 2 + ((y - 60) * 0.5 / 20.0) ** 2 + ((x - 60) * 0.5 / 15.0) ** 2 <= 1
    m = Mask(arr, Geometry(arr.shape, sp))
    res = abc2(m)
    assert res is not None
    assert res.slice_index == 20
    assert res.a_mm == pytest.approx(40.5, abs=1.0)
    assert res.b_mm == pytest.approx(30.5, abs=1.0)
    assert res.slice_count == 13.0
    assert res.c_mm == pytest.approx(13.0)
    assert res.volume_ml == pytest.approx(res.a_mm * res.b_mm * 13.0 / 2 / 1000)
    assert 0.62 < res.volume_ml / m.volume_ml < 0.72


def test_only_the_main_lesion_counts() -> None:
    """Two separate blobs and scattered voxels on far slices: A, B and C describe the
    largest blob only, unless a point on the other one is given."""
    sp = (5.0, 0.5, 0.5)
    arr = np.zeros((30, 120, 120), bool)
    arr[10:14, 20:60, 20:50] = True  # main: 20 x 15 mm on 4 slices
    arr[12:14, 80:100, 80:100] = True  # second bleed, 40 mm away: 10 x 10 mm on 2 slices
    arr[0, 5, 5] = arr[2, 110, 7] = arr[27, 6, 112] = arr[29, 100, 100] = True  # specks
    m = Mask(arr, Geometry(arr.shape, sp))
    res = abc2(m)
    assert res is not None
    assert res.slice_count == 4.0 and res.c_mm == pytest.approx(20.0)
    assert res.a_mm == pytest.approx(np.hypot(19.5, 14.5) + 0.5, abs=0.1)
    assert res.lesion_ml == pytest.approx(40 * 30 * 4 * 5 * 0.25 / 1000)
    other = abc2(m, point=(12, 90, 90))
    assert other is not None
    assert other.slice_count == 2.0 and other.slice_index == 12
    assert other.lesion_ml == pytest.approx(20 * 20 * 2 * 5 * 0.25 / 1000)


def test_empty_mask_has_no_abc2() -> None:
    g = Geometry((2, 4, 4), (5.0, 1.0, 1.0))
    assert abc2(Mask(np.zeros(g.shape, bool), g)) is None
