"""Distal targets from the anatomy's extremes, on a drawn left carotid tree.

The ICA climbs to its terminus; the M1 runs laterally and parts into an upper and a lower
M2; the A1 runs to the midline and the A2 climbs beside it. Nothing here sits where the
head-frame boxes expect it: the targets must come from the tree's own extremes.
"""

from __future__ import annotations

import numpy as np
from tests.vessels.drawn_grid import drawn_grid

from strokescope.thrombus.anatomy import Plane
from strokescope.vessels.extremes import extremal_paths
from strokescope.vessels.frame import head_frame
from strokescope.vessels.grid import WorkGrid
from strokescope.vessels.paths import arrival_times, common_prefix
from strokescope.volume import Geometry

DIRECTION = ((0.0, 0.0, 1.0), (0.0, 1.0, 0.0), (1.0, 0.0, 0.0))
SHAPE = (80, 50, 70)  # z, y, x at 1 mm
ORIGIN = (-5.0, -25.0, -30.0)  # LPS of voxel (0, 0, 0)
TERMINUS = (20.0, 0.0, 10.0)
M1_END = (38.0, 0.0, 12.0)
M2_UPPER_END = (52.0, 0.0, 34.0)
M2_LOWER_END = (58.0, 6.0, -2.0)
A1_END = (3.0, -10.0, 12.0)
A2_END = (3.0, -6.0, 44.0)
TUBES = (
    ((20.0, 0.0, -28.0), TERMINUS),
    (TERMINUS, M1_END),
    (M1_END, M2_UPPER_END),
    (M1_END, M2_LOWER_END),
    (TERMINUS, A1_END),
    (A1_END, A2_END),
)


def _grid() -> WorkGrid:
    geom = Geometry(SHAPE, (1.0, 1.0, 1.0), ORIGIN, DIRECTION)
    lps = geom.index_to_lps(np.indices(SHAPE).reshape(3, -1).T.astype(float))
    lumen = np.zeros(len(lps), bool)
    for a, b in TUBES:
        a_, b_ = np.asarray(a), np.asarray(b)
        t = np.clip(((lps - a_) @ (b_ - a_)) / ((b_ - a_) @ (b_ - a_)), 0.0, 1.0)
        lumen |= np.linalg.norm(lps - (a_ + t[:, None] * (b_ - a_)), axis=1) <= 1.6
    return drawn_grid(geom, lumen.reshape(SHAPE))


def test_targets_are_the_tree_extremes() -> None:
    grid = _grid()
    plane = Plane((0.0, 0.0, 0.0), (1.0, 0.0, 0.0))
    root = np.rint(grid.geometry.lps_to_index(np.array([[20.0, 0.0, -27.0]]))[0]).astype(int)
    times = arrival_times(grid.speed, root[None], stop=400.0)
    frame = head_frame(plane, np.array([0.0, -12.0, 12.0]))
    brain = np.ones(SHAPE, bool)
    paths = extremal_paths(grid, plane, frame, times, 1.0, brain)
    ends = {}
    for name, path in paths.items():
        assert path is not None, name
        assert np.all(path[0] == root), name  # every path runs from the root
        ends[name] = grid.geometry.index_to_lps(path[-1:].astype(float))[0]
    for name, want in (
        ("M2 superior", M2_UPPER_END),
        ("M2 inferior", M2_LOWER_END),
        ("A2", A2_END),
    ):
        assert np.linalg.norm(ends[name] - np.asarray(want)) <= 3.0, (name, ends[name])
    # the two M2 paths part at the M1's end, not at the terminus
    sup, inf = paths["M2 superior"], paths["M2 inferior"]
    assert sup is not None and inf is not None
    split = common_prefix(inf, sup) - 1  # the labelling's own reading of where they part
    split_lps = grid.geometry.index_to_lps(inf[split : split + 1].astype(float))[0]
    assert np.linalg.norm(split_lps - np.asarray(M1_END)) <= 4.0, split_lps


def test_right_side_reads_its_own_half() -> None:
    """The same tree, asked for the right side (sign -1): nothing lies right of the plane,
    so nothing is found."""
    grid = _grid()
    plane = Plane((0.0, 0.0, 0.0), (1.0, 0.0, 0.0))
    root = np.rint(grid.geometry.lps_to_index(np.array([[20.0, 0.0, -27.0]]))[0]).astype(int)
    times = arrival_times(grid.speed, root[None], stop=400.0)
    frame = head_frame(plane, np.array([0.0, -12.0, 12.0]))
    paths = extremal_paths(grid, plane, frame, times, -1.0, np.ones(SHAPE, bool))
    assert paths == {"M2 superior": None, "M2 inferior": None, "A2": None}
