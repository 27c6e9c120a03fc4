"""Held-out phantom evaluation of the thrombus analysis (``strokescope evaluate``).

Cases: phantom seeds ``HELD_OUT_SEED0 + i`` (900000...). Training draws its phantoms from
``training.make_phantoms.random_options(dataset_seed, index)``, whose phantom seeds come from a
random generator over 0..2**31 keyed by small dataset seeds, so this fixed block is never a
training case by construction (odds of a collision ~ n_train x n / 2**31). Decision rules
are calibrated on another fixed block, ``--seed0 800000`` (``CALIBRATION_SEED0``), so the
held-out block is only ever used to report. Occlusion cycles
ICA, M1, M2, none; sides alternate; every third case has a calcified siphon, every fifth
subarachnoid blood; the "none" cases with calcification are the calcification-only mimics.
Geometry: 0.5 mm slices, 0.5 mm pixels, 400 x 400 matrix (200 mm field of view, the same as
training phantoms); ``--quick`` uses 1 mm voxels and 200 x 200 for a smoke run.

Held-out bars: median Dice >= 0.80, median |length error| <= 2 mm, volume Pearson r >= 0.95,
LVO sensitivity/specificity >= 95 %, occlusion sensitivity >= 90 % and specificity >= 95 %,
no thrombus on calcification-only phantoms.

Sensitivity is also read *at the clot* (``*_sensitivity_at_clot``): a case counts as found
only where a thrombus that makes the call overlaps the true clot - for the LVO call, a
thrombus the rules count as LVO; for the occlusion call, any thrombus. A right call from a
thrombus somewhere else - a false "ICA" beside a missed M1 clot, or an LVO called from a
false "ICA" while an "M2" piece touches the clot - is a lucky call, not a detection; the
sensitivity bars are read at the clot. Each thrombus row carries its overlap with the clot
(``truth_overlap_mm3``) and whether it makes the LVO call (``lvo``); rows written before
those existed are read by the case's whole mask (Dice > 0).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from strokescope.atomic import atomic_write_text
from strokescope.errors import InputError
from strokescope.thrombus.shifts import EvalCase, check_suite, make_case, suite_bars

if TYPE_CHECKING:
    from strokescope.thrombus.model import ThrombusModels
    from strokescope.thrombus.result import ThrombusResult
    from strokescope.volume import Mask

HELD_OUT_SEED0 = 900_000
CALIBRATION_SEED0 = 800_000
OCCLUSIONS = ("ICA", "M1", "M2", "none")


def case_options(i: int, *, quick: bool, seed0: int = HELD_OUT_SEED0) -> dict[str, Any]:
    """Phantom options of case ``i`` of the block starting at ``seed0``."""
    geometry = (
        {"inplane_mm": 1.0, "matrix": 200, "slice_mm": 1.0}
        if quick
        else {"inplane_mm": 0.5, "matrix": 400, "slice_mm": 0.5}
    )
    return {
        "seed": seed0 + i,
        "occlusion": OCCLUSIONS[i % 4],
        "side": ("left", "right")[(i // 4) % 2],
        "calcification": i % 3 == 0,
        "sah": i % 5 == 0,
        "motion_mm": float(i % 4),
        "rotation_deg": (float(i % 7 - 3), float(i % 5 - 2), float(i % 3 - 1)),
        **geometry,
    }


def models_key(models: ThrombusModels) -> str:
    """Checksum of what decides a case's result: the networks and every decision rule of
    the manifest (resumed evaluations reuse a finished case only under the same key)."""
    onnx = sorted((k, v) for k, v in models.sha256.items() if k.endswith(".onnx"))
    rules = json.dumps(dataclasses.asdict(models.rules), sort_keys=True, default=str)
    return hashlib.sha256(json.dumps([onnx, rules]).encode()).hexdigest()[:16]


def thrombus_overlaps(result: ThrombusResult, truth: Mask | None) -> list[float]:
    """Volume (mm3) of the true clot inside each thrombus of ``result``, in its order
    (:func:`strokescope.thrombus.thrombus_voxels.thrombus_voxels`: two thrombi that touch
    share one component, and both are credited with its overlap)."""
    from strokescope.thrombus.thrombus_voxels import thrombus_voxels

    if truth is None:
        return [0.0] * len(result.thrombi)
    voxel = result.mask.geometry.voxel_volume_mm3
    return [round(float(truth.array[tuple(v.T)].sum()) * voxel, 1) for v in thrombus_voxels(result)]


def evaluate_case(case: EvalCase, *, models: str | None) -> dict[str, Any]:
    """Analyse one evaluation pair and compare it with its truth (one JSON-ready row)."""
    from strokescope.evaluation import dice
    from strokescope.pipeline import analyze_thrombus
    from strokescope.thrombus.model import load_models

    t = time.perf_counter()
    result = analyze_thrombus(case.ncct, case.cta, models=models)
    seconds = time.perf_counter() - t
    rules = load_models(models).rules  # cached: the models the analysis ran
    overlaps = thrombus_overlaps(result, case.truth_mask)
    return {
        "seed": case.seed,
        "occlusion": case.occlusion,
        "calcification": case.calcification,
        "sah": case.sah,
        "truth_class": case.truth_class,
        "pred_class": result.occlusion_class,
        "pred_occlusion": result.occlusion,
        "pred_lvo": result.lvo,
        "pred_volume_mm3": result.mask.volume_mm3,
        "truth_volume_mm3": case.truth_volume_mm3,
        "truth_length_mm": case.truth_length_mm,
        "pred_length_mm": max((t.length_mm for t in result.thrombi), default=None),
        "pred_segments": [t.segment for t in result.thrombi],
        "pred_thrombi": [
            {
                "segment": t.segment,
                "side": t.side,
                "volume_mm3": round(t.volume_mm3, 1),
                "length_mm": t.length_mm,
                "probability_mean": t.probability_mean,
                "found_by": t.found_by,
                "lvo": rules.is_lvo(t),
                "truth_overlap_mm3": overlap,
            }
            for t, overlap in zip(result.thrombi, overlaps, strict=True)
        ],
        "dice": None if case.truth_mask is None else dice(result.mask, case.truth_mask),
        "seconds": round(seconds, 2),
        "warnings": list(result.warnings),
    }


def at_clot(row: dict[str, Any], *, lvo: bool = False) -> bool:
    """Whether a thrombus of a case with a clot overlaps that clot (with ``lvo``, a thrombus
    that makes the LVO call); rows without per-thrombus overlaps: the whole mask."""
    thrombi = row.get("pred_thrombi") or []
    if thrombi and all("truth_overlap_mm3" in t for t in thrombi):
        return any(t["truth_overlap_mm3"] > 0.0 and (t["lvo"] or not lvo) for t in thrombi)
    return row["dice"] is not None and row["dice"] > 0.0


def summarise(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    from strokescope.evaluation import diagnostic_accuracy, pearson_r

    pos = [r for r in rows if r["truth_class"] != "none"]
    dices = [r["dice"] for r in pos if r["dice"] is not None]
    len_err = [
        abs(r["pred_length_mm"] - r["truth_length_mm"])
        for r in pos
        if r["pred_length_mm"] is not None and r["truth_length_mm"] is not None
    ]
    vols = [(r["pred_volume_mm3"], r["truth_volume_mm3"]) for r in pos]
    lvo = diagnostic_accuracy(
        [r["pred_lvo"] for r in rows], [r["truth_class"] == "LVO" for r in rows]
    )
    occ = diagnostic_accuracy(
        [r["pred_occlusion"] for r in rows], [r["truth_class"] != "none" for r in rows]
    )
    lvo_at = diagnostic_accuracy(
        [r["pred_lvo"] and at_clot(r, lvo=True) for r in pos],
        [r["truth_class"] == "LVO" for r in pos],
    )
    occ_at = diagnostic_accuracy(
        [r["pred_occlusion"] and at_clot(r) for r in pos], [True] * len(pos)
    )
    calc_only = [r for r in rows if r["truth_class"] == "none" and r["calcification"]]
    r_vol = pearson_r(*zip(*vols, strict=True)) if len(vols) >= 3 else float("nan")
    return {
        "n": len(rows),
        "n_positive": len(pos),
        "median_dice": float(np.median(dices)) if dices else float("nan"),
        "median_abs_length_error_mm": float(np.median(len_err)) if len_err else float("nan"),
        "volume_pearson_r": float(r_vol),
        "lvo_sensitivity": lvo.sensitivity,
        "lvo_sensitivity_ci95": list(lvo.sensitivity_ci),
        "lvo_sensitivity_at_clot": lvo_at.sensitivity,
        "lvo_sensitivity_at_clot_ci95": list(lvo_at.sensitivity_ci),
        "lvo_specificity": lvo.specificity,
        "lvo_specificity_ci95": list(lvo.specificity_ci),
        "occlusion_sensitivity": occ.sensitivity,
        "occlusion_sensitivity_ci95": list(occ.sensitivity_ci),
        "occlusion_sensitivity_at_clot": occ_at.sensitivity,
        "occlusion_sensitivity_at_clot_ci95": list(occ_at.sensitivity_ci),
        "occlusion_specificity": occ.specificity,
        "occlusion_specificity_ci95": list(occ.specificity_ci),
        "calcification_only_cases": len(calc_only),
        "calcification_only_with_thrombus": sum(r["pred_occlusion"] for r in calc_only),
        "median_seconds": float(np.median([r["seconds"] for r in rows])),
    }


BARS = {
    "median_dice": (">=", 0.80),
    "median_abs_length_error_mm": ("<=", 2.0),
    "volume_pearson_r": (">=", 0.95),
    "lvo_sensitivity_at_clot": (">=", 0.95),
    "lvo_specificity": (">=", 0.95),
    "occlusion_sensitivity_at_clot": (">=", 0.90),
    "occlusion_specificity": (">=", 0.95),
    "calcification_only_with_thrombus": ("<=", 0),
}


def table(summary: dict[str, Any], bars: dict[str, tuple[str, float]] | None = None) -> str:
    bars = BARS if bars is None else bars
    lines = [f"{'metric':38s} {'value':>10s}  bar      pass"]
    for key, value in summary.items():
        bar = bars.get(key)
        if isinstance(value, list):
            lines.append(f"{'  95% CI':38s} {f'[{value[0]:.3f}, {value[1]:.3f}]':>16s}")
            continue
        if bar is None:
            lines.append(
                f"{key:38s} {value:>10.3f}"
                if isinstance(value, float)
                else f"{key:38s} {value:>10}"
            )
            continue
        op, limit = bar
        ok = value >= limit if op == ">=" else value <= limit
        lines.append(f"{key:38s} {float(value):>10.3f}  {op} {limit:<5g} {'yes' if ok else 'NO'}")
    return "\n".join(lines)


def bars_met(summary: dict[str, Any], bars: dict[str, tuple[str, float]]) -> dict[str, bool]:
    """Whether ``summary`` meets each of ``bars`` (metric -> (operator, limit))."""
    out = {}
    for key, (op, limit) in bars.items():
        value = float(summary[key])
        out[key] = value >= limit if op == ">=" else value <= limit
    return out


def _pct(value: float, ci: list[float]) -> str:
    return f"{value:.2f} [{ci[0]:.2f},{ci[1]:.2f}]"


CALL_COLUMNS = (
    "lvo_sensitivity",
    "lvo_sensitivity_at_clot",
    "lvo_specificity",
    "occlusion_sensitivity",
    "occlusion_sensitivity_at_clot",
    "occlusion_specificity",
)


def _cell(summary: dict[str, Any], key: str) -> str:
    return _pct(summary[key], summary[f"{key}_ci95"])


def suites_table(results: dict[str, Any]) -> str:
    """One row per suite: n, Dice, length error, volume r, calls with 95 % CIs (the
    sensitivities also at the clot), bars."""
    head = (
        f"{'suite':18s} {'n':>3s} {'Dice':>6s} {'|dL|mm':>7s} {'vol r':>6s} "
        f"{'LVO sens':>17s} {'at the clot':>17s} {'LVO spec':>17s} {'occ sens':>17s} "
        f"{'at the clot':>17s} {'occ spec':>17s} "
        f"{'calc FP':>7s}  bars"
    )
    lines = [head, "-" * len(head)]
    for name, r in results.items():
        s = r["summary"]
        failed = [k for k, ok in r["bars_met"].items() if not ok]
        lines.append(
            f"{name:18s} {s['n']:3d} {s['median_dice']:6.3f} "
            f"{s['median_abs_length_error_mm']:7.2f} {s['volume_pearson_r']:6.3f} "
            + "".join(f"{_cell(s, key):>17s} " for key in CALL_COLUMNS)
            + f"{s['calcification_only_with_thrombus']:3d}/{s['calcification_only_cases']:<3d}  "
            + ("all met" if not failed else "NOT met: " + ", ".join(failed))
        )
    return "\n".join(lines)


def pooled(docs: list[dict[str, Any]]) -> dict[str, Any]:
    """Runs of disjoint parts of one block (``run`` with ``--first``) as one run: the same
    suite, models and geometry, cases in seed order, the summary read on them all;
    ``InputError`` when they do not belong together or overlap. One run is its own pool."""
    if len(docs) == 1:
        return docs[0]
    first = docs[0]
    for doc in docs[1:]:
        for key in ("suite", "held_out", "quick", "models"):
            if doc.get(key) != first.get(key):
                raise InputError(f"runs differ in {key}: {first.get(key)!r} and {doc.get(key)!r}")
    rows = sorted((r for d in docs for r in d["cases"]), key=lambda r: int(r["seed"]))
    seeds = [int(r["seed"]) for r in rows]
    if len(set(seeds)) != len(seeds):
        raise InputError("runs overlap: a seed is in more than one of them")
    start = min(int(d.get("first", 0)) for d in docs)
    return {**first, "seeds": [seeds[0], seeds[-1]], "first": start, "summary": summarise(rows),
            "cases": rows}  # fmt: skip


def run(args: argparse.Namespace) -> int:
    """Evaluate ``args.n`` phantom pairs, print the table against the bars, write JSON."""
    first = int(args.first)
    if args.n < 4:
        raise InputError(f"--n {args.n}: at least 4 pairs are needed (one per occlusion site)")
    if first < 0:
        raise InputError(f"--first {first}: the first case of a block is 0 or more")
    seed0 = HELD_OUT_SEED0 if args.seed0 is None else int(args.seed0)
    suite = args.suite
    check_suite(suite)
    if suite != "in-distribution" and seed0 != HELD_OUT_SEED0:
        raise InputError(f"--seed0 {seed0}: shift suites are held-out blocks; only report them")
    from strokescope.thrombus.model import load_models

    load_models(args.models)  # a missing or altered folder fails before any phantom is made
    rows = []
    for i in range(first, first + args.n):
        case = make_case(suite, i, quick=args.quick, seed0=seed0)
        rows.append(evaluate_case(case, models=args.models))
        r = rows[-1]
        dice = "-" if r["dice"] is None else f"{r['dice']:.3f}"
        print(
            f"case {i:3d} seed {r['seed']}: {r['truth_class']:5s} -> {r['pred_class']:5s} "
            f"Dice {dice} volume {r['pred_volume_mm3']:.0f}/{r['truth_volume_mm3']:.0f} mm3 "
            f"{r['seconds']:.1f} s",
            flush=True,
        )
    summary = summarise(rows)
    print(table(summary, BARS if suite == "in-distribution" else suite_bars(suite)))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    doc = {
        "suite": suite,
        "seeds": [rows[0]["seed"], rows[-1]["seed"]],
        "first": first,
        "held_out": seed0 == HELD_OUT_SEED0 or suite != "in-distribution",
        "quick": args.quick,
        "models": args.models or "models_onnx",
        "summary": summary,
        "cases": rows,
    }
    atomic_write_text(out, json.dumps(doc, indent=1, default=float) + "\n")
    print(f"wrote {out}")
    return 0
