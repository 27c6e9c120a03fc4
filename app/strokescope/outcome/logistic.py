"""L2-penalised (ridge) logistic regression in numpy, with stratified k-fold splits.

Why numpy and not scikit-learn: the run-time dependency set is locked
(``requirements/*.lock``) and a site that trains a model should not need a new package
for a regression with a handful of features. The fit is the textbook one [LeCessie1992]:
features standardised to mean 0 and SD 1 (on the training rows only), then Newton's method
(iteratively reweighted least squares) on

    - sum_i [y_i log p_i + (1 - y_i) log(1 - p_i)] + (l2 / 2) * ||w||^2,
    p_i = sigmoid(b + x_i . w + offset_i),

with the intercept ``b`` not penalised. The objective is strictly convex for ``l2 > 0``,
so Newton converges in a few steps even for separable data. ``l2 = 1`` is
scikit-learn's default strength (``C = 1``).

Arrays: ``x`` is (n, k) float, ``y`` is (n,) of 0/1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]
MAX_ITERATIONS = 100
TOLERANCE = 1e-10


def sigmoid(z: npt.ArrayLike) -> Array:
    """The logistic function, without overflow for large ``|z|``."""
    z = np.asarray(z, dtype=float)
    out = np.empty_like(z)
    pos = z >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-z[pos]))
    ez = np.exp(z[~pos])
    out[~pos] = ez / (1.0 + ez)
    return out


def newton_logistic(
    design: Array, y: Array, *, penalty: Array, offset: Array | None = None
) -> tuple[Array, bool]:
    """Parameters ``beta`` minimising the penalised negative log-likelihood of
    ``sigmoid(design @ beta + offset)``; ``penalty`` holds the L2 weight of each column.
    Returns ``(beta, converged)``."""
    n, k = design.shape
    off = np.zeros(n) if offset is None else offset
    beta = np.zeros(k)
    for _ in range(MAX_ITERATIONS):
        p = sigmoid(design @ beta + off)
        grad = design.T @ (p - y) + penalty * beta
        hess = (design * (p * (1 - p))[:, None]).T @ design + np.diag(penalty)
        step = np.linalg.lstsq(hess + 1e-12 * np.eye(k), grad, rcond=None)[0]
        beta = beta - step
        if float(np.max(np.abs(step))) < TOLERANCE * (1 + float(np.max(np.abs(beta)))):
            return beta, True
    return beta, False


@dataclass(frozen=True)
class LogisticModel:
    """A fitted model: ``p = sigmoid(intercept + ((x - mean) / scale) . coef)``.

    ``coef`` are per standard deviation of each feature (comparable across features);
    :meth:`raw_coefficients` gives them per unit of the feature.
    """

    names: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float
    l2: float
    converged: bool

    def standardise(self, x: npt.ArrayLike) -> Array:
        return (np.asarray(x, dtype=float) - np.asarray(self.mean)) / np.asarray(self.scale)

    def predict(self, x: npt.ArrayLike) -> Array:
        """Probability of success for each row of ``x`` (n, k)."""
        return sigmoid(self.standardise(x) @ np.asarray(self.coef) + self.intercept)

    def raw_coefficients(self) -> tuple[float, ...]:
        """Log-odds change per unit of each feature (mm, HU, ...)."""
        return tuple(c / s for c, s in zip(self.coef, self.scale, strict=True))


def fit_logistic(
    x: npt.ArrayLike, y: npt.ArrayLike, names: tuple[str, ...], *, l2: float = 1.0
) -> LogisticModel:
    """Standardise ``x`` and fit the penalised model (see the module docstring)."""
    xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if xs.ndim != 2 or xs.shape[1] != len(names) or xs.shape[0] != ys.shape[0]:
        raise ValueError(f"x {xs.shape} does not match {len(names)} names and {ys.shape} y")
    if l2 < 0:
        raise ValueError(f"l2 must be >= 0, got {l2}")
    mean = xs.mean(axis=0)
    scale = xs.std(axis=0)
    scale[scale <= 1e-12] = 1.0  # a constant feature: left unscaled, its weight goes to 0
    design = np.column_stack([np.ones(len(ys)), (xs - mean) / scale])
    penalty = np.full(design.shape[1], float(l2))
    penalty[0] = 0.0
    beta, converged = newton_logistic(design, ys, penalty=penalty)
    return LogisticModel(
        names=tuple(names),
        mean=tuple(float(v) for v in mean),
        scale=tuple(float(v) for v in scale),
        coef=tuple(float(v) for v in beta[1:]),
        intercept=float(beta[0]),
        l2=float(l2),
        converged=converged,
    )


def stratified_folds(y: npt.ArrayLike, folds: int, *, seed: int) -> npt.NDArray[np.int64]:
    """Fold number (0..folds-1) of each row: each class shuffled with ``seed`` and dealt
    round-robin, so every fold holds each class in about the cohort's proportion."""
    ys = np.asarray(y)
    rng = np.random.default_rng(seed)
    fold = np.empty(len(ys), dtype=np.int64)
    start = 0
    for label in np.unique(ys):
        rows = rng.permutation(np.flatnonzero(ys == label))
        fold[rows] = (start + np.arange(len(rows))) % folds
        start += len(rows)  # the next class continues the deal where this one stopped
    return fold


def cross_validated_probabilities(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    names: tuple[str, ...],
    *,
    folds: int = 5,
    l2: float = 1.0,
    seed: int = 0,
    groups: npt.ArrayLike | None = None,
) -> tuple[Array, npt.NDArray[np.int64]]:
    """Out-of-fold probability of every row (each predicted by a model fitted, standardisation
    included, on the other folds) and the fold of each row. With ``groups`` (one label per
    row) the rows of a group share a fold, dealt by group in sorted label order, so rows
    that are not independent (candidates of one scan) never sit on both sides."""
    xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if groups is None:
        fold = stratified_folds(ys, folds, seed=seed)
    else:
        fold = np.unique(np.asarray(groups), return_inverse=True)[1].reshape(-1) % folds
    out = np.empty(len(ys))
    for f in range(folds):
        test = fold == f
        model = fit_logistic(xs[~test], ys[~test], names, l2=l2)
        out[test] = model.predict(xs[test])
    return out, fold


def bootstrap_coefficients(
    x: npt.ArrayLike,
    y: npt.ArrayLike,
    names: tuple[str, ...],
    *,
    l2: float = 1.0,
    repeats: int = 200,
    seed: int = 0,
) -> Array:
    """Standardised coefficients of ``repeats`` fits on stratified bootstrap resamples
    (rows drawn with replacement within each class) [Efron1993]: shape (repeats, k).
    Each resample is standardised on the full cohort's mean and SD so the coefficients are
    on one scale."""
    xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    full = fit_logistic(xs, ys, names, l2=l2)
    z = full.standardise(xs)
    rng = np.random.default_rng(seed)
    classes = [np.flatnonzero(ys == label) for label in np.unique(ys)]
    out = np.empty((repeats, len(names)))
    penalty = np.full(len(names) + 1, float(l2))
    penalty[0] = 0.0
    for r in range(repeats):
        rows = np.concatenate([rng.choice(c, size=len(c), replace=True) for c in classes])
        design = np.column_stack([np.ones(len(rows)), z[rows]])
        beta, _ = newton_logistic(design, ys[rows], penalty=penalty)
        out[r] = beta[1:]
    return out
