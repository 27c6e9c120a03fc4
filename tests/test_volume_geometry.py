"""Geometry built from sequences and compared as voxel grids."""

from __future__ import annotations

import numpy as np
import pytest

from strokescope.volume import AXIAL_LPS, GRID_TOL_MM, Geometry

GRID = Geometry((20, 64, 64), (5.0, 0.5, 0.5), (-16.0, -16.0, 10.0), AXIAL_LPS)


def test_from_sequences_takes_lists_and_arrays() -> None:
    g = Geometry.from_sequences(
        np.array([20, 64, 64]), [5, 0.5, 0.5], np.array([-16.0, -16.0, 10.0]), np.eye(3)[::-1]
    )
    assert g == GRID
    assert all(type(v) is float for v in g.spacing + g.origin)
    assert all(type(n) is int for n in g.shape)


def test_from_sequences_rejects_wrong_lengths() -> None:
    with pytest.raises(ValueError, match="3 values"):
        Geometry.from_sequences((20, 64), (1.0, 1.0, 1.0))
    with pytest.raises(ValueError, match="3x3"):
        Geometry.from_sequences((2, 2, 2), (1.0, 1.0, 1.0), direction=np.eye(2))


def test_same_grid_within_tolerance_at_every_voxel() -> None:
    assert GRID.same_grid(GRID)
    shifted = Geometry.from_sequences(GRID.shape, GRID.spacing, np.add(GRID.origin, 1e-4))
    assert shifted != GRID and GRID.same_grid(shifted)
    # 1e-4 mm more per slice is 1.9e-3 mm at the last of 20 slices: within 0.01 mm
    assert GRID.same_grid(Geometry.from_sequences(GRID.shape, (5.0001, 0.5, 0.5), GRID.origin))
    # ... but 1e-3 mm more per slice puts the last slice 0.019 mm away: another grid
    drift = Geometry.from_sequences(GRID.shape, (5.001, 0.5, 0.5), GRID.origin)
    assert not GRID.same_grid(drift) and GRID.same_grid(drift, tol=0.02)
    assert not GRID.same_grid(GRID.with_shape((20, 64, 63)))
    assert not GRID.same_grid(Geometry.from_sequences(GRID.shape, GRID.spacing, (0.0, 0.0, 0.0)))
    assert GRID_TOL_MM == 0.01


def test_crop_keeps_spacing_and_direction() -> None:
    c = GRID.crop((2, -1, 3), (4, 5, 6))
    assert c.shape == (4, 5, 6) and c.spacing == GRID.spacing and c.direction == GRID.direction
    assert np.allclose(c.index_to_lps((0, 0, 0)), GRID.index_to_lps((2, -1, 3)))
