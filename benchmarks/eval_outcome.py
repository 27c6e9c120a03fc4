"""Proof that the outcome machinery works, without patients.

Draws synthetic cohorts from the documented law of :mod:`strokescope.outcome.synthetic`
(clot length, perviousness, collateral grade -> logistic P(mTICI >= 2c) -> Bernoulli) and
runs the feature model exactly as ``strokescope outcome train`` does (5-fold stratified
CV, L2 = 1, 200 bootstrap resamples). Checks, per cohort:

- signs: the fitted coefficients have the law's signs (length -, perviousness +, grade +);
- AUC: the cross-validated AUC is within 0.05 of the law's own AUC (the AUC of the true
  probabilities on the same patients, the ceiling);
- shuffled: with the outcomes permuted across patients the cross-validated AUC is
  0.5 +- 0.08 (no leakage between folds).

``--cohorts`` replicate cohorts per size give the pass rate, not one lucky draw. Prints a
table and writes ``benchmarks/results/eval_outcome.json``. ``--quick``: 3 cohorts.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np

from strokescope.outcome.metrics import roc_auc
from strokescope.outcome.synthetic import LAW_COEF, LAW_INTERCEPT, LAW_NAMES, draw_cohort
from strokescope.outcome.train import train_feature_model

AUC_MARGIN = 0.05
SHUFFLED_MARGIN = 0.08


def one_cohort(n: int, n_shuffled: int, seed: int) -> dict[str, Any]:
    """Train on one law cohort and one shuffled cohort; the three checks."""
    t0 = time.perf_counter()
    cohort = draw_cohort(n, seed=seed)
    trained = train_feature_model(cohort.x, cohort.y, cohort.names, seed=seed)
    seconds = time.perf_counter() - t0
    law_auc = roc_auc(cohort.probability, cohort.y)
    shuffled = draw_cohort(n_shuffled, seed=seed + 10_000 + n, shuffle_outcomes=True)
    null = train_feature_model(shuffled.x, shuffled.y, shuffled.names, seed=seed, repeats=20)
    signs = bool(np.array_equal(np.sign(trained.model.coef), np.sign(LAW_COEF)))
    return {
        "seed": seed,
        "n": n,
        "successes": int(cohort.y.sum()),
        "law_auc": law_auc,
        "cv_auc": trained.cv.auc,
        "cv_auc_ci": [trained.cv.auc_low, trained.cv.auc_high],
        "calibration_slope": trained.cv.calibration_slope,
        "calibration_intercept": trained.cv.calibration_intercept,
        "coef_per_unit": list(trained.model.raw_coefficients()),
        "coef_ci_per_sd": [[c.low, c.high] for c in trained.coefficients],
        "signs_recovered": signs,
        "auc_within_margin": abs(trained.cv.auc - law_auc) <= AUC_MARGIN,
        "shuffled_n": n_shuffled,
        "shuffled_auc": null.cv.auc,
        "shuffled_within_margin": abs(null.cv.auc - 0.5) <= SHUFFLED_MARGIN,
        "train_seconds": seconds,
    }


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    def mean_sd(key: str) -> list[float]:
        v = np.array([r[key] for r in rows], dtype=float)
        return [float(v.mean()), float(v.std())]

    return {
        "cohorts": len(rows),
        "law_auc": mean_sd("law_auc"),
        "cv_auc": mean_sd("cv_auc"),
        "auc_gap": [float(np.mean([r["cv_auc"] - r["law_auc"] for r in rows]))],
        "shuffled_auc": mean_sd("shuffled_auc"),
        "signs_pass": sum(r["signs_recovered"] for r in rows),
        "auc_pass": sum(r["auc_within_margin"] for r in rows),
        "shuffled_pass": sum(r["shuffled_within_margin"] for r in rows),
        "train_seconds": mean_sd("train_seconds"),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200,400", help="cohort sizes (>= 200)")
    parser.add_argument("--shuffled-n", type=int, default=600, help="shuffled cohort size")
    parser.add_argument("--cohorts", type=int, default=20, help="replicate cohorts per size")
    parser.add_argument("--quick", action="store_true", help="3 cohorts per size")
    parser.add_argument("--out", default="benchmarks/results/eval_outcome.json")
    args = parser.parse_args()
    count = 3 if args.quick else args.cohorts
    t0 = time.perf_counter()
    result: dict[str, Any] = {
        "law": {"names": list(LAW_NAMES), "intercept": LAW_INTERCEPT, "coef": list(LAW_COEF)},
        "margins": {"auc": AUC_MARGIN, "shuffled": SHUFFLED_MARGIN},
        "sizes": {},
    }
    header = (
        f"{'n':>5} {'cohorts':>7} {'law AUC':>13} {'CV AUC':>13} {'signs':>6} "
        f"{'|gap|<=.05':>10} {'shuffled AUC':>13} {'0.5+-.08':>8} {'fit s':>6}"
    )
    print(header)
    for n in (int(s) for s in args.sizes.split(",")):
        rows = [one_cohort(n, args.shuffled_n, seed) for seed in range(count)]
        s = summarise(rows)
        result["sizes"][str(n)] = {"summary": s, "cohorts": rows}
        print(
            f"{n:>5} {count:>7} {s['law_auc'][0]:>6.3f}+-{s['law_auc'][1]:.3f} "
            f"{s['cv_auc'][0]:>6.3f}+-{s['cv_auc'][1]:.3f} {s['signs_pass']:>3}/{count:<2} "
            f"{s['auc_pass']:>7}/{count:<2} "
            f"{s['shuffled_auc'][0]:>6.3f}+-{s['shuffled_auc'][1]:.3f} "
            f"{s['shuffled_pass']:>5}/{count:<2} {s['train_seconds'][0]:>6.2f}"
        )
    result["seconds"] = time.perf_counter() - t0
    print(f"shuffled cohorts: n={args.shuffled_n}; total {result['seconds']:.1f} s")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
