"""End-to-end wall time of ``strokescope thrombus --out`` on the demo study's DICOM folders.

    python benchmarks/bench_cli.py [--repeats 3] [--cache cache/demo] [--compare PATH]

Each run is a fresh process of the installed console script (Python start-up, DICOM
loading, the analysis, the export of SEG, SR, PDF, JSON, CSV and NIfTI), timed from outside
with its user and system CPU seconds (``resource.getrusage`` of the child). ``--compare``
runs the same command with another source tree first on ``PYTHONPATH`` (e.g. a git worktree
of the code before a change), alternating runs so both see the same machine load. Prints a
table and writes ``benchmarks/results/cli.json``. Bar (issue 20): median <= 6 s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results" / "cli.json"
BAR_S = 6.0


def _one_run(ncct: Path, cta: Path, app: str | None) -> dict[str, float]:
    env = dict(os.environ)
    if app is not None:
        env["PYTHONPATH"] = app + os.pathsep + env.get("PYTHONPATH", "")
    out = Path(tempfile.mkdtemp(prefix="bench-cli-"))
    exe = Path(sys.executable).with_name("strokescope")
    cmd = [str(exe), "thrombus", "--ncct", str(ncct), "--cta", str(cta), "--out", str(out)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, capture_output=True)
    wall = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    shutil.rmtree(out, ignore_errors=True)
    return {
        "wall_s": wall,
        "user_s": after.ru_utime - before.ru_utime,
        "system_s": after.ru_stime - before.ru_stime,
    }


def _summary(runs: list[dict[str, float]]) -> dict[str, Any]:
    return {
        "runs": runs,
        "median_wall_s": float(np.median([r["wall_s"] for r in runs])),
        "median_user_s": float(np.median([r["user_s"] for r in runs])),
        "median_system_s": float(np.median([r["system_s"] for r in runs])),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--cache", default="cache/demo", help="demo study cache folder")
    parser.add_argument("--compare", help="source tree (its app/ folder) to time beside this one")
    args = parser.parse_args()
    from strokescope.demo import ensure_demo_study

    demo = ensure_demo_study(args.cache)
    trees: dict[str, str | None] = {"this tree": None}
    if args.compare:
        trees = {f"compare ({args.compare})": str(Path(args.compare) / "app"), **trees}
    runs: dict[str, list[dict[str, float]]] = {name: [] for name in trees}
    _one_run(demo.ncct, demo.cta, None)  # warm the file cache; not counted
    for _ in range(args.repeats):
        for name, app in trees.items():
            runs[name].append(_one_run(demo.ncct, demo.cta, app))
    report = {name: _summary(r) for name, r in runs.items()}
    print(f"{'tree':44s} {'wall (s)':>9s} {'user (s)':>9s} {'sys (s)':>9s}  bar <= {BAR_S:g} s")
    for name, rep in report.items():
        print(
            f"{name[:44]:44s} {rep['median_wall_s']:>9.2f} {rep['median_user_s']:>9.2f} "
            f"{rep['median_system_s']:>9.2f}"
        )
    if args.compare:
        ratio = report["this tree"]["median_wall_s"] / next(iter(report.values()))["median_wall_s"]
        print(f"wall ratio this / compare: {ratio:.2f}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"repeats": args.repeats, "trees": report}, indent=1) + "\n")
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
