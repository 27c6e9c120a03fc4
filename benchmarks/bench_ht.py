"""Benchmark hemorrhagic-transformation volumetry on phantom follow-up NCCTs.

Accuracy: PH-like and HI2-like bleeds of 0.1-60 mL on 4-5 mm follow-up slices; ROI = lesion
bounding box + 5 mm on its largest slice, over the lesion's slices. Reports mean Dice
(adaptive SD rule vs the global 50-80 HU window, as the paper's Table 3), Lin's CCC of volume,
ABC/2 error and one-click ROI agreement.

Speed: a 512 x 512 x 40 study, preprocessing and one-ROI segmentation, side by side with a
straightforward SimpleITK implementation of the paper's pipeline (full-image filters,
3-D closing), defined here and not in the app.

The paper gives its filter sigmas as "1" without a unit; the app reads one in-plane pixel.
``--mm-sigma`` runs the accuracy cases with sigma = 1 mm instead, to show how much the reading
moves the result.

Usage: ``python benchmarks/bench_ht.py [--quick] [--cases N] [--jobs 2] [--mm-sigma]``;
writes ``benchmarks/results/ht.json`` (``ht_mm_sigma.json`` with ``--mm-sigma``).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import SimpleITK as sitk

from strokescope.atomic import atomic_write_text
from strokescope.evaluation import dice, lins_ccc, pearson_r, volume_errors
from strokescope.hemorrhage import (
    PrepareSettings,
    Roi,
    prepare_ncct,
    propose_roi,
    segment_hemorrhage,
)
from strokescope.hemorrhage.rules import INITIAL_WINDOW_HU, select_rule
from strokescope.io.sitk_convert import volume_to_sitk
from strokescope.volume import Mask, Volume

RESULTS = Path(__file__).resolve().parent / "results" / "ht.json"


@dataclass(frozen=True)
class Case:
    kind: str
    seed: int
    target_ml: float
    ncct: Volume
    truth: Mask


def make_case(kind: str, seed: int, ml: float, slice_mm: float, matrix: int) -> Case:
    """A phantom follow-up NCCT; the field of view is 230 mm whatever the matrix."""
    from strokescope.phantom import PhantomOptions, generate_study

    opts = PhantomOptions(
        seed=seed,
        occlusion="M1",
        hemorrhage=kind,  # type: ignore[arg-type]
        hemorrhage_ml=ml,
        followup_slice_mm=slice_mm,
        matrix=32,  # the baseline NCCT is not used here: keep it tiny (cheap to render)
        slices=2,
        followup_matrix=matrix,
        inplane_mm=230.0 / matrix,
        slice_mm=5.0,
        cta=False,
    )
    study = generate_study(opts)
    return Case(kind, seed, ml, study.followup, study.masks["hemorrhage"])


def lesion_roi(truth: Mask, margin_mm: float = 5.0) -> Roi:
    t = truth.array
    per = t.sum(axis=(1, 2))
    zs = np.flatnonzero(per)
    k = int(np.argmax(per))
    ys, xs = np.flatnonzero(t[k].any(axis=1)), np.flatnonzero(t[k].any(axis=0))
    my = math.ceil(margin_mm / truth.geometry.spacing[1])
    mx = math.ceil(margin_mm / truth.geometry.spacing[2])
    return Roi(
        z=(int(zs[0]), int(zs[-1])),
        y=(int(ys[0]) - my, int(ys[-1]) + my),
        x=(int(xs[0]) - mx, int(xs[-1]) + mx),
    )


def click_point(truth: Mask, study_filtered: npt.NDArray[np.float32]) -> tuple[int, int, int]:
    """A user's click: the lesion voxel of the largest slice nearest its centroid in 50-80 HU."""
    t = truth.array
    k = int(np.argmax(t.sum(axis=(1, 2))))
    rows, cols = np.nonzero(t[k])
    f = study_filtered[k, rows, cols]
    ok = (f >= 50) & (f <= 80)
    if ok.any():
        rows, cols = rows[ok], cols[ok]
    d = (rows - rows.mean()) ** 2 + (cols - cols.mean()) ** 2
    b = int(np.argmin(d))
    return k, int(rows[b]), int(cols[b])


