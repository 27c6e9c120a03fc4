"""End to end on phantoms: features measured from images, then ``strokescope outcome train``.

Each patient is a phantom study (``strokescope.phantom.generate_study``, 1 mm, 200 x 200)
whose clot length and perviousness are drawn from the law of
:mod:`strokescope.outcome.synthetic`, clipped to the phantom's ranges (4-35 mm, 0-30 HU);
the collateral grade is drawn too but phantoms have no collaterals, so it goes into the
cohort file as a precomputed column (what a core lab reading Tan scores would do). The
outcome follows the law from the *true* parameters. The cohort file lists the study
folders, so the thrombus analysis measures length and perviousness through the pipeline.

Prints the agreement of measured with true features, the training summary, and writes
``benchmarks/results/eval_outcome_phantoms.json``. Slow (about 10-20 s per study on two
cores): not part of the test suite. Studies and features are cached under ``--cache``, so
a rerun resumes.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from strokescope.cli import main as cli_main
from strokescope.outcome.synthetic import GRADE_P, law_probability
from strokescope.phantom import PhantomOptions, generate_study, write_study

SEED0 = 700_000
SITES = ("M1", "M1", "ICA", "M2")


def draw(n: int, seed: int) -> list[dict[str, float | int | str]]:
    rng = np.random.default_rng(seed)
    cases: list[dict[str, float | int | str]] = []
    for i in range(n):
        length = float(np.clip(12.0 * np.exp(rng.normal(0.0, 0.5)), 4.0, 35.0))
        pervious = float(np.clip(rng.normal(15.0, 8.0), 0.0, 30.0))
        grade = int(rng.choice(4, p=GRADE_P))
        p = float(law_probability([[length, pervious, grade]])[0])
        outcome = int(rng.random() < p)
        cases.append(
            {"id": f"case{i:03d}", "length": length, "pervious": pervious, "grade": grade}
            | {"p": p, "outcome": outcome, "site": SITES[i % 4], "side": ("left", "right")[i % 2]}
        )
    return cases


def write_phantoms(cases: list[dict[str, float | int | str]], root: Path) -> None:
    for i, case in enumerate(cases):
        folder = root / "studies" / str(case["id"])
        if (folder / "cta").is_dir():
            continue
        options = PhantomOptions(
            seed=SEED0 + i,
            occlusion=case["site"],  # type: ignore[arg-type]
            side=case["side"],  # type: ignore[arg-type]
            thrombus_length_mm=float(case["length"]),
            perviousness_hu=float(case["pervious"]),
            inplane_mm=1.0,
            matrix=200,
            slice_mm=1.0,
        )
        write_study(generate_study(options), folder, processes=2)


def measured(root: Path) -> dict[str, dict[str, float | None]]:
    found = {}
    for path in (root / "train" / "features").glob("*.json"):
        record = json.loads(path.read_text())
        f = record["features"]
        found[record["id"]] = {k: f[k]["value"] for k in ("clot_length_mm", "perviousness_hu")}
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=40, help="phantom patients (default 40)")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--cache", default="cache/outcome_phantoms")
    parser.add_argument("--out", default="benchmarks/results/eval_outcome_phantoms.json")
    args = parser.parse_args()
    root = Path(args.cache)
    cases = draw(args.n, seed=1)
    t0 = time.perf_counter()
    write_phantoms(cases, root)
    t1 = time.perf_counter()
    lines = ["id,study,outcome,collateral_grade"]
    lines += [f"{c['id']},studies/{c['id']},{c['outcome']},{c['grade']}" for c in cases]
    (root / "cohort.csv").write_text("\n".join(lines) + "\n")
    argv = ["outcome", "train", str(root / "cohort.csv"), "--out", str(root / "train")]
    code = cli_main(
        [
            *argv,
            "--folds",
            str(args.folds),
            "--features",
            "clot_length_mm,perviousness_hu,collateral_grade",
        ]
    )
    t2 = time.perf_counter()
    got = measured(root)
    pairs = [
        (
            c["length"],
            got[str(c["id"])]["clot_length_mm"],
            c["pervious"],
            got[str(c["id"])]["perviousness_hu"],
        )
        for c in cases
        if str(c["id"]) in got and None not in got[str(c["id"])].values()
    ]
    arr = np.array(pairs, dtype=float)
    summary = {
        "n": args.n,
        "measured": len(pairs),
        "train_exit": code,
        "length_r": float(np.corrcoef(arr[:, 0], arr[:, 1])[0, 1]) if len(arr) > 2 else None,
        "length_bias_mm": float(np.mean(arr[:, 1] - arr[:, 0])) if len(arr) else None,
        "pervious_r": float(np.corrcoef(arr[:, 2], arr[:, 3])[0, 1]) if len(arr) > 2 else None,
        "pervious_bias_hu": float(np.mean(arr[:, 3] - arr[:, 2])) if len(arr) else None,
        "phantom_seconds": t1 - t0,
        "features_and_train_seconds": t2 - t1,
    }
    fit = root / "train" / "fit.json"
    if fit.is_file():
        summary["cv_auc"] = json.loads(fit.read_text())["cross_validation"]["auc"]
    print(json.dumps(summary, indent=2))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"summary": summary, "cases": cases}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
