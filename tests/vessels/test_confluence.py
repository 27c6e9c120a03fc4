"""The basilar begins where the vertebral arteries join, not at a vertebral root.

The paths from the vertebral roots to the posterior cerebral arteries share a stretch from
the basilar tip down to the root they reach first, so down one vertebral artery: labelled
whole as the basilar, a fifth to a third of the traced "basilar" lay on a vertebral artery
(family-A calibration: 135 traced points per head against the truth's 90).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from tests.vessels.drawn_grid import drawn_grid

from strokescope.thrombus.anatomy import Plane
from strokescope.vessels.confluence import basilar_part
from strokescope.vessels.grid import WorkGrid
from strokescope.vessels.paths import arrival_times, descend
from strokescope.volume import Geometry

DIRECTION = ((0.0, 0.0, 1.0), (0.0, 1.0, 0.0), (1.0, 0.0, 0.0))
SHAPE = (50, 60, 60)  # z, y, x at 1 mm
JOIN_MM = 25.0  # the vertebrals meet on the midline this far above the bottom slice
STOP = 3000.0
PLANE = Plane((0.0, 0.0, 0.0), (1.0, 0.0, 0.0))


def _grid_and_path() -> tuple[WorkGrid, tuple[npt.NDArray[np.int64], ...], npt.NDArray[np.int64]]:
    geom = Geometry(SHAPE, (1.0, 1.0, 1.0), (-30.0, -30.0, 0.0), DIRECTION)
    lps = geom.index_to_lps(np.indices(SHAPE).reshape(3, -1).T.astype(float))
    x, y, z = lps[:, 0], lps[:, 1], lps[:, 2]
    lumen = np.zeros(len(lps), bool)
    for sign in (1.0, -1.0):  # vertebrals 8 mm either side converge, then the basilar
        cx = sign * 8.0 * np.clip(1.0 - z / JOIN_MM, 0.0, 1.0)
        lumen |= (x - cx) ** 2 + y**2 <= 1.8**2
    grid = drawn_grid(geom, lumen.reshape(SHAPE))
    seeds = tuple(
        np.rint(geom.lps_to_index(np.array([[s * 8.0, 0.0, 0.0]]))[0]).astype(np.int64)
        for s in (1.0, -1.0)
    )
    tip = np.rint(geom.lps_to_index(np.array([[0.0, 0.0, 48.0]]))[0]).astype(np.int64)
    shared = descend(arrival_times(grid.speed, seeds[0][None], stop=STOP), tip)  # down the left one
    return grid, seeds, shared


def test_the_basilar_starts_at_the_confluence() -> None:
    grid, seeds, shared = _grid_and_path()
    basilar = basilar_part(grid, PLANE, shared, seeds, stop=STOP)
    pts = grid.geometry.index_to_lps(basilar.astype(float))
    assert abs(pts[0, 2] - JOIN_MM) <= 3.0, pts[0]
    assert np.array_equal(basilar[-1], shared[-1])  # the tip stays
    assert np.abs(pts[:, 0]).max() <= 1.5  # all of it on the midline


def test_roots_on_one_side_keep_the_shared_stretch() -> None:
    grid, seeds, shared = _grid_and_path()
    assert np.array_equal(basilar_part(grid, PLANE, shared, seeds[:1], stop=STOP), shared)
