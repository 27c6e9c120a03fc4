"""Carotid roots beside the jugular bulb: a partial-volume bridge must not merge them."""

from __future__ import annotations

import numpy as np
from tests.vessels.drawn_grid import drawn_grid

from strokescope.thrombus.anatomy import Plane
from strokescope.vessels.frame import find_roots
from strokescope.vessels.grid import WorkGrid
from strokescope.volume import Geometry

DIRECTION = ((0.0, 0.0, 1.0), (0.0, 1.0, 0.0), (1.0, 0.0, 0.0))
SHAPE = (30, 80, 100)  # z, y, x at 1 mm
ICA_XY = (20.0, 0.0)
SINUS_XY = (26.0, 7.0)
VERTEBRAL_XY = (8.0, 22.0)


def _grid() -> WorkGrid:
    geom = Geometry(SHAPE, (1.0, 1.0, 1.0), (-50.0, -40.0, -60.0), DIRECTION)
    idx = np.indices(SHAPE).reshape(3, -1).T.astype(float)
    lps = geom.index_to_lps(idx)
    x, y = lps[:, 0], lps[:, 1]
    lumen = np.zeros(len(lps), bool)
    for sign in (1.0, -1.0):
        for (cx, cy), r in ((ICA_XY, 2.3), (SINUS_XY, 4.0), (VERTEBRAL_XY, 1.6)):
            lumen |= (x - sign * cx) ** 2 + (y - cy) ** 2 <= r**2
        # a one-voxel partial-volume bridge from the carotid to the sinus
        t = np.linspace(0.0, 1.0, 40)[:, None]
        a, b = np.array([sign * ICA_XY[0], ICA_XY[1]]), np.array([sign * SINUS_XY[0], SINUS_XY[1]])
        for px, py in a + t * (b - a):
            lumen |= (np.abs(x - px) <= 0.5) & (np.abs(y - py) <= 0.5)
    return drawn_grid(geom, lumen.reshape(SHAPE))


def test_carotid_touching_the_sinus_is_its_own_root() -> None:
    grid = _grid()
    roots = find_roots(grid, Plane((0.0, 0.0, 0.0), (1.0, 0.0, 0.0)))
    assert set(roots.ica) == {"left", "right"}
    for side, sign in (("left", 1.0), ("right", -1.0)):
        seed = grid.geometry.index_to_lps(roots.ica[side][None].astype(float)).reshape(3)
        assert np.hypot(seed[0] - sign * ICA_XY[0], seed[1] - ICA_XY[1]) <= 1.5, (side, seed)
    vertebral = grid.geometry.index_to_lps(np.array(roots.vertebral, dtype=float))
    assert len(vertebral) == 2
    assert np.allclose(np.sort(np.abs(vertebral[:, 0])), VERTEBRAL_XY[0], atol=1.5)


def test_carotids_found_as_a_pair_when_the_plane_is_far_off() -> None:
    """A plane 22 mm off the midline leaves both carotids on one side of it (10-40 mm
    from it on the left, 2 mm on the right): they are found as a pair, sided by position."""
    grid = _grid()
    roots = find_roots(grid, Plane((-22.0, 0.0, 0.0), (1.0, 0.0, 0.0)))
    assert set(roots.ica) == {"left", "right"}
    for side, sign in (("left", 1.0), ("right", -1.0)):
        seed = grid.geometry.index_to_lps(roots.ica[side][None].astype(float)).reshape(3)
        assert np.hypot(seed[0] - sign * ICA_XY[0], seed[1] - ICA_XY[1]) <= 1.5, (side, seed)


