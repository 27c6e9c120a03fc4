"""Dice + binary cross-entropy with deep supervision (Zhu et al. 2023, after nnU-Net).

The network has one logit channel (thrombus); the probability is its sigmoid. The Dice term
is a *batch* Dice: intersections and sums run over the whole batch, so patches without any
thrombus (about a third of the fine patches) still give a defined, useful gradient. Targets
may be fractions (partial volume), which both terms accept.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch.nn import functional as F

from training.network import deep_supervision_weights, downsample_target

DICE_SMOOTH = 1e-5


def soft_dice(
    logits: torch.Tensor, target: torch.Tensor, *, smooth: float = DICE_SMOOTH
) -> torch.Tensor:
    """Batch soft Dice coefficient of ``sigmoid(logits)`` against ``target`` (0-1)."""
    prob = torch.sigmoid(logits)
    intersection = torch.sum(prob * target)
    denominator = torch.sum(prob) + torch.sum(target)
    return (2.0 * intersection + smooth) / (denominator + smooth)


def dice_bce(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """``(1 - soft Dice) + binary cross-entropy`` (mean over voxels), equal weights."""
    bce = F.binary_cross_entropy_with_logits(logits, target)
    return (1.0 - soft_dice(logits, target)) + bce


def deep_supervision_loss(outputs: Sequence[torch.Tensor], target: torch.Tensor) -> torch.Tensor:
    """Weighted sum of :func:`dice_bce` over the deep-supervision outputs.

    ``outputs[k]`` is ``2**k`` times coarser than ``target`` (full resolution first); its
    target is the thrombus fraction of each ``2**k`` cube. Weights halve per level and sum
    to 1, as in the paper.
    """
    weights = deep_supervision_weights(len(outputs))
    total = torch.zeros((), dtype=target.dtype, device=target.device)
    for k, (out, w) in enumerate(zip(outputs, weights, strict=True)):
        level_target = downsample_target(target, 2**k)
        if level_target.shape != out.shape:
            raise ValueError(
                f"deep supervision level {k}: output {tuple(out.shape)} vs target "
                f"{tuple(level_target.shape)}"
            )
        total = total + w * dice_bce(out, level_target)
    return total