# ----- reference: a straightforward SimpleITK version of the paper's pipeline -------------


def reference_prepare(ncct: Volume) -> tuple[sitk.Image, sitk.Image]:
    """Skull strip (threshold, erode, largest component, dilate, fill) + Gaussian + unsharp."""
    image = volume_to_sitk(ncct)
    tissue = sitk.BinaryThreshold(image, -20.0, 120.0, 1, 0)
    eroded = sitk.BinaryErode(tissue, [4, 4, 1], sitk.sitkBall)
    largest = sitk.RelabelComponent(sitk.ConnectedComponent(eroded), sortByObjectSize=True) == 1
    brain = sitk.BinaryFillhole(sitk.And(sitk.BinaryDilate(largest, [4, 4, 1]), tissue))
    stripped = sitk.Mask(image, brain, outsideValue=20.0)
    pixel = min(image.GetSpacing()[:2])  # sigma 1 = one in-plane pixel, as in the app
    smooth = sitk.SmoothingRecursiveGaussian(stripped, pixel)
    sharp = sitk.UnsharpMask(smooth, [pixel] * 3)
    return sharp, brain


def reference_segment(sharp: sitk.Image, brain: sitk.Image, roi: Roi) -> npt.NDArray[np.bool_]:
    """Threshold 50-80 in the ROI, SD rule, threshold, 3-D ball closing r=4, fill holes."""
    box = sitk.Image(sharp.GetSize(), sitk.sitkUInt8)
    box.CopyInformation(sharp)
    arr = sitk.GetArrayFromImage(box)
    z, y, x = roi.slices
    arr[z, y, x] = 1
    roi_img = sitk.GetImageFromArray(arr)
    roi_img.CopyInformation(sharp)
    region = sitk.And(roi_img, brain)
    initial = sitk.And(sitk.BinaryThreshold(sharp, *INITIAL_WINDOW_HU, 1, 0), region)
    stats = sitk.LabelStatisticsImageFilter()
    stats.Execute(sharp, initial)
    if not stats.HasLabel(1):
        return np.zeros(arr.shape, bool)
    lo, hi = select_rule(stats.GetSigma(1)).window_hu
    seg = sitk.And(sitk.BinaryThreshold(sharp, lo, hi, 1, 0), region)
    seg = sitk.BinaryMorphologicalClosing(seg, [4, 4, 4], sitk.sitkBall)
    seg = sitk.And(sitk.BinaryFillhole(seg), region)
    return sitk.GetArrayFromImage(seg) > 0


# ----- runs ---------------------------------------------------------------------------------


def case_plan(n_cases: int) -> list[tuple[int, str, float, float]]:
    """(index, kind, target mL, slice mm) of each case; the first N of a longer plan are the
    plan of N cases."""
    rng = np.random.default_rng(2024)
    plan = []
    for i in range(n_cases):
        ml = float(np.exp(rng.uniform(math.log(0.1), math.log(60.0))))
        plan.append((i, "PH" if i % 2 == 0 else "HI2", ml, 5.0 if i % 4 < 2 else 4.0))
    return plan


def mm_sigma_settings(ncct: Volume) -> PrepareSettings:
    """Both filter sigmas = 1 mm (the paper's "sigma = 1" read in mm)."""
    per_mm = 1.0 / float(min(ncct.spacing[1:]))
    return PrepareSettings(gaussian_sigma_px=per_mm, unsharp_sigma_px=per_mm)


