"""The candidate boxes and sliding-window tiles the app and training's validation share."""

from __future__ import annotations

import numpy as np
import pytest

from strokescope.thrombus.inference import MAX_CANDIDATES, candidates
from strokescope.thrombus.tiles import tile_starts


@pytest.mark.parametrize(("lo", "hi"), [((10, 10, 10), (20, 73, 200)), ((0, 5, 3), (63, 69, 67))])
def test_tiles_cover_the_candidate_box(lo: tuple[int, ...], hi: tuple[int, ...]) -> None:
    size = (64, 64, 64)
    covered = np.zeros((300, 300, 300), bool)
    off = 50  # tiles may start before 0
    for start in tile_starts(np.asarray(lo), np.asarray(hi), size):
        s = [v + off for v in start]
        covered[s[0] : s[0] + 64, s[1] : s[1] + 64, s[2] : s[2] + 64] = True
    box = covered[
        lo[0] + off : hi[0] + off + 1, lo[1] + off : hi[1] + off + 1, lo[2] + off : hi[2] + off + 1
    ]
    assert box.all()


def test_one_tile_centred_on_a_short_axis_and_the_ends_of_a_long_one() -> None:
    # z: 4 voxels in an 8-voxel tile; y: one voxel; x: 12 voxels need two tiles, 4 apart
    assert tile_starts((10, 20, 30), (13, 20, 41), (8, 8, 8)) == [(8, 17, 30), (8, 17, 34)]


def test_candidates_highest_peak_first_and_limited() -> None:
    prob = np.zeros((12, 12, 12), np.float32)
    prob[1:3, 1:3, 1:3] = 0.6
    prob[8:11, 8:10, 5:7] = 0.9
    prob[1, 10, 10] = 0.7  # a lone voxel: its diagonal neighbour is below the threshold
    prob[2, 9, 9] = 0.4
    boxes = candidates(prob, 0.5)
    assert [b.tolist() for b in boxes] == [
        [[8, 8, 5], [10, 9, 6]],
        [[1, 10, 10], [1, 10, 10]],
        [[1, 1, 1], [2, 2, 2]],
    ]
    assert len(candidates(prob, 0.5, limit=1)) == 1
    assert MAX_CANDIDATES == 8
