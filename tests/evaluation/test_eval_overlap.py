from __future__ import annotations

import numpy as np
import pytest

from strokescope.errors import InputError
from strokescope.evaluation import dice, overlap_counts
from strokescope.volume import Geometry, Mask


def test_dice_hand_computed() -> None:
    a = np.zeros((1, 4, 4), bool)
    b = np.zeros((1, 4, 4), bool)
    a[0, :2, :2] = True  # 4 voxels
    b[0, 1:3, :2] = True  # 4 voxels, 2 shared
    assert dice(a, b) == pytest.approx(2 * 2 / 8)
    counts = overlap_counts(a, b)
    assert (counts.tp, counts.fp, counts.fn, counts.tn) == (2, 2, 2, 10)
    assert counts.sensitivity == pytest.approx(0.5)
    assert counts.specificity == pytest.approx(10 / 12)


def test_dice_accepts_masks_and_empty_pair() -> None:
    g = Geometry((2, 3, 3), (5.0, 0.5, 0.5))
    empty = Mask(np.zeros(g.shape, bool), g)
    assert dice(empty, empty) == 1.0
    full = Mask(np.ones(g.shape, bool), g)
    assert dice(full, empty) == 0.0
    assert np.isnan(overlap_counts(full, empty).sensitivity)


def test_within_restricts_counts() -> None:
    a = np.ones((1, 2, 2), bool)
    b = np.zeros((1, 2, 2), bool)
    within = np.zeros((1, 2, 2), bool)
    within[0, 0, 0] = True
    assert overlap_counts(a, b, within=within).fp == 1


def test_shape_mismatch_is_input_error() -> None:
    with pytest.raises(InputError, match="differ in shape"):
        dice(np.zeros((1, 2, 2), bool), np.zeros((1, 2, 3), bool))
