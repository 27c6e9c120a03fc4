"""Synthetic cohorts drawn from a documented law, to prove the outcome machinery without
patients. Nothing here is a clinical claim: the distributions are
plausible orders of magnitude, the law is ours.

Per patient, independently:

- true clot length ``L`` (mm): log-normal, median 12 mm, log-SD 0.5, clipped to 3-60 mm
  (anterior-circulation clots are mostly 5-30 mm long [Riedel2011]);
- true perviousness ``P`` (HU, CTA minus NCCT in the clot): normal, mean 20 HU, SD 12 HU,
  clipped to -10..70 HU [Santos2016];
- collateral grade ``C`` (Tan 0-3 [Tan2009]): 0, 1, 2, 3 with probabilities
  0.10, 0.30, 0.35, 0.25.

Outcome (success = mTICI >= 2c) by the logistic law

    logit P(success) = 0.3 - 0.08 (L - 12) + 0.05 (P - 20) + 0.7 (C - 1.75),

then a Bernoulli draw. The model sees the features with measurement noise: length + N(0,
1.5 mm), perviousness + N(0, 5 HU) (the grade is seen exactly). The law's own AUC is the
AUC of the true probabilities against the drawn outcomes, the ceiling a model can reach.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from strokescope.outcome.logistic import sigmoid

LAW_NAMES: tuple[str, ...] = ("clot_length_mm", "perviousness_hu", "collateral_grade")
LAW_INTERCEPT = 0.3
LAW_COEF: tuple[float, ...] = (-0.08, 0.05, 0.7)
"""Log-odds per mm of length, per HU of perviousness, per collateral grade."""
LAW_CENTRE: tuple[float, ...] = (12.0, 20.0, 1.75)
GRADE_P: tuple[float, ...] = (0.10, 0.30, 0.35, 0.25)
NOISE_SD: tuple[float, ...] = (1.5, 5.0, 0.0)


@dataclass(frozen=True)
class SyntheticCohort:
    """Observed features ``x`` (n, 3) in :data:`LAW_NAMES` order, true features, the law's
    probabilities and the drawn outcomes ``y`` (0/1)."""

    x: npt.NDArray[np.float64]
    truth: npt.NDArray[np.float64]
    probability: npt.NDArray[np.float64]
    y: npt.NDArray[np.int64]
    names: tuple[str, ...] = LAW_NAMES


def law_probability(truth: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """P(success) of the law for true features (n, 3)."""
    t = np.asarray(truth, dtype=float)
    return sigmoid(LAW_INTERCEPT + (t - np.asarray(LAW_CENTRE)) @ np.asarray(LAW_COEF))


def draw_cohort(n: int, *, seed: int, shuffle_outcomes: bool = False) -> SyntheticCohort:
    """``n`` patients of the law (see the module docstring); ``shuffle_outcomes`` permutes
    the outcomes across patients, which breaks every link to the features."""
    rng = np.random.default_rng(seed)
    length = np.clip(12.0 * np.exp(rng.normal(0.0, 0.5, n)), 3.0, 60.0)
    pervious = np.clip(rng.normal(20.0, 12.0, n), -10.0, 70.0)
    grade = rng.choice(4, size=n, p=GRADE_P).astype(float)
    truth = np.column_stack([length, pervious, grade])
    probability = law_probability(truth)
    y = (rng.random(n) < probability).astype(np.int64)
    if shuffle_outcomes:
        y = rng.permutation(y)
    x = truth + rng.normal(0.0, 1.0, truth.shape) * np.asarray(NOISE_SD)
    return SyntheticCohort(x=x, truth=truth, probability=probability, y=y)
