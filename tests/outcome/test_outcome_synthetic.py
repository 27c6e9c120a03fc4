"""Tiny proof: the feature model on a synthetic cohort of the documented law
recovers the law's signs, reaches its AUC within 0.05, and finds nothing in shuffled
outcomes (benchmarks/eval_outcome.py runs the full version over many cohorts).

Cohort sizes: at 200 patients the cross-validated AUC falls 0.024 +- 0.015 below the law's
(2 of 40 cohorts miss by more than 0.05), at 400 0.014 +- 0.010 (none of 40); the AUC of
shuffled outcomes has an SD of 0.05 at 200 patients but 0.027 at 600. The sizes below make
each check a robust one, not a lucky seed."""

from __future__ import annotations

import numpy as np

from strokescope.outcome.metrics import roc_auc
from strokescope.outcome.synthetic import LAW_COEF, draw_cohort
from strokescope.outcome.train import train_feature_model


def test_feature_model_recovers_the_law_on_400_patients() -> None:
    cohort = draw_cohort(400, seed=11)
    trained = train_feature_model(cohort.x, cohort.y, cohort.names, seed=11, repeats=50)
    assert np.array_equal(np.sign(trained.model.coef), np.sign(LAW_COEF))
    law_auc = roc_auc(cohort.probability, cohort.y)
    assert abs(trained.cv.auc - law_auc) <= 0.05


def test_shuffled_outcomes_give_chance_auc() -> None:
    cohort = draw_cohort(600, seed=12, shuffle_outcomes=True)
    trained = train_feature_model(cohort.x, cohort.y, cohort.names, seed=12, repeats=10)
    assert abs(trained.cv.auc - 0.5) <= 0.08
