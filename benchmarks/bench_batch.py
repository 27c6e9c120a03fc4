"""Cohort batch on Dask: 1 vs 2 local worker processes, peak memory, rerun time.

Writes N seeded phantom studies (default 12; cached under ``--cache``), then runs the same
cohort through ``strokescope.batch.run.run_cohort`` on a local Dask cluster of 1 worker and
of 2 workers (one thread each, started before the clock so the times are the batch's own),
reads each worker's peak RSS, and times a rerun of the finished batch (a fresh CLI
process: start-up and model check included; every case skipped, no cluster started).
Bars of the batch work: speed-up >= 1.7x, peak RSS <= 3 GB per worker, rerun <= 5 s.

    python benchmarks/bench_batch.py [--n 12] [--matrix 192] [--inplane-mm 1.0]

Prints a table and writes ``benchmarks/results/bench_batch.json``. The speed-up needs at
least two idle cores.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OCCLUSIONS = ("M1", "none", "M2", "ICA")
BAR_SPEEDUP, BAR_RSS_GB, BAR_RERUN_S = 1.7, 3.0, 5.0


def write_cohort(cache: Path, n: int, matrix: int, inplane_mm: float) -> Path:
    """N phantom studies (written once per geometry) and their cohort file."""
    from strokescope.phantom import PhantomOptions, generate_study, write_study

    folder = cache / f"studies-{matrix}-{inplane_mm:g}"
    rows = []
    for i in range(n):
        study_dir = folder / f"case{i:03d}"
        occlusion = OCCLUSIONS[i % len(OCCLUSIONS)]
        if not (study_dir / "truth" / "truth.json").is_file():
            options = PhantomOptions(
                seed=1000 + i,
                occlusion=occlusion,
                matrix=matrix,
                inplane_mm=inplane_mm,
                slice_mm=inplane_mm,
            )
            write_study(generate_study(options), study_dir, processes=2)
        rows.append({"case_id": study_dir.name, "study": str(study_dir)})
    cohort = folder / f"cohort-{n}.csv"
    with open(cohort, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=["case_id", "study"])
        writer.writeheader()
        writer.writerows(rows)
    return cohort


def peak_rss_mb() -> float:
    """This process' peak resident set size, MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_on_workers(cohort: Path, out: Path, workers: int) -> dict[str, Any]:
    """Run the cohort on a fresh local cluster of ``workers`` processes."""
    from distributed import Client, LocalCluster

    from strokescope.batch.cluster import ONE_THREAD
    from strokescope.batch.run import ClusterOptions, run_cohort

    shutil.rmtree(out, ignore_errors=True)
    with (
        LocalCluster(
            n_workers=workers,
            processes=True,
            threads_per_worker=1,
            dashboard_address=":0",
            env=ONE_THREAD,
        ) as cluster,
        Client(cluster) as client,
    ):
        start = time.perf_counter()
        report = run_cohort(
            cohort,
            out,
            device="cpu",
            threads=1,
            cluster=ClusterOptions(scheduler=cluster.scheduler_address),
        )
        seconds = time.perf_counter() - start
        rss = sorted(client.run(peak_rss_mb).values())
    return {
        "workers": workers,
        "seconds": round(seconds, 2),
        "cases": len(report.records),
        "failed": report.failed,
        "peak_rss_mb_per_worker": [round(v, 1) for v in rss],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=12, help="phantom studies (default 12)")
    parser.add_argument("--matrix", type=int, default=192, help="in-plane matrix (default 192)")
    parser.add_argument("--inplane-mm", type=float, default=1.0, help="pixel and slice mm")
    parser.add_argument("--cache", type=Path, default=ROOT / "cache" / "bench_batch")
    parser.add_argument(
        "--json", type=Path, default=ROOT / "benchmarks" / "results" / "bench_batch.json"
    )
    args = parser.parse_args(argv)

    cohort = write_cohort(args.cache, args.n, args.matrix, args.inplane_mm)
    one = run_on_workers(cohort, args.cache / "out-1", 1)
    two = run_on_workers(cohort, args.cache / "out-2", 2)
    # the rerun as a user runs it: a fresh CLI process (start-up and model check included)
    command = [sys.executable, "-m", "strokescope.cli", "batch", str(cohort), "--out"]
    start = time.perf_counter()
    done = subprocess.run(
        [*command, str(args.cache / "out-2"), "--device", "cpu"],
        capture_output=True,
        text=True,
        check=True,
    )
    rerun_s = time.perf_counter() - start
    skipped = int(re.search(r"(\d+) skipped as finished", done.stdout).group(1))  # type: ignore[union-attr]
    speedup = one["seconds"] / two["seconds"]
    peak_gb = max(one["peak_rss_mb_per_worker"] + two["peak_rss_mb_per_worker"]) / 1024
    result = {
        "n": args.n,
        "matrix": args.matrix,
        "inplane_mm": args.inplane_mm,
        "runs": [one, two],
        "speedup": round(speedup, 2),
        "peak_rss_gb_per_worker": round(peak_gb, 3),
        "rerun_seconds": round(rerun_s, 2),
        "rerun_skipped": skipped,
        "bars": {"speedup": BAR_SPEEDUP, "peak_rss_gb": BAR_RSS_GB, "rerun_s": BAR_RERUN_S},
        "cpu_count": os.cpu_count(),
        "load_average": os.getloadavg(),
        "platform": platform.platform(),
        "python": sys.version.split()[0],
    }
    print(f"{'':24}{'1 worker':>12}{'2 workers':>12}")
    print(f"{'seconds':24}{one['seconds']:>12.1f}{two['seconds']:>12.1f}")
    rss1, rss2 = max(one["peak_rss_mb_per_worker"]), max(two["peak_rss_mb_per_worker"])
    print(f"{'peak RSS/worker (MiB)':24}{rss1:>12.0f}{rss2:>12.0f}")
    print(f"speed-up {speedup:.2f}x (bar >= {BAR_SPEEDUP}x)")
    print(f"peak RSS per worker {peak_gb:.2f} GB (bar <= {BAR_RSS_GB} GB)")
    print(f"rerun of the finished batch {rerun_s:.2f} s, {skipped} skipped (bar <= 5 s)")
    print(f"load average {result['load_average'][0]:.2f} on {os.cpu_count()} CPUs")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
