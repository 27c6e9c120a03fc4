"""Where the basilar second look would read a candidate: its gaps on every case of each suite.

    python benchmarks/survey_basilar_gaps.py [--suites a,b] [--n 20] [--seed0 900000]

For every case, :func:`strokescope.vessels.basilar_gap.basilar_gaps` is computed on the same
inputs as :func:`strokescope.thrombus.analysis.analyze` gives it (rigid registration, the
symmetric midsagittal plane on the 1.5 mm auxiliary grid). A case without a gap gets the
same result with the rule ``basilar_second_look`` as without it, so only the cases with a
gap need the whole analysis. Prints one row per suite (cases, cases with a gap, gaps in
clot-free heads) and writes ``benchmarks/results/survey_basilar_gaps.json`` (every gap:
its distance below the tip, its voxels and their fraction on the true clot).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from strokescope.atomic import atomic_write_text
from strokescope.preprocess.brain_mask import brain_mask
from strokescope.preprocess.registration import register_rigid
from strokescope.thrombus.analysis import Sources, _aux_grid
from strokescope.thrombus.phantom_evaluation import HELD_OUT_SEED0
from strokescope.thrombus.shifts import SUITES, check_suite, make_case
from strokescope.thrombus.symmetry import symmetric_plane
from strokescope.vessels.basilar_gap import basilar_gaps
from strokescope.volume import Volume

OUT = Path(__file__).parent / "results" / "survey_basilar_gaps.json"


def survey_case(suite: str, i: int, seed0: int) -> dict[str, Any]:
    case = make_case(suite, i, quick=False, seed0=seed0)
    reg = register_rigid(case.cta, case.ncct)
    aux = _aux_grid(case.cta.geometry)
    ncct_aux = Volume(Sources(case.ncct, case.cta, reg).hu_on(aux)[0], aux)
    plane = symmetric_plane(ncct_aux, brain_mask(ncct_aux))
    truth = case.truth_mask
    gaps = [
        {
            "below_tip_mm": [round(v, 1) for v in g.below_tip_mm],
            "voxels": len(g.index),
            "on_truth": None
            if truth is None or not len(g.index)
            else round(float(truth.array[tuple(g.index.T)].mean()), 3),
        }
        for g in basilar_gaps(case.ncct, case.cta, reg, plane)
    ]
    return {"i": i, "seed": case.seed, "occlusion": case.occlusion, "gaps": gaps}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--suites", default=",".join(SUITES), help="comma-separated suite names")
    ap.add_argument("--n", type=int, default=20, help="cases per suite (default 20)")
    ap.add_argument("--seed0", type=int, default=HELD_OUT_SEED0, help="first family-A seed")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    suites = [s for s in args.suites.split(",") if s]
    for s in suites:
        check_suite(s)
    doc: dict[str, Any] = {"n_per_suite": args.n, "seed0": args.seed0, "suites": {}}
    print(f"{'suite':18s} {'cases':>5s} {'with a gap':>10s} {'clot-free with a gap':>21s}")
    for suite in suites:
        rows = [survey_case(suite, i, args.seed0) for i in range(args.n)]
        doc["suites"][suite] = rows
        gapped = [r for r in rows if r["gaps"]]
        free = [r["seed"] for r in gapped if r["occlusion"] == "none"]
        print(f"{suite:18s} {len(rows):5d} {len(gapped):10d} {len(free):6d} {free}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.out, json.dumps(doc, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