def run_case(
    item: tuple[int, str, float, float], matrix: int, mm_sigma: bool = False
) -> dict[str, Any] | None:
    i, kind, ml, slice_mm = item
    case = make_case(kind, 1000 + i, ml, slice_mm, matrix)
    if case.truth.voxel_count == 0:
        print(f"case {i}: phantom has an empty hemorrhage mask, skipped")
        return None
    study = prepare_ncct(case.ncct, settings=mm_sigma_settings(case.ncct) if mm_sigma else None)
    result = segment_hemorrhage(study, [lesion_roi(case.truth)])
    try:
        click_roi = propose_roi(study, click_point(case.truth, study.filtered))
        click_ml = segment_hemorrhage(study, [click_roi]).volume_ml
    except Exception as exc:
        print(f"case {i}: click failed: {exc}")
        click_ml = float("nan")
    r = result.rois[0]
    row = {
        "kind": kind,
        "seed": case.seed,
        "slice_mm": slice_mm,
        "target_ml": round(ml, 3),
        "truth_ml": case.truth.volume_ml,
        "adaptive_ml": result.volume_ml,
        "global_ml": result.global_volume_ml,
        "abc2_ml": result.abc2.volume_ml if result.abc2 else 0.0,
        "click_ml": click_ml,
        "dice": dice(result.mask, case.truth),
        "global_dice": dice(result.global_mask, case.truth),
        "sd_hu": r.sd_hu,
        "rule": r.rule.label if r.rule else None,
    }
    print(
        f"{i:3d} {kind:3s} {slice_mm:.0f}mm truth {case.truth.volume_ml:6.2f} mL  "
        f"adaptive {result.volume_ml:6.2f} (Dice {row['dice']:.3f})  "
        f"global {result.global_volume_ml:6.2f} (Dice {row['global_dice']:.3f})  "
        f"SD {r.sd_hu if r.sd_hu is not None else float('nan'):5.2f} "
        f"{r.rule.label if r.rule else '-'}  click {click_ml:6.2f}",
        flush=True,
    )
    return row


def accuracy(n_cases: int, matrix: int, jobs: int, mm_sigma: bool = False) -> dict[str, Any]:
    """Every case of the plan, in ``jobs`` worker processes (rows in case order)."""
    plan = case_plan(n_cases)
    n = len(plan)
    if jobs > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            rows = list(pool.map(run_case, plan, [matrix] * n, [mm_sigma] * n))
    else:
        rows = [run_case(item, matrix, mm_sigma) for item in plan]
    return summarise([r for r in rows if r is not None])


def mean_ci95(values: list[float]) -> list[float]:
    """Normal-approximation 95 % CI of the mean (sample SD / sqrt(n))."""
    if len(values) < 2:
        return [float("nan"), float("nan")]
    half = 1.96 * statistics.stdev(values) / math.sqrt(len(values))
    m = statistics.fmean(values)
    return [m - half, m + half]


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"cases": rows}
    for kind in ("PH", "HI2", "all"):
        sub = [r for r in rows if kind in ("all", r["kind"])]
        if not sub:
            continue
        out[kind] = {
            "n": len(sub),
            "mean_dice": statistics.fmean(r["dice"] for r in sub),
            "sd_dice": statistics.pstdev(r["dice"] for r in sub),
            "mean_dice_ci95": mean_ci95([r["dice"] for r in sub]),
            "mean_global_dice": statistics.fmean(r["global_dice"] for r in sub),
        }
    if len(rows) >= 3:
        truth = [r["truth_ml"] for r in rows]
        ccc = lins_ccc([r["adaptive_ml"] for r in rows], truth)
        out["ccc"] = {"ccc": ccc.ccc, "ci": [ccc.ci_low, ccc.ci_high]}
        out["global_ccc"] = lins_ccc([r["global_ml"] for r in rows], truth).ccc
        out["pearson_r"] = pearson_r([r["adaptive_ml"] for r in rows], truth)
        ve = volume_errors([r["adaptive_ml"] for r in rows], truth)
        out["volume_bias_ml"] = ve.mean_error
        out["volume_mae_ml"] = ve.mean_absolute_error
        out["abc2_mean_relative_error"] = volume_errors(
            [r["abc2_ml"] for r in rows], truth
        ).mean_relative_error
        clicks = [r for r in rows if math.isfinite(r["click_ml"]) and r["adaptive_ml"] > 0]
        if clicks:
            out["click_vs_box_median_rel_diff"] = statistics.median(
                abs(r["click_ml"] - r["adaptive_ml"]) / r["adaptive_ml"] for r in clicks
            )
    return out


