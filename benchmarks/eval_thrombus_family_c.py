"""The thrombus analysis on phantom family C (training/family_c), held-out seed, one table.

    python -m benchmarks.eval_thrombus_family_c [--models DIR] [--n 30] [--seed 1]

Family C is a *training* family (written apart from families A and B; `make train`-style
runs that use it train on seed 0). Cases of ``--seed`` 1 were never trained on, so this
says whether a network has learned family C - a development check, not evidence of
generalisation: family B and the shift suites (``eval_thrombus_shifts.py``) are the
reported ones. Truth classes: ICA, MCA trunk (M1) and basilar clots are LVO (as the shipped
rules count them), MCA branch, ACA, posterior (P1/P2) and small distal clots MeVO; a clot
too small to leave a label voxel on the case's grid counts as none. Prints the
summary (median Dice, |length error| against the drawn clot length, LVO and occlusion
sensitivity/specificity with 95 % CIs, calcification-only false positives) and a row per
site, and writes ``benchmarks/results/eval_thrombus_family_c.json``; finished cases go to
``<out>.cases.jsonl`` keyed by model checksums, so a rerun resumes.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from training.family_c.eval_case import family_c_case

from strokescope.atomic import atomic_write_text
from strokescope.thrombus.model import load_models
from strokescope.thrombus.phantom_evaluation import (
    BARS,
    at_clot,
    evaluate_case,
    summarise,
    table,
)

OUT = Path(__file__).parent / "results" / "eval_thrombus_family_c.json"


def by_site(rows: Sequence[dict[str, Any]]) -> str:
    """One line per site: cases, detected (any thrombus), detected at the clot (the mask
    overlaps it), median Dice."""
    lines = ["| site | n | detected | at the clot | median Dice |", "|---|---|---|---|---|"]
    for site in sorted({r["occlusion"] for r in rows}):
        sel = [r for r in rows if r["occlusion"] == site]
        found = sum(bool(r["pred_occlusion"]) for r in sel)
        found_there = sum(bool(r["pred_occlusion"]) and at_clot(r) for r in sel)
        dices = sorted(r["dice"] for r in sel if r["dice"] is not None)
        med = f"{dices[len(dices) // 2]:.2f}" if dices else "-"
        lines.append(f"| {site} | {len(sel)} | {found} | {found_there} | {med} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", help="model folder (default: models_onnx)")
    ap.add_argument("--n", type=int, default=30, help="cases (default 30)")
    ap.add_argument("--seed", type=int, default=1, help="family C seed (default 1, held out)")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    models = load_models(args.models)
    onnx = sorted((k, v) for k, v in models.sha256.items() if k.endswith(".onnx"))
    key = hashlib.sha256(json.dumps([onnx, models.rules.describe()]).encode()).hexdigest()[:16]
    cases_path = args.out.with_suffix(".cases.jsonl")
    done: dict[int, dict[str, Any]] = {}
    if cases_path.is_file():
        for line in cases_path.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            if rec["models"] == key and rec["seed"] == args.seed:
                done[rec["i"]] = rec["row"]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    rows = []
    for i in range(args.n):
        if i not in done:
            row = evaluate_case(family_c_case(args.seed, i), models=args.models)
            with cases_path.open("a", encoding="utf-8") as f:
                f.write(json.dumps({"models": key, "seed": args.seed, "i": i, "row": row}) + "\n")
            done[i] = row
            print(f"{i}: {row['occlusion']} -> {row['pred_class']} dice {row['dice']}", flush=True)
        rows.append(done[i])
    summary = summarise(rows)
    print(table(summary, BARS))
    print(by_site(rows))
    result = {
        "models": models.version,
        "family_c_seed": args.seed,
        "summary": summary,
        "cases": rows,
    }
    atomic_write_text(args.out, json.dumps(result, indent=1) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
