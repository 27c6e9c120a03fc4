"""The SCANet-style outcome network: shapes, shared neighbourhood weights, that it learns
an easy image signal, and that a resumed run is the run it continues."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from training.scanet import ScaNet, ScanetConfig, neighbourhoods, parameter_count
from training.scanet_train import (
    TrainSettings,
    fit,
    holdout_split,
    predict,
    recalibrate_batch_norm,
    stratified_folds,
)

from strokescope.outcome.metrics import roc_auc

SMALL = ScanetConfig(slices=6, size=32, dropout=0.0)


def test_output_is_one_logit_per_study_and_default_input_is_the_builders() -> None:
    torch.manual_seed(0)
    net = ScaNet(SMALL).eval()
    with torch.no_grad():
        out = net(torch.randn(3, 2, 6, 32, 32))
    assert out.shape == (3, 1) and torch.isfinite(out).all()
    assert (ScanetConfig().slices, ScanetConfig().size) == (16, 64)


def test_neighbourhoods_repeat_edge_slices() -> None:
    x = torch.arange(4.0).reshape(1, 4, 1, 1).expand(1, 4, 2, 2)
    hoods = neighbourhoods(x, 1)
    assert hoods.shape == (1, 4, 3, 2, 2)
    assert hoods[0, :, :, 0, 0].tolist() == [[0, 0, 1], [0, 1, 2], [1, 2, 3], [2, 3, 3]]


def test_neighbourhood_branches_share_weights() -> None:
    """One branch per modality whatever the slice count, and two neighbourhoods with the
    same slices give the same tokens (independent branches would not)."""
    assert parameter_count(ScaNet(SMALL)) == parameter_count(
        ScaNet(ScanetConfig(slices=12, size=32, dropout=0.0))
    )
    torch.manual_seed(1)
    net = ScaNet(SMALL).eval()
    x = torch.randn(1, 2, 6, 32, 32)
    x[:, :, 3:6] = x[:, :, 0:3]  # the neighbourhood of slice 4 is that of slice 1
    with torch.no_grad():
        for index in (0, 1):
            tokens = net.tokens(x, index).reshape(6, SMALL.tokens, -1)
            assert torch.allclose(tokens[1], tokens[4], atol=1e-6)
            assert not torch.allclose(tokens[1], tokens[2], atol=1e-3)


def _easy_cohort(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Noise stacks; a success has a bright 8 x 8 square in the CTA channel's centre."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    x = rng.normal(0.0, 0.3, (n, 2, 6, 32, 32)).astype(np.float32)
    x[y == 1, 1, :, 12:20, 12:20] += 1.0
    return x, y


def test_a_short_run_learns_an_easy_signal() -> None:
    x, y = _easy_cohort(32, seed=2)
    settings = TrainSettings(epochs=6, batch=8, lr=3e-3, shift_px=2, seed=0)
    net = fit(x, y, config=SMALL, settings=settings)
    p = predict(net, x)
    assert roc_auc(p, y) > 0.8
    assert p[y == 1].mean() > 0.5 > p[y == 0].mean()  # batch norm recalibrated
    x2, y2 = _easy_cohort(16, seed=3)
    assert roc_auc(predict(net, x2), y2) > 0.8  # and on stacks it never saw


def test_a_resumed_run_equals_the_uninterrupted_one(tmp_path: Path) -> None:
    x, y = _easy_cohort(12, seed=4)
    settings = TrainSettings(epochs=2, batch=4, seed=5)
    whole = fit(x, y, config=SMALL, settings=settings)
    ckpt = tmp_path / "run.pt"
    fit(x, y, config=SMALL, settings=TrainSettings(epochs=1, batch=4, seed=5), checkpoint=ckpt)
    resumed = fit(x, y, config=SMALL, settings=settings, checkpoint=ckpt)
    for a, b in zip(whole.state_dict().values(), resumed.state_dict().values(), strict=True):
        assert torch.equal(a, b)
    other = fit(x, 1 - y, config=SMALL, settings=settings, checkpoint=ckpt)  # not resumed
    assert not torch.equal(other.head.weight, whole.head.weight)


def test_splits_are_stratified_and_seeded() -> None:
    y = np.array([0] * 30 + [1] * 20)
    fold = stratified_folds(y, 5, seed=1)
    for k in range(5):
        assert (y[fold == k] == 1).sum() == 4 and (fold == k).sum() == 10
    train, test = holdout_split(y, 0.3, seed=1)
    assert sorted([*train, *test]) == list(range(50)) and (y[test] == 1).sum() == 6
    assert np.array_equal(test, holdout_split(y, 0.3, seed=1)[1])
    with pytest.raises(ValueError):
        fit(np.zeros((4, 2, 6, 32, 32), np.float32), np.zeros(4, np.int64), config=SMALL)


def test_batch_norm_statistics_are_recomputed_with_the_final_weights() -> None:
    torch.manual_seed(6)
    net = ScaNet(SMALL)
    x = torch.randn(4, 2, 6, 32, 32) * 2.0 + 0.5
    stem_norm = net.branches["cta"].stem[1]
    stem_norm.running_mean.fill_(9.0)  # stale statistics
    recalibrate_batch_norm(net, x, batch=4)
    hoods = neighbourhoods(x[:, 1], SMALL.neighbours).reshape(24, 3, 32, 32)
    with torch.no_grad():
        want = net.branches["cta"].stem[0](hoods).mean(dim=(0, 2, 3))
    assert torch.allclose(stem_norm.running_mean, want, atol=1e-5)
    assert stem_norm.momentum == 0.1 and not net.training and not stem_norm.training
