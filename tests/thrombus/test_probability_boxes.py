"""Fine-stage boxes back on the CTA grid: only the box around the voxels above threshold."""

from __future__ import annotations

import numpy as np

from strokescope.thrombus.inference import (
    FineBox,
    Prediction,
    probability_near_threshold,
)
from strokescope.volume import Geometry

CTA = Geometry((40, 50, 60), (1.0, 1.0, 1.0), (0.0, 0.0, 0.0), ((1, 0, 0), (0, 1, 0), (0, 0, 1)))


def _box(start: tuple[int, int, int], hot: tuple[slice, ...], value: float) -> FineBox:
    prob = np.zeros((10, 10, 10), np.float32)
    prob[hot] = value
    return FineBox(CTA.crop(start, (10, 10, 10)), prob, 1)


def _prediction(*boxes: FineBox) -> Prediction:
    return Prediction(CTA, np.zeros(CTA.shape, np.float32), CTA, tuple(boxes))


def test_far_apart_boxes_give_one_array_around_their_hot_voxels() -> None:
    near = _box((0, 0, 0), (slice(2, 4), slice(2, 4), slice(2, 4)), 0.9)
    far = _box((25, 30, 45), (slice(5, 6), slice(5, 6), slice(5, 7)), 0.7)
    cool = _box((10, 10, 10), (slice(0, 10),) * 3, 0.3)
    offset, prob = probability_near_threshold(_prediction(near, cool, far), CTA, 0.5)
    assert offset.tolist() == [2, 2, 2]
    assert prob.shape == (30 - 2 + 1, 35 - 2 + 1, 51 - 2 + 1)
    hot = np.argwhere(prob >= 0.5) + offset
    assert len(hot) == 8 + 2
    assert {tuple(v) for v in hot[prob[tuple((hot - offset).T)] > 0.8]} == {
        (z, y, x) for z in (2, 3) for y in (2, 3) for x in (2, 3)
    }
    # a box with nothing above threshold cannot change what is: it is not resampled
    assert prob[(12 - 2, 12 - 2, 12 - 2)] == 0.0


def test_nothing_above_threshold_is_an_empty_array() -> None:
    offset, prob = probability_near_threshold(
        _prediction(_box((0, 0, 0), (slice(0, 10),) * 3, 0.2)), CTA, 0.5
    )
    assert prob.size == 0 and not (prob >= 0.5).any()


def test_a_box_off_the_cta_grid_is_skipped_and_one_half_on_is_clipped() -> None:
    off = _box((60, 0, 0), (slice(0, 10),) * 3, 0.9)
    half = _box((35, 45, 55), (slice(2, 8),) * 3, 0.9)
    offset, prob = probability_near_threshold(_prediction(off, half), CTA, 0.5)
    hot = np.argwhere(prob >= 0.5) + offset
    assert hot.min(0).tolist() == [37, 47, 57]
    assert hot.max(0).tolist() == [39, 49, 59]
