"""Every evaluation suite of the thrombus analysis (strokescope.thrombus.shifts), one table.

    python benchmarks/eval_thrombus_shifts.py [--models DIR] [--n 20] [--suites a,b] [--quick]

Runs ``--n`` held-out pairs per suite (in-distribution, family-b and each shift), prints one
row per suite (n, median Dice, median |length error|, volume r, LVO and occlusion
sensitivity/specificity with 95 % CIs, calcification-only false positives, bars met) and
writes ``benchmarks/results/eval_thrombus_shifts.json``. Every finished case is appended to
``<out>.cases.jsonl`` keyed by suite, seed, geometry and model checksums, so an interrupted
run resumes where it stopped and a new model starts afresh. All suites are reported, passed
or not; none of them is ever used to train or to tune a rule.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from strokescope.atomic import atomic_write_text
from strokescope.thrombus.model import load_models
from strokescope.thrombus.phantom_evaluation import (
    HELD_OUT_SEED0,
    bars_met,
    evaluate_case,
    models_key,
    suites_table,
    summarise,
)
from strokescope.thrombus.shifts import SUITES, check_suite, make_case, suite_bars

OUT = Path(__file__).parent / "results" / "eval_thrombus_shifts.json"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", help="model folder (default: models_onnx)")
    ap.add_argument("--n", type=int, default=20, help="pairs per suite (default 20)")
    ap.add_argument("--suites", default=",".join(SUITES), help="comma-separated suite names")
    ap.add_argument("--quick", action="store_true", help="1 mm phantoms (smoke run only)")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    suites = [s for s in args.suites.split(",") if s]
    for s in suites:
        check_suite(s)
    models = load_models(args.models)
    key = models_key(models)
    cases_path = args.out.with_suffix(".cases.jsonl")
    done: dict[tuple[str, int], dict[str, Any]] = {}
    if cases_path.is_file():
        for line in cases_path.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            if rec["models"] == key and rec["quick"] == args.quick:
                done[(rec["suite"], rec["i"])] = rec["row"]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {}
    for suite in suites:
        rows = []
        for i in range(args.n):
            row = done.get((suite, i))
            if row is None:
                t = time.perf_counter()
                case = make_case(suite, i, quick=args.quick, seed0=HELD_OUT_SEED0)
                row = evaluate_case(case, models=args.models)
                row["generate_seconds"] = round(time.perf_counter() - t - row["seconds"], 2)
                rec = {"models": key, "quick": args.quick, "suite": suite, "i": i, "row": row}
                with cases_path.open("a", encoding="utf-8") as f:
                    f.write(json.dumps(rec, default=float) + "\n")
            rows.append(row)
            dice = "-" if row["dice"] is None else f"{row['dice']:.3f}"
            print(
                f"{suite:18s} {i:3d} seed {row['seed']}: {row['truth_class']:5s} -> "
                f"{row['pred_class']:5s} Dice {dice}",
                flush=True,
            )
        summary = summarise(rows)
        bars = suite_bars(suite)
        results[suite] = {
            "summary": summary,
            "bars": {k: list(v) for k, v in bars.items()},
            "bars_met": bars_met(summary, bars),
            "cases": rows,
        }
    print(suites_table(results))
    doc = {
        "models": args.models or "models_onnx",
        "model_version": models.version,
        "model_sha256": dict(models.sha256),
        "quick": args.quick,
        "n_per_suite": args.n,
        "suites": results,
    }
    atomic_write_text(args.out, json.dumps(doc, indent=1, default=float) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