def test_a_carotid_thin_at_the_skull_base_is_followed_down_to_the_bottom() -> None:
    """Below z = 12 mm the carotids are thin (no core) and run obliquely back, as through a
    canal; their thick cores start above. The root is followed down the lumen to the
    bottom of the field of view, not left 12 mm up the artery."""
    geom = Geometry(SHAPE, (1.0, 1.0, 1.0), (-50.0, -40.0, -60.0), DIRECTION)
    idx = np.indices(SHAPE).reshape(3, -1).T.astype(float)
    lps = geom.index_to_lps(idx)
    x, y, z = lps[:, 0], lps[:, 1], lps[:, 2] + 60.0  # z: mm above the bottom slice
    lumen = np.zeros(len(lps), bool)
    for sign in (1.0, -1.0):
        thin = z < 12.0
        cy = np.where(thin, ICA_XY[1] + (12.0 - z) * 0.6, ICA_XY[1])
        r = np.where(thin, 0.8, 2.3)
        lumen |= (x - sign * ICA_XY[0]) ** 2 + (y - cy) ** 2 <= r**2
        lumen |= (x - sign * VERTEBRAL_XY[0]) ** 2 + (y - VERTEBRAL_XY[1]) ** 2 <= 1.6**2
    grid = drawn_grid(geom, lumen.reshape(SHAPE))
    roots = find_roots(grid, Plane((0.0, 0.0, 0.0), (1.0, 0.0, 0.0)))
    assert set(roots.ica) == {"left", "right"}
    for side, sign in (("left", 1.0), ("right", -1.0)):
        seed = grid.geometry.index_to_lps(roots.ica[side][None].astype(float)).reshape(3)
        assert seed[2] + 60.0 <= 2.0, (side, seed)  # the lowest slices
        assert abs(seed[0] - sign * ICA_XY[0]) <= 1.5 and abs(seed[1] - 7.2) <= 1.5, seed


def test_carotids_whose_cores_lie_in_different_slabs_are_still_a_pair() -> None:
    """The right carotid thick only in the lowest 15 mm, the left only from 25 mm up (thin
    below): no slab holds both cores. The plane lies 12 mm to the left, so the left carotid
    is 8 mm from it and the side search misses it. The two are paired across slabs and each
    root is followed down to the bottom of the field of view, the left one beside a plane
    moved to the pair's midpoint."""
    shape = (50, 80, 100)
    geom = Geometry(shape, (1.0, 1.0, 1.0), (-50.0, -40.0, -60.0), DIRECTION)
    idx = np.indices(shape).reshape(3, -1).T.astype(float)
    lps = geom.index_to_lps(idx)
    x, y, z = lps[:, 0], lps[:, 1], lps[:, 2] + 60.0  # z: mm above the bottom slice
    lumen = np.zeros(len(lps), bool)
    for sign, thick in ((1.0, z >= 25.0), (-1.0, z < 15.0)):
        r = np.where(thick, 2.3, 0.8)
        lumen |= (x - sign * ICA_XY[0]) ** 2 + (y - ICA_XY[1]) ** 2 <= r**2
    grid = drawn_grid(geom, lumen.reshape(shape))
    roots = find_roots(grid, Plane((12.0, 0.0, 0.0), (1.0, 0.0, 0.0)))
    assert set(roots.ica) == {"left", "right"}
    for side, sign in (("left", 1.0), ("right", -1.0)):
        seed = grid.geometry.index_to_lps(roots.ica[side][None].astype(float)).reshape(3)
        assert np.hypot(seed[0] - sign * ICA_XY[0], seed[1] - ICA_XY[1]) <= 1.5, (side, seed)
        assert seed[2] + 60.0 <= 2.0, (side, seed)


