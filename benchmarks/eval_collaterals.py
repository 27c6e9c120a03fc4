"""The collateral ratio and grade (strokescope.thrombus.collaterals) against phantom truth.

    python benchmarks/eval_collaterals.py [--n 20] [--full] [--blocks A-calibration A-held-out B]

Each case is an ICA or M1 clot (alternating, sides alternating) whose downstream arteries
get a known fraction of the normal enhancement on the CTA (family A: ``distal_enhancement``
drawn from 0-1; family B: its own draw, 0-0.6). The ratio is measured around the *true* clot
(the phantom's mask), so this checks the collateral measurement, not the detection; NCCT and
CTA are registered as in the app. Truth grade: Tan's grade of the true fraction with the same
cut-offs. Prints per block: cases graded, exact grade agreement, agreement within one grade,
Spearman rank correlation of ratio and true fraction; writes
``benchmarks/results/eval_collaterals.json``. ``A-calibration`` (seeds 830000+) is where the
method was looked at; ``A-held-out`` (930000+) and ``B`` (family B, 700000+) only report.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

from strokescope.atomic import atomic_write_text
from strokescope.preprocess import brain_mask
from strokescope.preprocess.registration import register_rigid
from strokescope.thrombus.anatomy import midsagittal_plane
from strokescope.thrombus.collaterals import collateral_grade, collateral_ratio
from strokescope.volume import Mask, Volume

OUT = Path(__file__).parent / "results" / "eval_collaterals.json"
BLOCKS = {"A-calibration": 830_000, "A-held-out": 930_000, "B": 700_000}


def _case(block: str, i: int, full: bool) -> tuple[Volume, Volume, Mask, str, str, float]:
    occlusion, side = ("ICA", "M1")[i % 2], ("left", "right")[(i // 2) % 2]
    seed = BLOCKS[block] + i
    if block == "B":
        from strokescope.phantom_b import generate_case_b

        b = generate_case_b(seed, occlusion=occlusion, side=side, quick=not full)
        assert b.distal_fraction is not None
        return b.ncct, b.cta, b.thrombus, occlusion, side, b.distal_fraction
    from strokescope.phantom import PhantomOptions, generate_study

    fraction = float(np.random.default_rng([seed, 7]).uniform(0.0, 1.0))
    geometry = {} if full else {"inplane_mm": 1.0, "matrix": 200, "slice_mm": 1.0}
    options = PhantomOptions(
        seed=seed, occlusion=occlusion, side=side, distal_enhancement=fraction, **geometry
    )
    study = generate_study(options)
    assert study.cta is not None
    return study.ncct, study.cta, study.masks["thrombus"], occlusion, side, fraction


def measure(block: str, i: int, full: bool) -> dict[str, Any]:
    ncct, cta, clot, occlusion, side, fraction = _case(block, i, full)
    reg = register_rigid(cta, ncct)
    plane = midsagittal_plane(brain_mask(ncct))
    points = cta.geometry.index_to_lps(np.argwhere(clot.array).astype(float))
    ratio = collateral_ratio(points, side, occlusion, plane, cta, ncct, reg)
    return {
        "i": i,
        "occlusion": occlusion,
        "side": side,
        "true_fraction": round(fraction, 3),
        "true_grade": collateral_grade(fraction),
        "ratio": ratio,
        "grade": None if ratio is None else collateral_grade(ratio),
    }


def _spearman(a: list[float], b: list[float]) -> float:
    ra, rb = np.argsort(np.argsort(a)), np.argsort(np.argsort(b))
    return float(np.corrcoef(ra, rb)[0, 1]) if len(a) >= 3 else float("nan")


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    graded = [r for r in rows if r["grade"] is not None]
    diff = [abs(r["grade"] - r["true_grade"]) for r in graded]
    return {
        "n": len(rows),
        "graded": len(graded),
        "exact": float(np.mean([d == 0 for d in diff])) if diff else float("nan"),
        "within_one": float(np.mean([d <= 1 for d in diff])) if diff else float("nan"),
        "spearman_ratio_fraction": _spearman(
            [r["ratio"] for r in graded], [r["true_fraction"] for r in graded]
        ),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20)
    ap.add_argument("--full", action="store_true", help="full-resolution phantoms (slow)")
    ap.add_argument("--blocks", nargs="+", default=list(BLOCKS), choices=list(BLOCKS))
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    result: dict[str, Any] = {"full": args.full, "blocks": {}}
    print(f"{'block':14s} {'n':>3s} {'graded':>6s} {'exact':>6s} {'+-1':>6s} {'spearman':>8s}")
    for block in args.blocks:
        rows = []
        for i in range(args.n):
            rows.append(measure(block, i, args.full))
            print(json.dumps({"block": block, **rows[-1]}), flush=True)
        s = summarise(rows)
        result["blocks"][block] = {"summary": s, "cases": rows}
        print(
            f"{block:14s} {s['n']:3d} {s['graded']:6d} {s['exact']:6.2f} {s['within_one']:6.2f} "
            f"{s['spearman_ratio_fraction']:8.2f}",
            flush=True,
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(args.out, json.dumps(result, indent=1) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
