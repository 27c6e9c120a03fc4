"""Minimal paths on a drawn lumen: following a branch on past a target to its end."""

from __future__ import annotations

import numpy as np

from strokescope.vessels.paths import arrival_times, descend, downstream

SHAPE = (9, 40, 60)


def _y_lumen() -> np.ndarray:
    """A trunk along x (y 20) from x 2, a side branch leaving it at x 15 towards +y (to
    y 39), and the trunk going on past a target at x 30, bending at x 45 to y 14 and ending
    at x 50: the side branch's end lies farther from the target (34 voxels) than the
    trunk's (26), so only the "route through the target" test keeps the march on the
    trunk."""
    lumen = np.zeros(SHAPE, dtype=bool)
    lumen[4, 20, 2:46] = True
    lumen[4, 20:40, 15] = True
    lumen[4, 14:21, 45] = True
    lumen[4, 14, 45:51] = True
    return lumen


def test_downstream_follows_the_targets_branch_to_its_end_not_a_sibling() -> None:
    lumen = _y_lumen()
    speed = np.where(lumen, 4.0, 0.01).astype(np.float32)
    root = np.array([[4, 20, 2]])
    times = arrival_times(speed, root, stop=400.0)
    target = np.array([4, 20, 30])
    on = downstream(speed, times, target, stop=60.0, lumen=lumen)
    assert tuple(on[0]) == (4, 20, 30)
    assert tuple(on[-1]) == (4, 14, 50)
    assert lumen[tuple(on.T)].all()
    assert not np.any((on[:, 2] == 15) & (on[:, 1] > 21))  # never into the side branch
    full = np.concatenate([descend(times, target), on[1:]])
    assert tuple(full[0]) == (4, 20, 2) and tuple(full[-1]) == (4, 14, 50)


def test_a_target_at_a_branch_end_goes_nowhere() -> None:
    lumen = _y_lumen()
    speed = np.where(lumen, 4.0, 0.01).astype(np.float32)
    times = arrival_times(speed, np.array([[4, 20, 2]]), stop=400.0)
    end = np.array([4, 39, 15])
    on = downstream(speed, times, end, stop=60.0, lumen=lumen)
    assert len(on) == 1 and tuple(on[0]) == (4, 39, 15)


def test_march_in_a_growing_box_equals_the_whole_grids() -> None:
    """A march that starts in a small box and outruns it (the trunk is 44 voxels long, the
    first box 3) reaches what the whole grid's march reaches, at the same times; so does
    one that a box holds from the start."""
    lumen = _y_lumen()
    speed = np.where(lumen, 4.0, 0.01).astype(np.float32)
    for seed, stop in (((4, 20, 2), 400.0), ((4, 20, 30), 0.5)):
        whole = arrival_times(speed, np.array([seed]), stop=stop)
        boxed = arrival_times(speed, np.array([seed]), stop=stop, box=3)
        assert np.array_equal(whole < 1e29, boxed < 1e29)
        np.testing.assert_allclose(boxed[whole < 1e29], whole[whole < 1e29], atol=1e-4)
    assert (arrival_times(speed, np.array([[4, 20, 2]]), stop=400.0, box=3) < 1e29)[4, 14, 50]


def test_descend_from_the_grids_edge() -> None:
    """A path whose start lies on the grid's faces (fewer than 26 neighbours) still runs
    down to the seed."""
    speed = np.ones((5, 6, 7), np.float32)
    times = arrival_times(speed, np.array([[2, 3, 3]]), stop=100.0)
    path = descend(times, (0, 0, 6))
    assert tuple(path[0]) == (2, 3, 3) and tuple(path[-1]) == (0, 0, 6)
    assert np.all(np.abs(np.diff(path, axis=0)) <= 1)
