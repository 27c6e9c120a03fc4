"""Patch cropping, batches for both stages and coarse false-positive candidates."""

from __future__ import annotations

import numpy as np
import pytest
from thrombus_cases import make_case
from training.config import tiny_stages
from training.prepare import PreparedCase, prepare_case
from training.sampling import (
    coarse_batch,
    crop,
    false_positive_candidates,
    fine_batch,
    paste_max,
)


@pytest.fixture(scope="module")
def prepared() -> list[PreparedCase]:
    coarse, fine = tiny_stages()
    return [
        prepare_case(make_case(f"S_{i}", seed=i, thrombus=i < 2), coarse, fine) for i in range(3)
    ]


def test_crop_pads_outside_and_paste_max_writes_back_the_overlap() -> None:
    arr = np.arange(2 * 4 * 5 * 6, dtype=np.float32).reshape(2, 4, 5, 6)
    patch = crop(arr, (-1, 2, 3), (3, 4, 4), pad=-7.0)
    assert patch.shape == (2, 3, 4, 4)
    assert np.all(patch[:, 0] == -7.0)  # slice -1 lies outside
    assert np.all(patch[:, :, 3:] == -7.0)  # rows 5.. lie outside
    np.testing.assert_array_equal(patch[:, 1:, :3, :3], arr[:, 0:2, 2:5, 3:6])
    out = np.zeros((4, 5, 6), np.float32)
    paste_max(out, (-1, 2, 3), np.ones((3, 4, 4), np.float32))
    assert out.sum() == 2 * 3 * 3 and out[0:2, 2:5, 3:6].all()
    assert crop(arr, (10, 10, 10), (2, 2, 2), pad=0.0).sum() == 0


def test_coarse_batch_is_normalised_and_finds_the_clot(prepared: list[PreparedCase]) -> None:
    coarse, _ = tiny_stages()
    rng = np.random.default_rng(0)
    batches = [coarse_batch(prepared, coarse.patch_size, 2, rng) for _ in range(6)]
    b = batches[0]
    assert b.image.shape == (2, 2, *coarse.patch_size) and b.image.dtype == np.float32
    assert b.target.shape == (2, 1, *coarse.patch_size)
    assert b.image.min() >= 0.0 and b.image.max() <= 1.0
    # half the patches are centred near a clot: some targets must be positive
    assert sum(float(x.target.sum()) for x in batches) > 0


def test_fine_batch_adds_the_coarse_probability_channel(prepared: list[PreparedCase]) -> None:
    _, fine = tiny_stages()
    probs = [np.full(p.coarse_label.shape, 0.8, np.float32) for p in prepared]
    cands = [np.zeros((0, 3), np.int32) for _ in prepared]
    rng = np.random.default_rng(1)
    batches = [fine_batch(prepared, probs, cands, fine.patch_size, 2, rng) for _ in range(6)]
    b = batches[0]
    assert b.image.shape == (2, 3, *fine.patch_size)
    prob_channel = np.concatenate([x.image[:, 2].ravel() for x in batches])
    assert prob_channel.max() <= 1.0 and prob_channel.max() > 0.5  # 0.8 ** power
    assert sum(float(x.target.sum()) for x in batches) > 0
    # some patches contain no thrombus at all (vessel-centred negatives)
    assert any(float(t.sum()) == 0 for x in batches for t in x.target)


def test_false_positive_candidates_skip_the_true_clot(prepared: list[PreparedCase]) -> None:
    case = prepared[0]
    assert case.coarse_label.any()
    prob = case.coarse_label.astype(np.float32)  # a component on the clot ...
    prob[2:4, 2:4, 2:4] = 0.9  # ... and one far away from it
    cands = false_positive_candidates(prob, case, threshold=0.5)
    assert cands.shape == (1, 3)
    lps = case.fine_geometry.index_to_lps(cands[0])
    expected = case.coarse_geometry.index_to_lps((2.5, 2.5, 2.5))
    assert np.linalg.norm(lps - expected) <= case.fine_geometry.spacing[0]
