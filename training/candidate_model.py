"""Fit the candidate model (:mod:`strokescope.thrombus.candidate_model`) and install it.

Two steps, both resumable and seeded:

``collect``: analyse a block of phantom pairs with a model folder (its candidate model and
scan sign rule switched off, so every candidate is seen) and write one JSON line per
candidate: its attenuation features, whether only the scan proposed it, the fraction of its
voxels inside the true clot, and the case. ``--block training`` draws the pairs like the
networks' training data (``training.make_phantoms.random_options``, every option over its
full range, subarachnoid blood in half) from seeds that no evaluation uses; ``--block
shifted`` draws them like the evaluation blocks (``SHIFTED_SEED0``, see there);
``--block family-c`` renders family-C cases (:mod:`training.family_c`, the networks'
second training family) of seed ``FAMILY_C_SEED``, which no network trains on and no
evaluation reads; ``--block calibration`` reads the calibration block (seeds 800000+, and
its posterior shift with ``--suite posterior``). Family B is never collected.

``fit``: a penalised logistic regression (:func:`strokescope.outcome.logistic.fit_logistic`)
on all the training block's candidates, whichever network proposed them (clot = at least
``CLOT_OVERLAP`` of the candidate inside the true clot), cross-validated by case; the
threshold is set on the calibration block's candidates in the scope the model will judge,
as the highest that keeps every true clot there, times ``--margin``. The model, its
provenance and both blocks' numbers go into the folder's manifest
(``decision.candidate_model``, ``candidate_model_fit``).

    python -m training.candidate_model collect --models DIR --block training --n 80 \\
        --out cache/cand/train.jsonl
    python -m training.candidate_model collect --models DIR --block calibration --n 20 \\
        --out cache/cand/cal.jsonl
    python -m training.candidate_model fit --models DIR --train cache/cand/train.jsonl \\
        --calibration cache/cand/cal.jsonl --scope scan_only
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

CLOT_OVERLAP = 0.3
"""A candidate is a clot when at least this fraction of its voxels lies in the true clot."""
TRAINING_SEED = 600_000
"""Seed of the training block's option draws (networks: 0; calibration 800000+; held-out
900000+; family B 700000+)."""
SHIFTED_SEED0 = 610_000
"""First seed of the shifted block: the evaluation blocks' design (``case_options``) with
subarachnoid blood in half, posterior and anterior clots, and one acquisition shift each."""
FAMILY_C_SEED = 2
"""Family C seed of the ``family-c`` block (networks train on seed 0; seed 1 is reported)."""
SHIFTED_OCCLUSIONS = ("ICA", "M1", "M2", "none", "basilar", "P1", "none")
FOLDS = 5


def _training_options(i: int) -> dict[str, Any]:
    from dataclasses import asdict

    from training.make_phantoms import random_options

    opts = asdict(random_options(TRAINING_SEED, i))
    opts["sah"] = bool(np.random.default_rng([TRAINING_SEED, i, 1]).random() < 0.5)
    opts["rotation_deg"] = tuple(opts["rotation_deg"])
    return opts


def _shifted_options(i: int) -> dict[str, Any]:
    from strokescope.thrombus.phantom_evaluation import case_options
    from strokescope.thrombus.shifts import SHIFTS

    rng = np.random.default_rng([SHIFTED_SEED0, i])
    shifts = [name for name in SHIFTS if name != "posterior"]
    opts = case_options(i, quick=False, seed0=SHIFTED_SEED0)
    opts |= SHIFTS[shifts[int(rng.integers(len(shifts)))]](i)
    opts["occlusion"] = SHIFTED_OCCLUSIONS[i % len(SHIFTED_OCCLUSIONS)]
    opts["sah"] = bool(rng.random() < 0.5)
    return opts


def _case(block: str, suite: str, i: int) -> Any:
    from strokescope.thrombus.phantom_evaluation import CALIBRATION_SEED0
    from strokescope.thrombus.shifts import case_from_options, make_case

    if block == "training":
        return case_from_options(_training_options(i))
    if block == "shifted":
        return case_from_options(_shifted_options(i))
    if block == "family-c":
        from training.family_c.eval_case import family_c_case

        return family_c_case(FAMILY_C_SEED, i)
    return make_case(suite, i, quick=False, seed0=CALIBRATION_SEED0)


def collect(models_dir: str, block: str, suite: str, first: int, n: int, out: Path) -> int:
    from strokescope.thrombus.analysis import analyze
    from strokescope.thrombus.candidate_features import CandidateRecord
    from strokescope.thrombus.model import load_models

    models = load_models(models_dir)
    rules = replace(models.rules, scan_needs_cta_sign=False, candidate_model=None)
    models = replace(models, rules=rules)
    done = set()
    if out.exists():
        done = {json.loads(line)["i"] for line in out.read_text().splitlines() if line}
    out.parent.mkdir(parents=True, exist_ok=True)
    for i in range(first, first + n):
        if i in done:
            continue
        t = time.perf_counter()
        case = _case(block, suite, i)
        record: list[CandidateRecord] = []
        analyze(case.ncct, case.cta, models, record=record)
        truth = None if case.truth_mask is None else case.truth_mask.array
        base = {"i": i, "block": block, "suite": suite, "seed": case.seed}
        base |= {"occlusion": case.occlusion, "sah": case.sah}
        rows = [
            base
            | {
                "scan_only": c.scan_only,
                "overlap": 0.0 if truth is None else float(truth[tuple(c.index.T)].mean()),
                "volume_mm3": len(c.index) * case.cta.geometry.voxel_volume_mm3,
                "features": c.features,
            }
            for c in record
        ]
        with out.open("a", encoding="utf-8") as f:  # one case per append: resumable
            f.write("".join(json.dumps(r) + "\n" for r in rows or [base | {"empty": True}]))
        print(f"{block} {i}: {len(rows)} candidates, {time.perf_counter() - t:.0f} s", flush=True)
    return 0


def _rows(path: Path, scope: str) -> list[dict[str, Any]]:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line]
    return [r for r in rows if "features" in r and (scope == "all" or r["scan_only"])]


def _xy(rows: list[dict[str, Any]], names: tuple[str, ...]) -> tuple[Any, Any]:
    x = np.array([[r["features"][f] for f in names] for r in rows], dtype=float)
    y = np.array([r["overlap"] >= CLOT_OVERLAP for r in rows], dtype=float)
    return x, y


def fit(
    models_dir: str, train: list[Path], calibration: Path, scope: str, l2: float, margin: float
) -> int:
    from strokescope.atomic import atomic_write_text
    from strokescope.outcome.logistic import cross_validated_probabilities, fit_logistic
    from strokescope.outcome.metrics import roc_auc
    from strokescope.thrombus.candidate_features import FEATURES
    from strokescope.thrombus.candidate_model import CandidateModel

    rows = [r for path in train for r in _rows(path, "all")]  # whoever proposed them
    x, y = _xy(rows, FEATURES)
    if len(rows) < 20 or y.sum() < 5 or (1 - y).sum() < 5:
        names = ", ".join(str(p) for p in train)
        raise SystemExit(f"{names}: too few candidates to fit ({int(y.sum())} clots of {len(y)})")
    cases = [f"{r.get('block')}:{r['i']}" for r in rows]
    oof, _ = cross_validated_probabilities(x, y, FEATURES, folds=FOLDS, l2=l2, groups=cases)
    model = fit_logistic(x, y, FEATURES, l2=l2)
    cal_rows = _rows(calibration, scope)
    cx, cy = _xy(cal_rows, FEATURES) if cal_rows else (np.zeros((0, len(FEATURES))), [])
    cp = model.predict(cx) if len(cal_rows) else np.zeros(0)
    true_scores = [p for p, t in zip(cp, cy, strict=True) if t]
    threshold = round(margin * min(true_scores, default=0.5), 4)
    kept_false = int(sum(1 for p, t in zip(cp, cy, strict=True) if not t and p >= threshold))
    cm = CandidateModel(
        FEATURES, model.mean, model.scale, model.coef, model.intercept, threshold, scope
    )
    manifest_path = Path(models_dir) / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["decision"]["candidate_model"] = cm.to_dict()
    manifest["candidate_model_fit"] = {
        "training_blocks": sorted({str(r.get("block")) for r in rows}),
        "training_cases": len(set(cases)),
        "training_candidates": len(y),
        "training_clots": int(y.sum()),
        "cross_validated_auc_by_case": round(roc_auc(oof, y), 3),
        "l2": l2,
        "clot_overlap": CLOT_OVERLAP,
        "calibration_candidates": len(cal_rows),
        "calibration_clots": len(true_scores),
        "calibration_false_kept": kept_false,
        "threshold_rule": f"{margin:g} x the lowest calibration clot's probability",
    }
    atomic_write_text(manifest_path, json.dumps(manifest, indent=1) + "\n")
    print(json.dumps(manifest["candidate_model_fit"], indent=1))
    for name, w in zip(FEATURES, model.coef, strict=True):
        print(f"  {name:26s} {w:+.3f}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.candidate_model")
    sub = parser.add_subparsers(dest="command", required=True)
    c = sub.add_parser("collect", help="candidates of a phantom block with their features")
    c.add_argument("--models", required=True)
    c.add_argument(
        "--block", choices=("training", "shifted", "family-c", "calibration"), required=True
    )
    c.add_argument("--suite", default="in-distribution", help="calibration block's suite")
    c.add_argument("--first", type=int, default=0, help="first case of the block")
    c.add_argument("--n", type=int, required=True)
    c.add_argument("--out", type=Path, required=True)
    f = sub.add_parser("fit", help="fit, set the threshold, write into the manifest")
    f.add_argument("--models", required=True)
    f.add_argument("--train", type=Path, nargs="+", required=True)
    f.add_argument("--calibration", type=Path, required=True)
    f.add_argument("--scope", choices=("scan_only", "all"), default="scan_only")
    f.add_argument("--l2", type=float, default=1.0)
    f.add_argument("--margin", type=float, default=0.9)
    args = parser.parse_args(argv)
    if args.command == "collect":
        return collect(args.models, args.block, args.suite, args.first, args.n, args.out)
    return fit(args.models, args.train, args.calibration, args.scope, args.l2, args.margin)


if __name__ == "__main__":
    sys.exit(main())
