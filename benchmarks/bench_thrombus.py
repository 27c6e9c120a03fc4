"""Thrombus analysis speed on two loaded 512 x 512 x 320 0.5 mm volumes (NCCT + CTA).

    python benchmarks/bench_thrombus.py [--models DIR] [--quick] [--repeats 3] [--compare TREE]
                                        [--occlusion M1] [--sah]

A worker process loads the two volumes (.npy, generated once into cache/bench_thrombus),
runs ``analyze_thrombus`` (registration, brain mask, both stages, measurements, guardrails,
registered NCCT and probability on the CTA grid) ``--repeats`` times, then the baseline: the
fine network by full-resolution sliding window over the whole brain region. Peak RSS is the
worker's after the analyses (two loaded volumes plus the analysis), read before the baseline
runs (each run's result is dropped before the next); the baseline's own peak is printed
beside it. Bars: median <= 10 s, peak RSS <= 3 GB,
>= 5x faster than the baseline (issue 20: median <= 4 s).

``--arteries`` also times the labelled arterial tree read after each analysis
(``analyze_arteries``, the time it adds to the thrombus analysis; bar of the arterial-tree
issue: median <= 3 s), in the worker, so that peak RSS includes it.

``--compare TREE`` times another source tree (e.g. a git worktree of the code before a
change, its ``app/`` first on ``PYTHONPATH``) beside this one: one analysis per worker
process, alternating trees ``--repeats`` times, so both see the same machine load; the
table gives both medians and their ratio (the baseline runs for this tree only).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results" / "thrombus.json"
CACHE = Path("cache/bench_thrombus")


def _make_volumes(folder: Path, quick: bool, occlusion: str, sah: bool) -> None:
    from strokescope.phantom import PhantomOptions, generate_study

    size = {"matrix": 256, "inplane_mm": 0.8, "slice_mm": 1.0} if quick else {}
    options = PhantomOptions(seed=4242, occlusion=occlusion, motion_mm=3.0, sah=sah, **size)
    study = generate_study(options)
    folder.mkdir(parents=True, exist_ok=True)
    for name, vol in (("ncct", study.ncct), ("cta", study.cta)):
        assert vol is not None
        np.save(folder / f"{name}.npy", vol.array)
        g = vol.geometry
        geom = {"spacing": g.spacing, "origin": g.origin, "direction": g.direction}
        (folder / f"{name}.json").write_text(json.dumps(geom))


def _load(folder: Path, name: str):  # type: ignore[no-untyped-def]
    from strokescope.volume import Volume

    geom = json.loads((folder / f"{name}.json").read_text())
    return Volume.from_array(
        np.load(folder / f"{name}.npy"),
        tuple(geom["spacing"]),
        tuple(geom["origin"]),
        tuple(tuple(r) for r in geom["direction"]),
    )


def _baseline(models, ncct, cta) -> float:  # type: ignore[no-untyped-def]
    """Seconds of the fine network over the whole region at full resolution (with coarse)."""
    from strokescope.preprocess import brain_mask
    from strokescope.preprocess.registration import register_rigid
    from strokescope.thrombus import inference as inf
    from strokescope.thrombus.analysis import _aux_grid
    from strokescope.thrombus.region import analysis_region

    reg = register_rigid(cta, ncct)
    t = time.perf_counter()
    sources = inf.Sources(ncct, cta, reg)
    aux = _aux_grid(cta.geometry)
    brain = brain_mask(inf.Volume(sources.hu_on(aux)[0], aux))
    region = analysis_region(brain, cta.geometry, ncct.geometry, reg, 10.0)
    coarse_grid = inf.model_grid(cta.geometry, models.coarse.spacing_mm, *region)
    coarse = inf.run_padded(models.coarse, inf.normalise(models, sources.hu_on(coarse_grid)))
    fine_grid = inf.model_grid(cta.geometry, models.fine.spacing_mm, *region)
    size = models.fine.patch_size
    starts = inf.tile_starts((0, 0, 0), np.asarray(fine_grid.shape) - 1, size)
    lo = np.min(starts, axis=0)
    box = fine_grid.crop(lo.tolist(), (np.max(starts, 0) + size - lo).tolist())
    p = inf.resample_array(coarse, coarse_grid, box)
    image = np.concatenate([inf.normalise(models, sources.hu_on(box)), p[None]])
    inf.sliding_window(models.fine, image, [tuple(np.asarray(s) - lo) for s in starts])
    return time.perf_counter() - t


def worker(
    folder: Path,
    models_dir: str | None,
    repeats: int,
    baseline: bool = True,
    arteries: bool = False,
) -> dict[str, object]:
    from strokescope.pipeline import analyze_arteries, analyze_thrombus
    from strokescope.thrombus.model import load_models

    ncct, cta = _load(folder, "ncct"), _load(folder, "cta")
    models = load_models(models_dir)
    times, stages, tree = [], [], []
    for _ in range(repeats):
        t = time.perf_counter()
        result = analyze_thrombus(ncct, cta, models=models_dir)
        times.append(time.perf_counter() - t)
        stages.append(result.seconds)
        if arteries:
            t = time.perf_counter()
            result = analyze_arteries(ncct, cta, result)
            tree.append(time.perf_counter() - t)
        del result  # the peak is one analysis's, not two results held at once
    peak_analysis = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    base = _baseline(models, ncct, cta) if baseline else float("nan")
    return {
        "shape": list(cta.shape),
        "spacing": list(cta.spacing),
        "seconds": times,
        "median_s": float(np.median(times)),
        "arteries_seconds": tree,
        "arteries_median_s": float(np.median(tree)) if tree else None,
        "stage_seconds": stages[-1],
        "baseline_full_sliding_window_s": base,
        "peak_rss_gb": peak_analysis,
        "peak_rss_with_baseline_gb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", help="model folder (default: models_onnx)")
    parser.add_argument("--quick", action="store_true", help="256 x 256 x 160 1 mm volumes")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--occlusion",
        default="M1",
        help="the phantom's occlusion (default M1; none: a head without a clot)",
    )
    parser.add_argument(
        "--sah",
        action="store_true",
        help="subarachnoid blood in the head (with the rule on, the basilar second look runs "
        "where no LVO is found and the blood warning is given)",
    )
    parser.add_argument("--arteries", action="store_true", help="also time the arterial tree")
    parser.add_argument("--compare", help="source tree to time beside this one (see above)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--no-baseline", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        res = worker(
            Path(args.worker), args.models, args.repeats, not args.no_baseline, args.arteries
        )
        print(json.dumps(res))
        return 0
    from strokescope.thrombus.model import models_installed

    if not models_installed(args.models):
        print("thrombus model not installed: nothing to benchmark")
        return 0
    folder = CACHE / (
        ("quick" if args.quick else "full")
        + ("" if args.occlusion == "M1" else f"-{args.occlusion}")
        + ("-sah" if args.sah else "")
    )
    if not (folder / "cta.json").is_file():
        _make_volumes(folder, args.quick, args.occlusion, args.sah)
    if args.compare:
        return _compare(folder, args)
    res = _run_worker(folder, args.models, args.repeats, baseline=True, arteries=args.arteries)
    speedup = res["baseline_full_sliding_window_s"] / res["median_s"]
    res.update({"quick": args.quick, "models": args.models or "models_onnx", "speedup": speedup})
    res["occlusion"] = args.occlusion
    res["sah"] = args.sah
    print(f"{'measure':40s} {'value':>10s}  bar")
    print(f"{'volumes (z, y, x)':40s} {'x'.join(map(str, res['shape'])):>10s}")
    print(f"{'analysis median (s)':40s} {res['median_s']:>10.2f}  <= 10")
    if args.arteries:
        print(f"{'arterial tree added, median (s)':40s} {res['arteries_median_s']:>10.2f}  <= 3")
    print(f"{'peak RSS, analysis (GB)':40s} {res['peak_rss_gb']:>10.2f}  <= 3")
    print(f"{'peak RSS, with the baseline (GB)':40s} {res['peak_rss_with_baseline_gb']:>10.2f}")
    print(
        f"{'full-res sliding window baseline (s)':40s} "
        f"{res['baseline_full_sliding_window_s']:>10.2f}"
    )
    print(f"{'speed-up vs baseline':40s} {speedup:>10.1f}  >= 5")
    for k, v in res["stage_seconds"].items():
        print(f"  {k:38s} {v:>10.2f}")
    suffix = ("" if args.occlusion == "M1" else f"_{args.occlusion}") + ("_sah" if args.sah else "")
    out = RESULTS.with_name(f"thrombus{suffix}.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=1) + "\n")
    return 0


def _run_worker(
    folder: Path,
    models: str | None,
    repeats: int,
    *,
    baseline: bool,
    arteries: bool,
    app: str | None = None,
) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--worker", str(folder), "--repeats", str(repeats)]
    cmd += ["--models", models] if models else []
    cmd += [] if baseline else ["--no-baseline"]
    cmd += ["--arteries"] if arteries else []
    env = dict(os.environ)
    if app is not None:
        env["PYTHONPATH"] = app + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env)
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def _compare(folder: Path, args: argparse.Namespace) -> int:
    trees = {"compare": str(Path(args.compare).resolve() / "app"), "this tree": None}
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in trees}
    for _ in range(args.repeats):
        for name, app in trees.items():
            runs[name].append(
                _run_worker(folder, args.models, 1, baseline=False, arteries=args.arteries, app=app)
            )
    report = {}
    print(f"{'tree':12s} {'median (s)':>10s} {'peak RSS (GB)':>14s}  stages (median s)")
    for name, rs in runs.items():
        seconds = [r["median_s"] for r in rs]
        stages = {k: float(np.median([r["stage_seconds"].get(k, 0.0) for r in rs]))
                  for k in rs[0]["stage_seconds"]}  # fmt: skip
        peak = max(r["peak_rss_gb"] for r in rs)
        report[name] = {"seconds": seconds, "median_s": float(np.median(seconds)),
                        "peak_rss_gb": peak, "stage_seconds": stages}  # fmt: skip
        detail = ", ".join(f"{k} {v:.2f}" for k, v in stages.items() if k != "total")
        print(f"{name:12s} {report[name]['median_s']:>10.2f} {peak:>14.2f}  {detail}")
        if args.arteries:
            tree = [r["arteries_median_s"] for r in rs]
            report[name].update(arteries_seconds=tree, arteries_median_s=float(np.median(tree)))
            print(f"{'':12s} arterial tree added, median {np.median(tree):.2f} s")
    ratio = report["this tree"]["median_s"] / report["compare"]["median_s"]
    print(f"ratio this / compare: {ratio:.2f} (compare = {args.compare})")
    if args.arteries:
        this, other = (report[name]["arteries_median_s"] for name in ("this tree", "compare"))
        print(f"arterial tree ratio this / compare: {this / other:.2f}")
    out = RESULTS.with_name("thrombus_compare.json")
    out.parent.mkdir(parents=True, exist_ok=True)  # a fresh checkout has no results folder
    out.write_text(json.dumps({"compare": args.compare, "trees": report}, indent=1) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
