"""Dice + cross-entropy with deep supervision."""

from __future__ import annotations

from typing import Any

import pytest
import torch
from training.losses import deep_supervision_loss, dice_bce, soft_dice


def _target() -> Any:
    t = torch.zeros(2, 1, 8, 8, 8)
    t[0, 0, 2:5, 2:5, 2:5] = 1.0
    return t


def test_soft_dice_is_near_one_for_confident_correct_logits() -> None:
    t = _target()
    logits = (t * 2 - 1) * 20.0
    assert float(soft_dice(logits, t)) == pytest.approx(1.0, abs=1e-6)
    assert float(soft_dice(-logits, t)) < 1e-3


def test_batch_dice_stays_defined_when_a_patch_has_no_thrombus() -> None:
    t = _target()  # second item of the batch is empty
    loss = dice_bce(torch.zeros_like(t), t)
    assert torch.isfinite(loss)
    empty = torch.zeros(1, 1, 4, 4, 4)
    confident = float(dice_bce(torch.full_like(empty, -20.0), empty))
    unsure = float(dice_bce(torch.zeros_like(empty), empty))
    assert confident < 0.05 < 0.5 < unsure


def test_loss_ranks_better_predictions_lower() -> None:
    t = _target()
    good = (t * 2 - 1) * 3.0
    shifted = torch.roll(good, 1, dims=2)
    assert float(dice_bce(good, t)) < float(dice_bce(shifted, t)) < float(dice_bce(-good, t))


def test_deep_supervision_combines_levels_with_halving_weights() -> None:
    torch.manual_seed(0)
    t = _target()
    outs = [torch.randn(2, 1, 8, 8, 8), torch.randn(2, 1, 4, 4, 4), torch.randn(2, 1, 2, 2, 2)]
    targets = [t, torch.nn.functional.avg_pool3d(t, 2), torch.nn.functional.avg_pool3d(t, 4)]
    manual = sum(
        w * dice_bce(o, y) for w, o, y in zip((4 / 7, 2 / 7, 1 / 7), outs, targets, strict=True)
    )
    assert float(deep_supervision_loss(outs, t)) == pytest.approx(float(manual), rel=1e-6)


def test_deep_supervision_rejects_mismatched_levels() -> None:
    with pytest.raises(ValueError, match="level 1"):
        deep_supervision_loss(
            [torch.zeros(1, 1, 8, 8, 8), torch.zeros(1, 1, 8, 8, 8)], torch.zeros(1, 1, 8, 8, 8)
        )
