"""Set the hyperdense-blood band's margin above the grey matter on the calibration block.

The blood guardrail (:mod:`strokescope.thrombus.guardrails`) counts blood from
``BLOOD_ABOVE_GREY_HU`` above the brain's own grey matter (the 90th percentile of its
smoothed parenchyma). This script measures, on family-A calibration pairs (seeds 800000+,
the in-distribution block's options, and the same pairs shifted by +-8 HU on all tissue),
the blood the thrombus analysis would read (its 1.5 mm grid, brain mask, vessels, bone and
the truth clot excluded) at each margin of ``MARGINS``, per head with and without
subarachnoid blood, and prints the margins at which the warning limit (``BLOOD_MIN_ML``)
separates the two groups, with the gap.

    python -m benchmarks.calibrate_blood_band [--n 20] [--quick]

Writes ``benchmarks/results/calibrate_blood_band.json`` (resumable: finished heads in
``.cases.jsonl`` beside it). Only calibration seeds are read; nothing reported elsewhere is.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

from strokescope.atomic import atomic_write_text

SEED0 = 800_000
MARGINS = (0.0, 5.0, 10.0, 15.0, 20.0, 25.0)
SHIFTS_HU = (0.0, -8.0, 8.0)
OUT = Path(__file__).resolve().parent / "results" / "calibrate_blood_band.json"


def measure(i: int, shift_hu: float, quick: bool) -> dict[str, Any]:
    """Grey matter HU and blood (mL) at each margin of calibration head ``i``."""
    from strokescope.phantom import PhantomOptions, generate_study
    from strokescope.preprocess import brain_mask
    from strokescope.preprocess.registration import register_rigid
    from strokescope.thrombus import guardrails as gr
    from strokescope.thrombus.analysis import _aux_grid
    from strokescope.thrombus.inference import Sources
    from strokescope.thrombus.phantom_evaluation import case_options
    from strokescope.volume import Volume

    opts = case_options(i, quick=quick, seed0=SEED0)
    if shift_hu:
        opts["hu_offset"] = shift_hu
    study = generate_study(PhantomOptions(**opts))
    assert study.cta is not None
    reg = register_rigid(study.cta, study.ncct)
    aux = _aux_grid(study.cta.geometry)
    hu = Sources(study.ncct, study.cta, reg).hu_on(aux)
    brain = brain_mask(Volume(hu[0], aux)).array
    clot = np.zeros(aux.shape, dtype=bool)
    truth = study.masks.get("thrombus")
    if truth is not None and truth.voxel_count:
        pts = truth.geometry.index_to_lps(np.argwhere(truth.array).astype(float))
        ai = np.rint(aux.lps_to_index(pts)).astype(int)
        ai = ai[np.all((ai >= 0) & (ai < np.asarray(aux.shape)), axis=1)]
        clot[tuple(ai.T)] = True
    reading = gr.brain_hu(hu[0], hu[1], brain, clot, aux)
    grey = reading.grey_hu()
    blood = {f"{m:g}": round(reading.ml_between(*gr.blood_band(grey, m)), 3) for m in MARGINS}
    return {
        "seed": opts["seed"],
        "shift_hu": shift_hu,
        "sah": bool(opts["sah"]),
        "grey_hu": grey,
        "blood_ml": blood,
        "fixed_50_90_ml": round(reading.ml_between(*gr.BLOOD_HU), 3),
    }


def separation(rows: list[dict[str, Any]], limit: float) -> dict[str, Any]:
    """Per margin: the largest blood without subarachnoid blood, the smallest with it, and
    whether ``limit`` lies between them (every head called alike)."""
    out = {}
    for m in MARGINS:
        key = f"{m:g}"
        clean = [r["blood_ml"][key] for r in rows if not r["sah"]]
        bleed = [r["blood_ml"][key] for r in rows if r["sah"]]
        top, bottom = max(clean, default=0.0), min(bleed, default=float("inf"))
        out[key] = {
            "max_without_sah": top,
            "min_with_sah": bottom,
            "separates": top < limit < bottom,
        }
    return out


def main(argv: list[str] | None = None) -> int:
    from strokescope.thrombus.guardrails import BLOOD_MIN_ML

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--quick", action="store_true", help="1 mm phantoms (smoke run)")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    done_path = args.out.with_suffix(".cases.jsonl")
    lines = done_path.read_text().splitlines() if done_path.is_file() else []
    done = {(r["seed"], r["shift_hu"], r["quick"]): r for r in map(json.loads, lines)}
    rows = []
    for shift in SHIFTS_HU:
        for i in range(args.n):
            row = done.get((SEED0 + i, shift, args.quick))
            if row is None:
                row = measure(i, shift, args.quick) | {"quick": args.quick}
                with open(done_path, "a", encoding="utf-8") as fh:
                    fh.write(json.dumps(row) + "\n")
            rows.append(row)
            print(
                row["seed"],
                f"{shift:+g} HU",
                "SAH" if row["sah"] else "   ",
                f"grey {row['grey_hu']:.1f}",
                row["blood_ml"],
                flush=True,
            )
    table = separation(rows, BLOOD_MIN_ML)
    print(
        f"| margin above grey (HU) | max mL without SAH | min mL with SAH | "
        f"{BLOOD_MIN_ML:g} mL separates |"
    )
    print("|---|---|---|---|")
    for key, s in table.items():
        print(
            f"| {key} | {s['max_without_sah']:.3f} | {s['min_with_sah']:.3f} | "
            f"{'yes' if s['separates'] else 'no'} |"
        )
    payload = {"n": args.n, "quick": args.quick, "limit_ml": BLOOD_MIN_ML, "margins": table}
    atomic_write_text(args.out, json.dumps(payload, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
