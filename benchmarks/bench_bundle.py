"""Offline bundle: size on disk and GUI start to main window, from dist/StrokeScope.

Needs a built bundle (``make bundle``). The GUI runs offscreen with ``--quit-after-load``,
which prints a line as soon as the main window is shown; the time from process start to that
line is "start to main window" (cold process, warm file cache after the first run, which is
dropped). Also times the bundled CLI's ``--version`` (process start alone).

    python benchmarks/bench_bundle.py [--quick] [--bundle dist/StrokeScope]

Prints a table and writes ``benchmarks/results/bundle.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BAR_SECONDS = 3.0
BAR_MB = 450.0


def folder_mb(folder: Path) -> float:
    """Size on disk (allocated blocks, links not followed), MiB."""
    return (
        sum(
            p.stat().st_blocks * 512
            for p in folder.rglob("*")
            if p.is_file() and not p.is_symlink()
        )
        / 2**20
    )


def clean_env(home: Path) -> dict[str, str]:
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
        "XDG_RUNTIME_DIR": str(home),
    }


def time_until(cmd: list[str], marker: str, env: dict[str, str]) -> float:
    """Seconds from launching ``cmd`` until it prints a line containing ``marker``."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
    )
    assert proc.stdout is not None
    seen = None
    for line in proc.stdout:
        if marker in line and seen is None:
            seen = time.perf_counter() - start
    proc.wait(timeout=60)
    if seen is None or proc.returncode != 0:
        raise SystemExit(f"bench_bundle: {cmd[0]} exited {proc.returncode} without {marker!r}")
    return seen


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="3 runs instead of 7")
    p.add_argument("--bundle", type=Path, default=ROOT / "dist" / "StrokeScope")
    p.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "bundle.json")
    args = p.parse_args()
    bundle = args.bundle.resolve()
    if not (bundle / "strokescope").is_file():
        raise SystemExit(f"bench_bundle: no bundle at {bundle} (run make bundle)")
    home = ROOT / "cache" / "bench-bundle-home"
    home.mkdir(parents=True, exist_ok=True)
    env = clean_env(home)
    runs = 3 if args.quick else 7
    gui = [str(bundle / "strokescope-gui"), "--quit-after-load"]
    time_until(gui, "main window shown", env)  # warm the file cache once
    gui_s = [time_until(gui, "main window shown", env) for _ in range(runs)]
    cli_s = [
        time_until([str(bundle / "strokescope"), "--version"], "strokescope", env)
        for _ in range(runs)
    ]
    size = folder_mb(bundle)
    internal = bundle / "_internal"
    parts = {
        name: folder_mb(internal / name)
        if (internal / name).is_dir()
        else (internal / name).stat().st_blocks * 512 / 2**20
        for name in ("SimpleITK", "PySide6", "onnxruntime", "numpy.libs", "libpython3.11.so.1.0")
        if (internal / name).exists()
    }
    rows = [
        ("bundle size on disk (MiB)", f"{size:.0f}", f"<= {BAR_MB:.0f}", size <= BAR_MB),
        (
            "GUI start to main window, median (s)",
            f"{statistics.median(gui_s):.2f}",
            f"<= {BAR_SECONDS}",
            statistics.median(gui_s) <= BAR_SECONDS,
        ),
        ("GUI start to main window, max (s)", f"{max(gui_s):.2f}", "", None),
        ("CLI --version, median (s)", f"{statistics.median(cli_s):.2f}", "", None),
        *((f"  of which {k} (MiB)", f"{v:.0f}", "", None) for k, v in parts.items()),
    ]
    print(f"{'measure':<40} {'value':>8}  {'bar':<8} ok")
    for name, value, bar, ok in rows:
        print(f"{name:<40} {value:>8}  {bar:<8} {'' if ok is None else ('yes' if ok else 'NO')}")
    record = {
        "bundle": str(bundle),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores",
        "python": sys.version.split()[0],
        "runs": runs,
        "size_mib": round(size, 1),
        "size_parts_mib": {k: round(v, 1) for k, v in parts.items()},
        "gui_start_to_window_s": [round(s, 3) for s in gui_s],
        "gui_start_to_window_median_s": round(statistics.median(gui_s), 3),
        "cli_version_s": [round(s, 3) for s in cli_s],
        "bars": {"size_mib": BAR_MB, "gui_start_s": BAR_SECONDS},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
