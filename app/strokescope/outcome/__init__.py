"""Recanalization-related features and a site-trainable outcome model.

- :mod:`~strokescope.outcome.features`: the features of one study, each present or absent
  with its reason (:class:`OutcomeFeatures`);
- :mod:`~strokescope.outcome.logistic`, :mod:`~strokescope.outcome.train`: the L2-penalised
  logistic regression in numpy, stratified k-fold cross-validation, bootstrap intervals;
- :mod:`~strokescope.outcome.metrics`: AUC (DeLong), calibration, Table 1 metrics;
- :mod:`~strokescope.outcome.synthetic`: cohorts drawn from a documented law (the proof
  without patients).

No outcome model ships: a site trains one on its own cohort. Research use only, not
validated on patients.
"""

from strokescope.outcome.features import NUMERIC_FEATURES, Feature, OutcomeFeatures

__all__ = ["NUMERIC_FEATURES", "Feature", "OutcomeFeatures"]