def speed(matrix: int, repeats: int) -> dict[str, Any]:
    case = make_case("PH", 7, 20.0, 4.0, matrix)
    roi = lesion_roi(case.truth)
    prep = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        study = prepare_ncct(case.ncct, cache=False)
        prep.append(time.perf_counter() - t0)
    seg = []
    for _ in range(max(10, 5 * repeats)):
        t0 = time.perf_counter()
        result = segment_hemorrhage(study, [roi])
        seg.append(time.perf_counter() - t0)
    ref_prep, ref_seg = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        sharp, brain = reference_prepare(case.ncct)
        t1 = time.perf_counter()
        ref_mask = reference_segment(sharp, brain, roi.resolve(case.ncct.shape)[0])
        ref_prep.append(t1 - t0)
        ref_seg.append(time.perf_counter() - t1)
    ref = Mask(ref_mask, case.ncct.geometry)
    return {
        "shape": list(case.ncct.shape),
        "spacing": list(case.ncct.spacing),
        "strokescope_prepare_s": statistics.median(prep),
        "strokescope_segment_ms": 1000 * statistics.median(seg),
        "reference_prepare_s": statistics.median(ref_prep),
        "reference_segment_ms": 1000 * statistics.median(ref_seg),
        "strokescope_dice": dice(result.mask, case.truth),
        "reference_dice": dice(ref, case.truth),
        "paper_seconds_per_case": 2.7,
    }


def print_tables(acc: dict[str, Any], spd: dict[str, Any]) -> None:
    print()
    print(f"{'set':5s} {'n':>3s} {'adaptive Dice':>16s} {'95% CI of mean':>16s} {'global':>7s}")
    for kind in ("PH", "HI2", "all"):
        if kind in acc:
            a = acc[kind]
            dice_txt = f"{a['mean_dice']:.3f} +-{a['sd_dice']:.2f}"
            ci = "[{:.3f}, {:.3f}]".format(*a["mean_dice_ci95"])
            print(f"{kind:5s} {a['n']:3d} {dice_txt:>16s} {ci:>16s} {a['mean_global_dice']:7.3f}")
    if "ccc" in acc:
        c, lo, hi = acc["ccc"]["ccc"], *acc["ccc"]["ci"]
        print(f"Lin's CCC (volume) {c:.3f} [{lo:.3f}, {hi:.3f}]; global {acc['global_ccc']:.3f}")
        click = acc.get("click_vs_box_median_rel_diff", float("nan"))
        abc = acc["abc2_mean_relative_error"]
        print(f"ABC/2 mean relative error {abc:.2f}; click-vs-box median rel. diff {click:.3f}")
    print()
    print(f"speed on {spd['shape']} at {spd['spacing']} mm")
    rows = [
        ("preprocess (s)", spd["strokescope_prepare_s"], spd["reference_prepare_s"], ".2f"),
        ("one ROI (ms)", spd["strokescope_segment_ms"], spd["reference_segment_ms"], ".1f"),
        ("Dice on this case", spd["strokescope_dice"], spd["reference_dice"], ".3f"),
    ]
    print(f"{'':22s} {'strokescope':>12s} {'SimpleITK ref':>14s}")
    for name, ours, ref, fmt in rows:
        print(f"{name:22s} {ours:12{fmt}} {ref:14{fmt}}")
    print("paper: 2.7 s per case (laptop CPU)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="8 small cases, 256 matrix")
    parser.add_argument("--cases", type=int, default=None, help="number of cases (default 48)")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes for accuracy")
    parser.add_argument(
        "--mm-sigma",
        action="store_true",
        help="accuracy with filter sigmas of 1 mm instead of one in-plane pixel",
    )
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    n = args.cases or (8 if args.quick else 48)
    matrix = 256 if args.quick else 512
    acc = accuracy(n, matrix, args.jobs, args.mm_sigma)
    spd = speed(matrix, 1 if args.quick else 3)
    print_tables(acc, spd)
    out = args.out or (RESULTS.with_name("ht_mm_sigma.json") if args.mm_sigma else RESULTS)
    out.parent.mkdir(parents=True, exist_ok=True)
    sigma = "1 mm" if args.mm_sigma else "1 in-plane pixel"  # speed always runs the app's
    report = {"quick": args.quick, "accuracy_filter_sigma": sigma, "accuracy": acc, "speed": spd}
    atomic_write_text(out, json.dumps(report, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
