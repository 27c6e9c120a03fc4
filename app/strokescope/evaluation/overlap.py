"""Voxel overlap between a predicted and a reference mask: Dice and the confusion counts."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from strokescope.errors import InputError
from strokescope.volume import Mask

MaskLike = Mask | npt.NDArray[np.bool_]


def _arrays(pred: MaskLike, truth: MaskLike) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    p = np.asarray(pred.array if isinstance(pred, Mask) else pred, dtype=bool)
    t = np.asarray(truth.array if isinstance(truth, Mask) else truth, dtype=bool)
    if p.shape != t.shape:
        raise InputError(f"masks differ in shape: prediction {p.shape}, reference {t.shape}")
    return p, t


@dataclass(frozen=True)
class OverlapCounts:
    """Voxel confusion counts of a prediction against a reference mask."""

    tp: int
    fp: int
    fn: int
    tn: int

    @property
    def dice(self) -> float:
        """2TP / (2TP + FP + FN); 1.0 when both masks are empty."""
        denom = 2 * self.tp + self.fp + self.fn
        return 1.0 if denom == 0 else 2.0 * self.tp / denom

    @property
    def sensitivity(self) -> float:
        """TP / (TP + FN), the fraction of the reference found; nan for an empty reference."""
        n = self.tp + self.fn
        return float("nan") if n == 0 else self.tp / n

    @property
    def specificity(self) -> float:
        """TN / (TN + FP), the fraction of background left alone; nan without background."""
        n = self.tn + self.fp
        return float("nan") if n == 0 else self.tn / n


def overlap_counts(
    pred: MaskLike, truth: MaskLike, *, within: MaskLike | None = None
) -> OverlapCounts:
    """Count TP, FP, FN and TN voxels, optionally only inside ``within`` (e.g. the brain).

    Parameters
    ----------
    pred, truth
        Masks (or boolean arrays) of the same shape, axis order (z, y, x).
    within
        Optional region restricting every count; the paper's voxel specificity is only
        meaningful inside the brain, not over the air around the head.
    """
    p, t = _arrays(pred, truth)
    if within is not None:
        w, _ = _arrays(within, t)
        p, t = p[w], t[w]
    tp = int(np.count_nonzero(p & t))
    fp = int(np.count_nonzero(p & ~t))
    fn = int(np.count_nonzero(~p & t))
    return OverlapCounts(tp=tp, fp=fp, fn=fn, tn=int(p.size) - tp - fp - fn)


def dice(pred: MaskLike, truth: MaskLike) -> float:
    """Dice similarity coefficient 2|P and T| / (|P| + |T|); 1.0 when both are empty."""
    return overlap_counts(pred, truth).dice
