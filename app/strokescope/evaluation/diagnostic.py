"""Case-level diagnostic accuracy: sensitivity and specificity with Wilson score intervals."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from statistics import NormalDist

from strokescope.errors import InputError


def wilson_interval(successes: int, n: int, *, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion ``successes / n``.

    Returns ``(nan, nan)`` for ``n == 0``.
    """
    if n < 0 or not 0 <= successes <= max(n, 0):
        raise InputError(f"need 0 <= successes <= n, got {successes} of {n}")
    if not 0 < confidence < 1:
        raise InputError(f"confidence must be in (0, 1), got {confidence}")
    if n == 0:
        return float("nan"), float("nan")
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass(frozen=True)
class DiagnosticAccuracy:
    """Counts, sensitivity and specificity, each with a Wilson interval."""

    tp: int
    fn: int
    tn: int
    fp: int
    sensitivity: float
    sensitivity_ci: tuple[float, float]
    specificity: float
    specificity_ci: tuple[float, float]
    confidence: float = 0.95


def diagnostic_accuracy(
    predicted: Sequence[bool], actual: Sequence[bool], *, confidence: float = 0.95
) -> DiagnosticAccuracy:
    """Sensitivity TP/(TP+FN) and specificity TN/(TN+FP) of case-level calls.

    Undefined proportions (no positive or no negative cases) are nan.
    """
    if len(predicted) != len(actual):
        raise InputError(
            f"predicted and actual differ in length: {len(predicted)} vs {len(actual)}"
        )
    pairs = [(bool(p), bool(a)) for p, a in zip(predicted, actual, strict=True)]
    tp = sum(p and a for p, a in pairs)
    fn = sum(a and not p for p, a in pairs)
    tn = sum(not p and not a for p, a in pairs)
    fp = sum(p and not a for p, a in pairs)
    sens = tp / (tp + fn) if tp + fn else float("nan")
    spec = tn / (tn + fp) if tn + fp else float("nan")
    return DiagnosticAccuracy(
        tp=tp,
        fn=fn,
        tn=tn,
        fp=fp,
        sensitivity=sens,
        sensitivity_ci=wilson_interval(tp, tp + fn, confidence=confidence),
        specificity=spec,
        specificity_ci=wilson_interval(tn, tn + fp, confidence=confidence),
        confidence=confidence,
    )
