"""Agreement between paired measurements (e.g. volumes): Pearson, Spearman, Lin's CCC."""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

from strokescope.errors import InputError


def _pair(
    x: npt.ArrayLike, y: npt.ArrayLike, *, minimum: int = 2
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    a = np.asarray(x, dtype=float).ravel()
    b = np.asarray(y, dtype=float).ravel()
    if a.shape != b.shape:
        raise InputError(f"paired measurements differ in length: {a.size} vs {b.size}")
    if a.size < minimum:
        raise InputError(f"need at least {minimum} paired measurements, got {a.size}")
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        raise InputError("paired measurements contain nan or inf")
    return a, b


def pearson_r(x: npt.ArrayLike, y: npt.ArrayLike) -> float:
    """Pearson correlation coefficient; nan when either series is constant."""
    a, b = _pair(x, y)
    da, db = a - a.mean(), b - b.mean()
    denom = math.sqrt(float(da @ da) * float(db @ db))
    return float("nan") if denom == 0 else float(da @ db) / denom


def _ranks(v: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Ranks 1..n with ties given their average rank."""
    order = np.argsort(v, kind="mergesort")
    sorted_v = v[order]
    ranks = np.empty(v.size)
    start = 0
    for end in range(1, v.size + 1):
        if end == v.size or sorted_v[end] != sorted_v[start]:
            ranks[order[start:end]] = (start + end + 1) / 2.0
            start = end
    return ranks


def spearman_rho(x: npt.ArrayLike, y: npt.ArrayLike) -> float:
    """Spearman rank correlation (Pearson r of average ranks, so ties are handled)."""
    a, b = _pair(x, y)
    return pearson_r(_ranks(a), _ranks(b))


@dataclass(frozen=True)
class Concordance:
    """Lin's concordance correlation coefficient with its confidence interval."""

    ccc: float
    ci_low: float
    ci_high: float
    n: int
    confidence: float = 0.95


def lins_ccc(x: npt.ArrayLike, y: npt.ArrayLike, *, confidence: float = 0.95) -> Concordance:
    """Lin's CCC = 2 s_xy / (s_x^2 + s_y^2 + (mean_x - mean_y)^2), moments with 1/n (Lin 1989).

    The interval uses Fisher's z transform with Lin's asymptotic variance (Lin 1989, eq. 8
    with the 2000 erratum), as Stata's ``concord`` reports; it needs n >= 3.
    """
    if not 0 < confidence < 1:
        raise InputError(f"confidence must be in (0, 1), got {confidence}")
    a, b = _pair(x, y, minimum=3)
    n = a.size
    mx, my = a.mean(), b.mean()
    sxx, syy = a.var(), b.var()
    sxy = float(((a - mx) * (b - my)).mean())
    denom = sxx + syy + (mx - my) ** 2
    if denom == 0:
        return Concordance(1.0, 1.0, 1.0, n, confidence)
    ccc = 2 * sxy / denom
    if sxx == 0 or syy == 0 or abs(ccc) >= 1:
        return Concordance(float(ccc), float(ccc), float(ccc), n, confidence)
    r = sxy / math.sqrt(sxx * syy)
    u2 = (mx - my) ** 2 / math.sqrt(sxx * syy)
    one = 1 - ccc**2
    var_z = (
        (1 - r**2) * ccc**2 / (one * r**2)
        + 2 * ccc**3 * (1 - ccc) * u2 / (r * one**2)
        - ccc**4 * u2**2 / (2 * r**2 * one**2)
    ) / (n - 2)
    z = math.atanh(ccc)
    half = NormalDist().inv_cdf(0.5 + confidence / 2) * math.sqrt(max(var_z, 0.0))
    return Concordance(float(ccc), math.tanh(z - half), math.tanh(z + half), n, confidence)


@dataclass(frozen=True)
class VolumeErrors:
    """Errors of predicted against reference volumes (same unit as the inputs)."""

    mean_error: float
    """Mean of prediction - reference (bias)."""
    sd_error: float
    mean_absolute_error: float
    median_absolute_error: float
    mean_relative_error: float
    """Mean of |prediction - reference| / reference over references > 0."""
    limits_of_agreement: tuple[float, float]
    """Bland-Altman 95% limits: bias -/+ 1.96 SD."""
    n: int


def volume_errors(pred: npt.ArrayLike, truth: npt.ArrayLike) -> VolumeErrors:
    """Bias, absolute and relative errors, and Bland-Altman limits of paired volumes."""
    p, t = _pair(pred, truth, minimum=1)
    err = p - t
    sd = float(err.std(ddof=1)) if err.size > 1 else 0.0
    pos = t > 0
    rel = float(np.mean(np.abs(err[pos]) / t[pos])) if pos.any() else float("nan")
    bias = float(err.mean())
    return VolumeErrors(
        mean_error=bias,
        sd_error=sd,
        mean_absolute_error=float(np.abs(err).mean()),
        median_absolute_error=float(np.median(np.abs(err))),
        mean_relative_error=rel,
        limits_of_agreement=(bias - 1.96 * sd, bias + 1.96 * sd),
        n=int(err.size),
    )
