"""The text ``strokescope outcome train`` and ``evaluate`` print."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from strokescope.outcome.installed import RESEARCH_NOTICE

if TYPE_CHECKING:
    from strokescope.outcome.cohort_runs import EvaluationRun, TrainingRun
    from strokescope.outcome.metrics import Classification, Rate


def _rate(name: str, r: Rate) -> str:
    return f"  {name:<12} {r.value:.3f} (95 % CI {r.low:.3f}-{r.high:.3f}; {r.k}/{r.n})"


def _metrics(m: Classification) -> list[str]:
    return [
        f"  ROC-AUC      {m.auc:.3f} (95 % CI {m.auc_low:.3f}-{m.auc_high:.3f}, DeLong)",
        _rate("accuracy", m.accuracy),
        _rate("sensitivity", m.sensitivity),
        _rate("specificity", m.specificity),
        _rate("precision", m.precision),
        f"  calibration  {calibration_words(m)}",
        f"  (success = mTICI >= 2c; positive = predicted P >= {m.threshold:g})",
    ]


def calibration_words(m: Classification) -> str:
    """Calibration slope and intercept, or why they cannot be estimated."""
    slope, intercept = m.calibration_slope, m.calibration_intercept
    if math.isnan(slope) or math.isnan(intercept):
        return "not estimable (the predictions separate the outcomes)"
    return f"slope {slope:.2f}, intercept {intercept:+.2f}"


def _excluded(excluded: tuple[str, ...]) -> list[str]:
    if not excluded:
        return []
    shown = [f"  {line}" for line in excluded[:10]]
    more = [f"  ... and {len(excluded) - 10} more (see the JSON)"] if len(excluded) > 10 else []
    return [f"left out {len(excluded)} row(s) without every feature:", *shown, *more]


def format_training(run: TrainingRun) -> str:
    t = run.trained
    lines = [
        f"outcome feature model on {t.n} patients ({sum(t.outcomes)} successes), features: "
        + ", ".join(t.model.names),
        f"{t.folds}-fold stratified cross-validation (out-of-fold predictions):",
        *_metrics(t.cv),
        "  fold AUCs    " + ", ".join(f"{a:.3f}" for a in t.fold_auc),
        f"coefficients, log-odds per SD (bootstrap 95 % CI, {t.bootstrap_repeats} resamples):",
        *(
            f"  {c.name:<26} {c.per_sd:+.3f} ({c.low:+.3f} to {c.high:+.3f}), "
            f"OR per SD {c.odds_ratio_per_sd:.2f}"
            for c in t.coefficients
        ),
        *_excluded(run.table.excluded),
        *(f"warning: {w}" for w in t.warnings),
        *(f"wrote {p}" for p in run.paths),
        "install it (needs strokescope[train]): python -m training.outcome_onnx "
        f"{run.paths[0]} --out MODEL_DIR --cohort 'your cohort'",
        RESEARCH_NOTICE,
    ]
    return "\n".join(lines)


def format_evaluation(run: EvaluationRun) -> str:
    m = run.metrics
    lines = [
        f"outcome model {run.model}",
        f"held-out cohort: {m.n} patients ({m.successes} successes)",
        *_metrics(m),
        *_excluded(run.excluded),
        *(f"wrote {p}" for p in run.paths),
        RESEARCH_NOTICE,
    ]
    return "\n".join(lines)
