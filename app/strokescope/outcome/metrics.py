"""Discrimination and calibration of predicted probabilities against 0/1 outcomes.

- ROC-AUC as the Mann-Whitney probability that a success scores above a failure (ties
  count one half), its 95 % interval from DeLong's variance [DeLong1988];
- calibration slope and intercept [Cox1958, VanCalster2019]: the slope is ``b`` of the
  logistic fit ``y ~ a + b * logit(p)`` (1 is ideal; below 1, predictions too extreme), the
  intercept is calibration-in-the-large, ``a`` of ``y ~ a + offset(logit(p))`` (0 is ideal);
- accuracy, sensitivity, specificity and precision at a threshold, each with Wilson's
  95 % interval [Wilson1927] (the columns of Table 1 of [Zhang2022]).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from strokescope.evaluation import wilson_interval
from strokescope.outcome.logistic import newton_logistic

Z95 = 1.959963984540054


def _scores(p: npt.ArrayLike, y: npt.ArrayLike) -> tuple[npt.NDArray[np.float64], ...]:
    ps, ys = np.asarray(p, dtype=float), np.asarray(y, dtype=float)
    if ps.shape != ys.shape or ps.ndim != 1:
        raise ValueError(f"scores {ps.shape} and outcomes {ys.shape} must be two equal vectors")
    return ps[ys == 1], ps[ys == 0]


def roc_auc(p: npt.ArrayLike, y: npt.ArrayLike) -> float:
    """Area under the ROC curve (NaN when one class is empty)."""
    pos, neg = _scores(p, y)
    if pos.size == 0 or neg.size == 0:
        return float("nan")
    return float(_placements(pos, neg).mean())


def _placements(pos: npt.NDArray[np.float64], neg: npt.NDArray[np.float64]) -> Any:
    """psi(x_i, y_j): 1 if a success scores above a failure, 1/2 on a tie, else 0."""
    return (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])


def delong_interval(p: npt.ArrayLike, y: npt.ArrayLike) -> tuple[float, float, float]:
    """``(auc, low, high)``: the AUC with DeLong's 95 % interval, clipped to [0, 1]."""
    pos, neg = _scores(p, y)
    if pos.size < 2 or neg.size < 2:
        return roc_auc(p, y), float("nan"), float("nan")
    psi = _placements(pos, neg)
    auc = float(psi.mean())
    v10, v01 = psi.mean(axis=1), psi.mean(axis=0)
    se = float(np.sqrt(v10.var(ddof=1) / pos.size + v01.var(ddof=1) / neg.size))
    return auc, max(0.0, auc - Z95 * se), min(1.0, auc + Z95 * se)


def roc_curve(p: npt.ArrayLike, y: npt.ArrayLike) -> tuple[list[float], list[float]]:
    """False- and true-positive rates at every distinct threshold, from (0, 0) to (1, 1)."""
    ps, ys = np.asarray(p, dtype=float), np.asarray(y, dtype=float)
    fpr, tpr = [0.0], [0.0]
    npos, nneg = max(int(ys.sum()), 1), max(int((1 - ys).sum()), 1)
    for t in np.unique(ps)[::-1]:
        hit = ps >= t
        tpr.append(float((hit & (ys == 1)).sum() / npos))
        fpr.append(float((hit & (ys == 0)).sum() / nneg))
    return fpr, tpr


def _logit(p: npt.ArrayLike) -> npt.NDArray[np.float64]:
    q = np.clip(np.asarray(p, dtype=float), 1e-6, 1 - 1e-6)
    return np.asarray(np.log(q / (1 - q)))


MAX_CALIBRATION = 100.0
"""A calibration slope or intercept beyond this is no estimate: the predictions separate the
outcomes (or one outcome is missing), so the unpenalised fit runs away."""


def calibration(p: npt.ArrayLike, y: npt.ArrayLike) -> tuple[float, float]:
    """``(slope, intercept)`` of the module docstring (unpenalised fits); NaN where the fit
    does not converge to a finite value (separated outcomes, a single outcome class)."""
    lp, ys = _logit(p), np.asarray(y, dtype=float)
    design = np.column_stack([np.ones(len(ys)), lp])
    beta, ok_slope = newton_logistic(design, ys, penalty=np.zeros(2))
    citl, ok_citl = newton_logistic(design[:, :1], ys, penalty=np.zeros(1), offset=lp)
    return _estimate(beta[1], ok_slope), _estimate(citl[0], ok_citl)


def _estimate(value: float, converged: bool) -> float:
    v = float(value)
    return v if converged and abs(v) <= MAX_CALIBRATION else float("nan")


def calibration_bins(
    p: npt.ArrayLike, y: npt.ArrayLike, bins: int = 10
) -> list[tuple[float, float, int]]:
    """``(mean predicted, observed rate, count)`` per decile of the predictions (equal
    counts; fewer bins for small cohorts), for the calibration plot."""
    ps, ys = np.asarray(p, dtype=float), np.asarray(y, dtype=float)
    order = np.argsort(ps, kind="stable")
    groups = np.array_split(order, min(bins, max(1, len(ps) // 5)))
    return [(float(ps[g].mean()), float(ys[g].mean()), len(g)) for g in groups if len(g)]


@dataclass(frozen=True)
class Rate:
    """A proportion ``value`` = ``k / n`` with its Wilson 95 % interval (NaN when n = 0)."""

    value: float
    low: float
    high: float
    k: int
    n: int

    @classmethod
    def of(cls, k: int, n: int) -> Rate:
        if n == 0:
            nan = float("nan")
            return cls(nan, nan, nan, k, n)
        low, high = wilson_interval(k, n)
        return cls(k / n, low, high, k, n)


@dataclass(frozen=True)
class Classification:
    """Table 1 of [Zhang2022] for one set of predictions: AUC with DeLong's interval and
    the threshold metrics with Wilson's intervals."""

    n: int
    successes: int
    auc: float
    auc_low: float
    auc_high: float
    threshold: float
    accuracy: Rate
    sensitivity: Rate
    specificity: Rate
    precision: Rate
    calibration_slope: float
    calibration_intercept: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def classify(p: npt.ArrayLike, y: npt.ArrayLike, *, threshold: float = 0.5) -> Classification:
    """All metrics of :class:`Classification`; "positive" is a predicted success
    (``p >= threshold``)."""
    ps, ys = np.asarray(p, dtype=float), np.asarray(y, dtype=int)
    auc, low, high = delong_interval(ps, ys)
    hit = ps >= threshold
    tp, fp = int((hit & (ys == 1)).sum()), int((hit & (ys == 0)).sum())
    fn, tn = int((~hit & (ys == 1)).sum()), int((~hit & (ys == 0)).sum())
    slope, intercept = calibration(ps, ys)
    return Classification(
        n=len(ys),
        successes=int(ys.sum()),
        auc=auc,
        auc_low=low,
        auc_high=high,
        threshold=threshold,
        accuracy=Rate.of(tp + tn, len(ys)),
        sensitivity=Rate.of(tp, tp + fn),
        specificity=Rate.of(tn, tn + fp),
        precision=Rate.of(tp, tp + fp),
        calibration_slope=slope,
        calibration_intercept=intercept,
    )
