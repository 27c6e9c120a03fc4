"""Clot density and perviousness against the HU the phantom drew: the whole mask vs its core.

    python benchmarks/eval_clot_hu.py [--n 20] [--blocks calibration held-out B] [--models DIR]

Each case runs the thrombus analysis (shipped models unless ``--models``) on a full-size
phantom pair; the clot the analysis found on the truth clot (most voxels in common) is read
two ways on the same mask: the NCCT (through the analysis's registration) and CTA means over
every voxel, and over the core that the app reports
(:func:`strokescope.thrombus.clot_measures.core`: the voxels whose 26 neighbours all lie in
the clot, the whole clot when fewer than 10 do). Prints, per block and reading, the bias,
mean absolute error and Pearson r of the NCCT mean and of the perviousness against the
drawn values; writes ``benchmarks/results/eval_clot_hu.json``. Blocks: ``calibration``
(family A, seeds 800000+, where the core was chosen), ``held-out`` (900000+) and ``B``
(family B, 700000+), the last two only reported. About 1.5 min per case per process here.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

from strokescope import pipeline
from strokescope.atomic import atomic_write_text
from strokescope.phantom import PhantomOptions, generate_study
from strokescope.preprocess.morphology import components
from strokescope.preprocess.registration import RegistrationResult, sample_registered
from strokescope.thrombus.clot_measures import core
from strokescope.thrombus.result import ThrombusResult
from strokescope.thrombus.shifts import FAMILY_B_SEED0, family_b_case, suite_options
from strokescope.volume import Mask, Volume

OUT = Path(__file__).parent / "results" / "eval_clot_hu.json"
BLOCKS = {"calibration": 800_000, "held-out": 900_000, "B": FAMILY_B_SEED0}


def _case(block: str, i: int) -> tuple[Volume, Volume, Mask | None, float | None, float | None]:
    """NCCT, CTA, truth clot mask (CTA grid), drawn NCCT HU and perviousness."""
    if block == "B":
        b = family_b_case(i, quick=False)
        return b.ncct, b.cta, b.thrombus, b.clot_hu_ncct, b.perviousness_hu
    opts = suite_options("in-distribution", i, quick=False, seed0=BLOCKS[block])
    study = generate_study(PhantomOptions(**opts))
    assert study.cta is not None
    t = study.truth
    return study.ncct, study.cta, study.masks.get("thrombus"), t.thrombus_hu_ncct, t.perviousness_hu


def _readings(
    result: ThrombusResult, ncct: Volume, cta: Volume, truth: Mask
) -> dict[str, list[float]] | None:
    """(CTA mean, NCCT mean) over the whole found clot and over its core, or None when no
    found clot touches the truth."""
    if result.cta_to_ncct is None or not result.thrombi:
        return None
    labels, n = components(result.mask.array)
    if n == 0:
        return None
    overlap = np.bincount(labels[truth.array], minlength=n + 1)[1:]
    if overlap.max() == 0:
        return None
    index = np.argwhere(labels == int(np.argmax(overlap)) + 1)
    g = result.mask.geometry
    reg = RegistrationResult(result.cta_to_ncct, float("nan"), float("nan"), 0, 0.0)
    c = cta.array[tuple(index.T)].astype(float)
    nc = sample_registered(ncct, g.index_to_lps(index.astype(float)), reg).astype(float)
    inner = core(index)
    return {
        "whole": [float(c.mean()), float(nc.mean())],
        "core": [float(c[inner].mean()), float(nc[inner].mean())],
    }


def run_case(block: str, i: int, models: str | None) -> dict[str, Any]:
    ncct, cta, truth, hu, perv = _case(block, i)
    row: dict[str, Any] = {"block": block, "i": i, "truth_ncct": hu, "truth_perv": perv}
    if truth is None or hu is None or perv is None or not truth.voxel_count:
        return row | {"readings": None}
    result = pipeline.analyze_thrombus(ncct, cta, models=models, threads=1)
    return row | {"readings": _readings(result, ncct, cta, truth)}


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    found = [r for r in rows if r.get("readings")]
    out: dict[str, Any] = {"clots": sum(r["truth_perv"] is not None for r in rows)}
    out["found"] = len(found)
    if len(found) < 3:
        return out
    t_hu = np.array([r["truth_ncct"] for r in found])
    t_perv = np.array([r["truth_perv"] for r in found])
    for way in ("whole", "core"):
        cta_m = np.array([r["readings"][way][0] for r in found])
        nc_m = np.array([r["readings"][way][1] for r in found])
        for name, got, want in (("ncct", nc_m, t_hu), ("perviousness", cta_m - nc_m, t_perv)):
            err = got - want
            out[f"{way}_{name}"] = {
                "bias": round(float(err.mean()), 2),
                "mae": round(float(np.abs(err).mean()), 2),
                "r": round(float(np.corrcoef(got, want)[0, 1]), 3),
            }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--blocks", nargs="+", default=list(BLOCKS), choices=list(BLOCKS))
    ap.add_argument("--models", default=None, help="model folder (default: models_onnx)")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    report: dict[str, Any] = {"blocks": {}}
    print(f"{'block':12s} {'reading':8s} {'found':>7s}  NCCT bias / MAE / r   perv. bias / MAE / r")
    for block in args.blocks:
        rows = [run_case(block, i, args.models) for i in range(args.n)]
        s = summarise(rows)
        report["blocks"][block] = {"summary": s, "cases": rows}
        for way in ("whole", "core"):
            if f"{way}_ncct" not in s:
                continue
            a, b = s[f"{way}_ncct"], s[f"{way}_perviousness"]
            print(
                f"{block:12s} {way:8s} {s['found']:3d}/{s['clots']:<3d}  "
                f"{a['bias']:+6.1f} / {a['mae']:4.1f} / {a['r']:5.2f}   "
                f"{b['bias']:+5.1f} / {b['mae']:4.1f} / {b['r']:5.2f}"
            )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.out, json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
