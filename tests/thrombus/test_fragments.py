"""Fragments of one thrombus: grouping by surface distance and the bridged centerline."""

from __future__ import annotations

import numpy as np
import pytest

from strokescope.thrombus.centerline import centerline
from strokescope.thrombus.fragments import _nearest_pair, group, surface
from strokescope.volume import Geometry

GRID = Geometry((120, 40, 40), (0.5, 0.4, 0.4))


def tube(z0: int, z1: int, radius_mm: float = 1.5) -> np.ndarray:
    """Index array of a tube along z from slice z0 to z1 (inclusive) on GRID."""
    zz, yy, xx = np.mgrid[z0 : z1 + 1, 0:40, 0:40]
    inside = ((yy - 20) * 0.4) ** 2 + ((xx - 20) * 0.4) ** 2 <= radius_mm**2
    return np.stack([zz[inside], yy[inside], xx[inside]], axis=1).astype(np.int64)


def test_surface_of_a_cube_is_its_shell() -> None:
    cube = np.argwhere(np.ones((5, 5, 5), bool)).astype(np.int64) + 7
    shell = surface(cube)
    assert len(shell) == 125 - 27
    assert not any((p == 9).all() for p in shell)  # the centre voxel is inside


def test_nearest_pair_matches_brute_force() -> None:
    rng = np.random.default_rng(3)
    a, b = rng.normal(0, 5, (1500, 3)), rng.normal(12, 5, (900, 3))
    d, i, j = _nearest_pair(a, b)
    full = np.sqrt(((a[:, None] - b[None]) ** 2).sum(-1))
    assert d == pytest.approx(full.min())
    assert full[i, j] == pytest.approx(full.min())


def test_two_pieces_of_one_tube_are_one_thrombus_measured_across_the_gap() -> None:
    # slices 10-49 and 56-99: a 3 mm gap (slices 50-55 missing) in a 45 mm tube
    a, b = tube(10, 49), tube(56, 99)
    groups = group([a, b], GRID, gap_mm=3.5)
    assert [g[0] for g in groups] == [[0, 1]]
    bridge = groups[0][1]
    assert len(bridge) and set(np.unique(bridge[:, 0])) >= set(range(50, 56))
    path = np.unique(np.concatenate([a, b, bridge]), axis=0)
    length = centerline(path, GRID).length_mm
    assert length == pytest.approx(90 * 0.5, abs=1.5)  # slices 10-99 end to end
    assert centerline(b, GRID).length_mm < 23.0  # the longest piece alone


def test_gap_wider_than_the_rule_or_zero_keeps_pieces_apart() -> None:
    a, b = tube(10, 49), tube(56, 99)
    for gap in (2.5, 0.0):
        groups = group([a, b], GRID, gap_mm=gap)
        assert [g[0] for g in groups] == [[0], [1]]
        assert all(len(g[1]) == 0 for g in groups)


def test_chain_links_by_single_linkage_and_leaves_a_far_piece() -> None:
    a, b, c = tube(0, 20), tube(25, 45), tube(90, 119)  # gaps 2 mm, then 22 mm
    groups = group([c, a, b], GRID, gap_mm=3.0)
    assert [g[0] for g in groups] == [[0], [1, 2]]