def test_a_missing_carotid_is_named_in_the_warning() -> None:
    """Only the right carotid is opacified (a left ICA occlusion below the field of view):
    no tree, and the warning says which side had no carotid and what that may mean."""
    from strokescope.vessels.trace import trace

    geom = Geometry(SHAPE, (1.0, 1.0, 1.0), (-50.0, -40.0, -60.0), DIRECTION)
    lps = geom.index_to_lps(np.indices(SHAPE).reshape(3, -1).T.astype(float))
    lumen = (lps[:, 0] + ICA_XY[0]) ** 2 + (lps[:, 1] - ICA_XY[1]) ** 2 <= 2.3**2
    grid = drawn_grid(geom, lumen.reshape(SHAPE))
    plane = Plane((0.0, 0.0, 0.0), (1.0, 0.0, 0.0))
    roots = find_roots(grid, plane)
    assert set(roots.ica) == {"right"}
    traced = trace(grid, plane, roots, np.ones(SHAPE, bool))
    assert traced.paths == ()
    (warning,) = traced.warnings
    assert "no opacified carotid found on the left" in warning
    assert "occluded, or outside the field of view" in warning


def test_a_vertebral_is_not_taken_for_an_occluded_carotid() -> None:
    """The left carotid holds no contrast (occluded in the neck); the vertebrals run up
    behind and join into the basilar on the midline. Neither a vertebral nor the basilar
    is paired with the right carotid as the left one: the left root stays missing."""
    shape = (50, 80, 100)
    geom = Geometry(shape, (1.0, 1.0, 1.0), (-50.0, -40.0, -60.0), DIRECTION)
    lps = geom.index_to_lps(np.indices(shape).reshape(3, -1).T.astype(float))
    x, y, z = lps[:, 0], lps[:, 1], lps[:, 2] + 60.0  # z: mm above the bottom slice
    lumen = (x + ICA_XY[0]) ** 2 + (y - ICA_XY[1] + 0.2 * z) ** 2 <= 2.3**2
    for sign in (1.0, -1.0):  # the vertebrals converge to the midline by z = 25 mm
        cx = sign * VERTEBRAL_XY[0] * np.clip(1.0 - z / 25.0, 0.0, 1.0)
        lumen |= (x - cx) ** 2 + (y - VERTEBRAL_XY[1] + 0.2 * z) ** 2 <= 1.8**2
    grid = drawn_grid(geom, lumen.reshape(shape))
    roots = find_roots(grid, Plane((0.0, 0.0, 0.0), (1.0, 0.0, 0.0)))
    assert set(roots.ica) == {"right"}
    seed = grid.geometry.index_to_lps(roots.ica["right"][None].astype(float)).reshape(3)
    assert abs(seed[0] + ICA_XY[0]) <= 1.5, seed
    assert len(roots.vertebral) == 2


def test_vertebral_roots_lie_behind_the_carotids_not_far_behind() -> None:
    """Vertebrals only 6 mm behind the carotids (as in several family-A heads) are roots;
    thin vessels 50 mm behind them, near the dural sinuses, are not: taken as roots they
    gave paths to the posterior cerebral arteries that never met at a basilar."""
    shape = (30, 100, 100)
    geom = Geometry(shape, (1.0, 1.0, 1.0), (-50.0, -40.0, -60.0), DIRECTION)
    lps = geom.index_to_lps(np.indices(shape).reshape(3, -1).T.astype(float))
    x, y = lps[:, 0], lps[:, 1]
    lumen = np.zeros(len(lps), bool)
    for sign in (1.0, -1.0):
        for (cx, cy), r in (((20.0, 0.0), 2.3), ((8.0, 6.0), 1.6), ((14.0, 50.0), 1.6)):
            lumen |= (x - sign * cx) ** 2 + (y - cy) ** 2 <= r**2
    grid = drawn_grid(geom, lumen.reshape(shape))
    roots = find_roots(grid, Plane((0.0, 0.0, 0.0), (1.0, 0.0, 0.0)))
    assert set(roots.ica) == {"left", "right"}
    vertebral = grid.geometry.index_to_lps(np.array(roots.vertebral, dtype=float))
    assert len(vertebral) == 2, vertebral
    assert np.allclose(np.sort(np.abs(vertebral[:, 0])), 8.0, atol=1.5)
    assert np.allclose(vertebral[:, 1], 6.0, atol=1.5)
