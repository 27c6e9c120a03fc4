"""The numpy logistic regression and the statistics against values worked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from strokescope.errors import InputError
from strokescope.outcome import report_text
from strokescope.outcome.logistic import (
    cross_validated_probabilities,
    fit_logistic,
    stratified_folds,
)
from strokescope.outcome.metrics import calibration, classify, delong_interval, roc_auc
from strokescope.outcome.train import model_from_dict, train_feature_model


def test_unpenalised_fit_matches_the_closed_form_of_a_2x2_table() -> None:
    # x in {0, 1}: the MLE log-odds ratio is log(ad / bc) of the table
    x = np.array([0] * 40 + [1] * 40, float)[:, None]
    y = np.array([1] * 10 + [0] * 30 + [1] * 30 + [0] * 10)
    model = fit_logistic(x, y, ("x",), l2=0.0)
    assert model.converged
    assert model.raw_coefficients()[0] == pytest.approx(np.log(9.0), abs=1e-8)
    assert model.predict([[0.0], [1.0]]) == pytest.approx([0.25, 0.75], abs=1e-9)
    shrunk = fit_logistic(x, y, ("x",), l2=10.0)
    assert 0 < shrunk.coef[0] < model.coef[0]


def test_auc_delong_and_calibration_by_hand() -> None:
    p = np.array([0.1, 0.4, 0.35, 0.8])
    y = np.array([0, 0, 1, 1])
    assert roc_auc(p, y) == 0.75  # 3 of 4 pairs ordered
    assert roc_auc([0.5, 0.5], [0, 1]) == 0.5  # a tie counts one half
    auc, low, high = delong_interval(p, y)
    # V10 = (0.5, 1), V01 = (1, 0.5): var = 0.125/2 + 0.125/2
    assert (low, high) == pytest.approx((0.75 - 1.96 * 0.3536, 1.0), abs=1e-3)
    rng = np.random.default_rng(1)
    q = rng.uniform(0.05, 0.95, 4000)
    slope, intercept = calibration(q, (rng.random(4000) < q).astype(int))
    assert slope == pytest.approx(1.0, abs=0.15) and intercept == pytest.approx(0.0, abs=0.1)


def test_calibration_of_separated_outcomes_is_not_estimable() -> None:
    """Every success scored above every failure: the unpenalised fit runs away (an intercept
    of 4e13 before the guard), so slope and intercept are NaN and the report says why."""
    p = np.array([0.02, 0.05, 0.1, 0.2, 0.91, 0.95, 0.97, 0.99])
    y = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    slope, intercept = calibration(p, y)
    assert np.isnan(slope)
    assert np.isfinite(intercept)  # calibration-in-the-large still exists
    slope, intercept = calibration(np.full(6, 0.9), np.ones(6))  # one class only
    assert np.isnan(slope) and np.isnan(intercept)
    text = "\n".join(report_text._metrics(classify(p, y)))
    assert "calibration  not estimable" in text and "nan" not in text


def test_threshold_metrics_count_a_predicted_success_as_positive() -> None:
    c = classify(np.array([0.9, 0.8, 0.2, 0.6, 0.1]), np.array([1, 1, 1, 0, 0]))
    assert (c.sensitivity.k, c.sensitivity.n) == (2, 3)
    assert (c.specificity.k, c.specificity.n) == (1, 2)
    assert (c.precision.k, c.precision.n) == (2, 3) and c.accuracy.value == 0.6
    assert c.accuracy.low < 0.6 < c.accuracy.high


def test_folds_are_stratified_and_small_classes_refused() -> None:
    y = np.array([1] * 23 + [0] * 17)
    fold = stratified_folds(y, 5, seed=3)
    for f in range(5):
        assert 4 <= (y[fold == f] == 1).sum() <= 5 and 3 <= (y[fold == f] == 0).sum() <= 4
    with pytest.raises(InputError, match="3 failures"):
        train_feature_model(np.zeros((10, 1)), [1] * 7 + [0] * 3, ("a",), folds=5)


def test_grouped_folds_keep_each_group_on_one_side() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(60, 2))
    y = (x[:, 0] > 0).astype(int)
    groups = [f"case{i // 3}" for i in range(60)]  # 20 cases of 3 rows
    p, fold = cross_validated_probabilities(x, y, ("a", "b"), folds=5, groups=groups)
    for g in set(groups):
        assert len({int(fold[i]) for i in range(60) if groups[i] == g}) == 1
    assert sorted(np.bincount(fold).tolist()) == [12] * 5  # 4 cases per fold
    assert np.all((p > 0) & (p < 1)) and roc_auc(p, y) > 0.9


def test_fit_record_round_trips_the_model() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 2))
    y = (rng.random(60) < 1 / (1 + np.exp(-2 * x[:, 0]))).astype(int)
    trained = train_feature_model(x, y, ("a", "b"), folds=3, repeats=20)
    assert model_from_dict(trained.to_dict()) == trained.model
    assert trained.coefficients[0].low < trained.coefficients[0].per_sd
    assert len(trained.to_dict()["patients"]) == 60
