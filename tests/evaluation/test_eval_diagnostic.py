from __future__ import annotations

import math

import pytest

from strokescope.errors import InputError
from strokescope.evaluation import diagnostic_accuracy, wilson_interval


def test_wilson_hand_computed() -> None:
    # p = 0.5, n = 100, z = 1.959964: centre 0.5, half = z*sqrt(0.0025 + z^2/40000)/(1+z^2/100)
    z = 1.959963984540054
    half = z * math.sqrt(0.25 / 100 + z * z / 40000) / (1 + z * z / 100)
    lo, hi = wilson_interval(50, 100)
    assert lo == pytest.approx(0.5 - half)
    assert hi == pytest.approx(0.5 + half)
    # all successes: upper bound 1, lower bound n / (n + z^2)
    lo, hi = wilson_interval(10, 10)
    assert hi == 1.0
    assert lo == pytest.approx(10 / (10 + z * z))


def test_wilson_matches_scipy_binomtest() -> None:
    import scipy.stats as scipy_stats

    ci = scipy_stats.binomtest(17, 23).proportion_ci(confidence_level=0.9, method="wilson")
    assert wilson_interval(17, 23, confidence=0.9) == pytest.approx((ci.low, ci.high))


def test_diagnostic_accuracy_counts() -> None:
    pred = [True, True, False, False, True, False]
    true = [True, False, True, False, True, False]
    acc = diagnostic_accuracy(pred, true)
    assert (acc.tp, acc.fn, acc.tn, acc.fp) == (2, 1, 2, 1)
    assert acc.sensitivity == pytest.approx(2 / 3)
    assert acc.specificity == pytest.approx(2 / 3)
    assert acc.sensitivity_ci == wilson_interval(2, 3)


def test_no_negatives_gives_nan_and_bad_input_raises() -> None:
    acc = diagnostic_accuracy([True], [True])
    assert math.isnan(acc.specificity)
    with pytest.raises(InputError):
        wilson_interval(5, 3)
    with pytest.raises(InputError, match="differ in length"):
        diagnostic_accuracy([True], [True, False])
