"""The working grid over the head only, and distance maps read on their masks' boxes.

Every step of the tree costs in proportion to the working grid's voxels; the air round the
head holds no artery. The grid keeps the lattice of the whole field's grid and starts on a
multiple of ``ALIGN`` voxels of it, so a point's voxel is the same in both and the blocks
averaged later (brain mask, midsagittal plane) fall alike. The distance maps are read on
the boxes of their masks and must equal the maps of the whole grid to the last bit.
"""

from __future__ import annotations

import numpy as np

from strokescope.preprocess.morphology import _maurer_inside, inside_distance
from strokescope.vessels.grid import ALIGN, HEAD_PAD_MM, _beyond, work_geometry
from strokescope.volume import Geometry, Volume


def test_the_grid_covers_the_head_and_its_margin_on_the_whole_fields_lattice() -> None:
    shape, spacing = (40, 120, 100), (0.8, 0.5, 0.5)
    cta = np.full(shape, -1000.0, np.float32)
    head = (slice(0, 40), slice(30, 91), slice(20, 61))  # y 15-45 mm, x 10-30 mm
    cta[head] = 40.0
    g = Geometry(shape, spacing, (10.0, -20.0, 5.0))
    work = work_geometry(Volume(cta, g), 1.0)
    corner_mm = g.lps_to_index(work.index_to_lps(np.zeros(3))) * np.array(spacing)
    assert np.allclose(corner_mm % ALIGN, 0.0, atol=1e-9)  # on the whole grid's lattice
    lo = g.index_to_lps(np.array([0.0, 30.0, 20.0]))
    hi = g.index_to_lps(np.array([39.0, 90.0, 60.0]))
    first, last = work.index_to_lps(np.zeros(3)), work.index_to_lps(np.array(work.shape) - 1.0)
    # the head and at least HEAD_PAD_MM round it in-plane; the air beyond it not
    assert np.all(first[:2] <= lo[:2] - HEAD_PAD_MM + 1e-9)
    assert np.all(last[:2] >= hi[:2] + HEAD_PAD_MM - 1e-9)
    assert np.all(first[:2] > lo[:2] - HEAD_PAD_MM - ALIGN - 1e-9)
    assert np.all(last[:2] < hi[:2] + HEAD_PAD_MM + 1.0 + 1e-9)
    assert work.shape[1] * work.shape[2] < 0.65 * 60 * 50  # not the 60 x 50 mm field
    empty = work_geometry(Volume(np.full(shape, -1000.0, np.float32), g), 1.0)
    assert empty.shape == (32, 60, 50) and np.allclose(empty.origin, g.origin)


def test_distance_maps_on_boxes_equal_the_whole_grids() -> None:
    rng = np.random.default_rng(3)
    for _ in range(4):
        mask = np.zeros((40, 50, 45), bool)
        for _ in range(6):
            c = rng.integers(3, 37, 3) * np.array([1, 1.2, 1.1])
            r = rng.uniform(1.5, 6.0)
            z, y, x = np.indices(mask.shape)
            mask |= (z - c[0]) ** 2 + (y - c[1]) ** 2 + (x - c[2]) ** 2 <= r * r
        mask[rng.random(mask.shape) < 0.01] ^= True  # speckle, some on the grid's faces
        np.testing.assert_array_equal(inside_distance(mask, 0.7), _maurer_inside(mask, 0.7))
        core = inside_distance(mask, 0.7) > 2.0
        if core.any():
            whole = _maurer_inside(~core, 0.7) > 3.0
            np.testing.assert_array_equal(_beyond(core, 3.0, 0.7), whole)
