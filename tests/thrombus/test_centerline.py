"""Centerline length and diameter on tubes of known size (straight, curved, anisotropic)."""

from __future__ import annotations

import numpy as np
import pytest

from strokescope.thrombus.centerline import centerline, max_diameter
from strokescope.volume import Geometry, Mask


def tube(
    length: float, radius: float, spacing: tuple[float, float, float], *, curved: bool
) -> Mask:
    shape = tuple(int(60 / s) for s in spacing)
    geom = Geometry(shape, spacing)  # type: ignore[arg-type]
    k, j, i = np.indices(shape).astype(float)
    z, y, x = (k * spacing[0] - 30, j * spacing[1] - 30, i * spacing[2] - 30)
    if curved:  # arc of radius 15 mm in the z-x plane
        rho, angle = np.hypot(z, x), np.arctan2(z, x)
        inside = (np.hypot(rho - 15.0, y) <= radius) & (np.abs(angle) <= length / 30.0)
    else:
        inside = (np.hypot(y, x) <= radius) & (np.abs(z) <= length / 2)
    return Mask(inside, geom)


@pytest.mark.parametrize("spacing", [(0.5, 0.5, 0.5), (1.0, 0.4, 0.4), (0.6, 0.6, 0.6)])
@pytest.mark.parametrize(
    ("length", "radius", "curved"), [(20, 1.5, False), (6, 1.2, False), (30, 2.0, True)]
)
def test_length_within_two_mm(spacing, length, radius, curved) -> None:  # type: ignore[no-untyped-def]
    mask = tube(length, radius, spacing, curved=curved)
    line = centerline(np.argwhere(mask.array), mask.geometry)
    assert abs(line.length_mm - length) <= 2.0, line.length_mm
    assert np.allclose(np.linalg.norm(line.tangents, axis=1), 1.0)


def test_length_follows_the_curve_not_the_chord() -> None:
    mask = tube(40, 1.5, (0.5, 0.5, 0.5), curved=True)
    line = centerline(np.argwhere(mask.array), mask.geometry)
    chord = 2 * 15.0 * np.sin(40 / 30.0)
    assert line.length_mm > chord + 3.0
    assert abs(line.length_mm - 40) <= 2.0


@pytest.mark.parametrize("radius", [1.0, 1.5, 2.0])
def test_max_diameter(radius: float) -> None:
    mask = tube(20, radius, (0.5, 0.5, 0.5), curved=False)
    assert abs(max_diameter(mask) - 2 * radius) <= 0.5


def test_single_voxel() -> None:
    geom = Geometry((3, 3, 3), (0.5, 0.5, 0.5))
    line = centerline(np.array([[1, 1, 1]]), geom)
    assert line.length_mm == pytest.approx(0.5)
