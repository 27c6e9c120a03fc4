"""Train and cross-validate the feature outcome model on one cohort's feature table.

:func:`train_feature_model` fits the L2-penalised logistic regression of
:mod:`strokescope.outcome.logistic` on all rows (the model a site installs), estimates its
performance by stratified k-fold cross-validation (out-of-fold probabilities: AUC with
DeLong's interval, calibration slope and intercept, the threshold metrics) and the
uncertainty of its coefficients by the stratified bootstrap (percentile 95 % intervals).
The cross-validated numbers describe the *procedure* on this cohort; they are what the
model card reports.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from strokescope.errors import InputError
from strokescope.outcome.logistic import (
    LogisticModel,
    bootstrap_coefficients,
    cross_validated_probabilities,
    fit_logistic,
)
from strokescope.outcome.metrics import Classification, classify, roc_auc

FIT_FORMAT = "strokescope-outcome-fit"
FIT_VERSION = 1


@dataclass(frozen=True)
class Coefficient:
    """One feature's weight: log-odds per SD (with its bootstrap 95 % interval), the odds
    ratio per SD and the log-odds per unit of the feature."""

    name: str
    per_sd: float
    low: float
    high: float
    odds_ratio_per_sd: float
    per_unit: float


@dataclass(frozen=True)
class TrainedOutcome:
    """The fitted model and its cross-validated performance on the training cohort."""

    model: LogisticModel
    folds: int
    seed: int
    cv: Classification
    fold_auc: tuple[float, ...]
    coefficients: tuple[Coefficient, ...]
    bootstrap_repeats: int
    ids: tuple[str, ...]
    outcomes: tuple[int, ...]
    cv_probability: tuple[float, ...]
    warnings: tuple[str, ...] = ()

    @property
    def n(self) -> int:
        return len(self.ids)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready record (``fit.json``): everything an ONNX export and a model card
        need, and the out-of-fold predictions per patient."""
        return {
            "format": FIT_FORMAT,
            "format_version": FIT_VERSION,
            "model": asdict(self.model),
            "folds": self.folds,
            "seed": self.seed,
            "n": self.n,
            "successes": int(sum(self.outcomes)),
            "cross_validation": self.cv.to_dict(),
            "fold_auc": list(self.fold_auc),
            "coefficients": [asdict(c) for c in self.coefficients],
            "bootstrap_repeats": self.bootstrap_repeats,
            "patients": [
                {"id": i, "outcome": y, "cv_probability": p}
                for i, y, p in zip(self.ids, self.outcomes, self.cv_probability, strict=True)
            ],
            "warnings": list(self.warnings),
        }


def model_from_dict(record: dict[str, Any]) -> LogisticModel:
    """The :class:`LogisticModel` of a ``fit.json`` record (``model`` entry)."""
    m = record["model"]
    return LogisticModel(
        names=tuple(m["names"]),
        mean=tuple(float(v) for v in m["mean"]),
        scale=tuple(float(v) for v in m["scale"]),
        coef=tuple(float(v) for v in m["coef"]),
        intercept=float(m["intercept"]),
        l2=float(m["l2"]),
        converged=bool(m["converged"]),
    )


def _check_cohort(y: npt.NDArray[np.int64], folds: int) -> None:
    if folds < 2:
        raise InputError(f"cross-validation needs at least 2 folds, got {folds}")
    for label, word in ((1, "successes"), (0, "failures")):
        count = int((y == label).sum())
        if count < folds:
            raise InputError(
                f"the cohort has {count} {word} with usable features: {folds}-fold "
                f"cross-validation needs at least {folds} of each outcome"
            )


def train_feature_model(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    names: tuple[str, ...],
    *,
    ids: tuple[str, ...] | None = None,
    folds: int = 5,
    l2: float = 1.0,
    seed: int = 0,
    repeats: int = 200,
) -> TrainedOutcome:
    """Fit, cross-validate and bootstrap (see the module docstring). ``x`` (n, k) holds
    the features in ``names`` order, ``y`` the outcomes (1 = success); ``ids`` name the
    rows. Raises ``InputError`` when a class has fewer rows than ``folds``."""
    xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=np.int64)
    _check_cohort(ys, folds)
    model = fit_logistic(xs, ys, names, l2=l2)
    oof, fold = cross_validated_probabilities(xs, ys, names, folds=folds, l2=l2, seed=seed)
    fold_auc = tuple(roc_auc(oof[fold == f], ys[fold == f]) for f in range(folds))
    boot = bootstrap_coefficients(xs, ys, names, l2=l2, repeats=repeats, seed=seed)
    low, high = np.percentile(boot, [2.5, 97.5], axis=0)
    coefficients = tuple(
        Coefficient(
            name=name,
            per_sd=c,
            low=float(lo),
            high=float(hi),
            odds_ratio_per_sd=float(np.exp(c)),
            per_unit=u,
        )
        for name, c, lo, hi, u in zip(
            names, model.coef, low, high, model.raw_coefficients(), strict=True
        )
    )
    warnings = () if model.converged else ("the logistic fit did not converge",)
    return TrainedOutcome(
        model=model,
        folds=folds,
        seed=seed,
        cv=classify(oof, ys),
        fold_auc=fold_auc,
        coefficients=coefficients,
        bootstrap_repeats=repeats,
        ids=ids if ids is not None else tuple(str(i + 1) for i in range(len(ys))),
        outcomes=tuple(int(v) for v in ys),
        cv_probability=tuple(float(v) for v in oof),
        warnings=warnings,
    )
