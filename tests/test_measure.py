"""Ruler distances and ellipse ROI statistics against hand-computed cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from strokescope.measure import Ellipse, distance_mm, ellipse_mask, ellipse_stats
from strokescope.volume import Geometry


def test_distance_uses_spacing_per_axis() -> None:
    g = Geometry(shape=(40, 100, 100), spacing=(2.5, 0.5, 0.8))
    assert distance_mm(g, (3, 10, 10), (3, 10, 40)) == pytest.approx(30 * 0.8)
    assert distance_mm(g, (3, 10, 10), (3, 40, 10)) == pytest.approx(30 * 0.5)
    # 3-4-5 triangle in mm: 6 rows of 0.5 mm and 5 columns of 0.8 mm
    assert distance_mm(g, (0, 0, 0), (0, 6, 5)) == pytest.approx(5.0)
    assert distance_mm(g, (0, 0, 0), (4, 0, 0)) == pytest.approx(10.0)


def test_distance_follows_an_oblique_direction() -> None:
    c, s = math.cos(math.radians(30)), math.sin(math.radians(30))
    tilted = ((0.0, -s, c), (0.0, c, s), (1.0, 0.0, 0.0))
    g = Geometry(shape=(10, 10, 10), spacing=(3.0, 1.0, 1.0), direction=tilted)
    a, b = (0.0, 0.0, 0.0), (2.0, 1.0, 0.0)
    expected = np.linalg.norm(g.index_to_lps(b) - g.index_to_lps(a))
    assert distance_mm(g, a, b) == pytest.approx(expected)
    assert distance_mm(g, a, b) == pytest.approx(math.hypot(6.0, 1.0))


def test_uniform_region_reads_its_value_and_the_drawn_area() -> None:
    plane = np.full((60, 80), 40, np.int16)
    ellipse = Ellipse(center=(30.0, 20.0), semi_axes=(10.0, 6.0))
    stats = ellipse_stats(plane, (0.5, 0.5), ellipse)
    assert stats.mean_hu == 40 and stats.sd_hu == 0
    assert stats.area_mm2 == pytest.approx(math.pi * 60)
    # the pixel count approximates the area: 0.25 mm² per pixel
    assert stats.pixels * 0.25 == pytest.approx(math.pi * 60, rel=0.03)
    assert stats.text() == "mean 40 HU\nSD 0.0\n188 mm²"


def test_mask_is_the_pixel_centres_inside() -> None:
    # radius 1.01 around pixel centre (2.5, 2.5) on a 1 mm grid: the centre and its 4 neighbours
    mask = ellipse_mask((5, 5), (1.0, 1.0), Ellipse((2.5, 2.5), (1.01, 1.01)))
    expected = np.zeros((5, 5), bool)
    expected[2, 1:4] = expected[1:4, 2] = True
    assert np.array_equal(mask, expected)


def test_anisotropic_pixels_and_rotation() -> None:
    # rows 2 mm, columns 1 mm: an ellipse 9.2 mm long in x covers 9 columns of one row
    plane = np.arange(10 * 20, dtype=float).reshape(10, 20)
    flat = Ellipse(center=(10.5, 9.0), semi_axes=(4.6, 0.9))
    mask = ellipse_mask(plane.shape, (2.0, 1.0), flat)
    assert np.argwhere(mask).tolist() == [[4, c] for c in range(6, 15)]
    stats = ellipse_stats(plane, (2.0, 1.0), flat)
    assert stats.mean_hu == pytest.approx(plane[4, 6:15].mean())
    assert stats.sd_hu == pytest.approx(plane[4, 6:15].std(ddof=1))
    # turned by 90 degrees the same ellipse stands along y: 5 rows of 2 mm, one column
    upright = Ellipse(center=(10.5, 10.0), semi_axes=(4.6, 0.4), angle_deg=90.0)
    assert np.argwhere(ellipse_mask(plane.shape, (2.0, 1.0), upright)).tolist() == [
        [r, 10] for r in range(3, 7)
    ]


def test_noise_statistics_match_numpy_on_the_mask() -> None:
    rng = np.random.default_rng(3)
    plane = rng.normal(30.0, 5.0, size=(128, 128))
    ellipse = Ellipse(center=(64.0, 64.0), semi_axes=(30.0, 20.0), angle_deg=25.0)
    stats = ellipse_stats(plane, (1.0, 1.0), ellipse)
    inside = plane[ellipse_mask(plane.shape, (1.0, 1.0), ellipse)]
    assert stats.pixels == inside.size > 1500
    assert stats.mean_hu == pytest.approx(inside.mean())
    assert stats.sd_hu == pytest.approx(inside.std(ddof=1))
    assert stats.sd_hu == pytest.approx(5.0, rel=0.1)


def test_empty_ellipse_and_bad_axes() -> None:
    tiny = Ellipse(center=(0.1, 0.1), semi_axes=(0.05, 0.05))
    stats = ellipse_stats(np.zeros((4, 4)), (1.0, 1.0), tiny)
    assert stats.pixels == 0 and math.isnan(stats.mean_hu)
    assert stats.text().startswith("no pixel inside")
    with pytest.raises(ValueError, match="semi-axes"):
        Ellipse(center=(0, 0), semi_axes=(0.0, 1.0))
