"""Benchmark: DICOM series loading, StrokeScope (scan + load) versus SimpleITK.

Generates an uncompressed CT series (default 512 x 512 x 320) with ``write_ct_series``, then
times ``scan_folder`` + ``load_series`` against SimpleITK's ``ImageSeriesReader`` (GDCM file
discovery + read to float32) on the same folder, alternating the two, medians of ``--runs``
runs after one warm-up each. Peak memory is the increase of the peak RSS of a fresh child
process over its RSS after imports (VmHWM after resetting it through /proc/self/clear_refs;
``resource.getrusage`` where that is unavailable), one child per measurement.

Bars (issue): time ratio ours / SimpleITK <= 1.5; our peak memory <= 3 x the float32 volume.

Usage::

    python benchmarks/bench_load.py            # full size, 3 runs
    python benchmarks/bench_load.py --quick    # 256 x 256 x 64
"""

from __future__ import annotations

import argparse
import contextlib
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results" / "load.json"


def _status_mb(field: str) -> float | None:
    try:
        text = Path("/proc/self/status").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith(field + ":"):
            return float(line.split()[1]) / 1024.0  # kB
    return None


def _reset_peak() -> float:
    """Reset the peak-RSS mark where Linux allows it; return the RSS baseline in MB."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")
    current = _status_mb("VmRSS")
    return current if current is not None else _peak_mb()


def _peak_mb() -> float:
    hwm = _status_mb("VmHWM")
    if hwm is not None:
        return hwm
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # Linux: KiB


def load_ours(folder: str) -> tuple[int, ...]:
    from strokescope.io import load_series, scan_folder

    (series,) = scan_folder(folder)
    return load_series(series).shape


def load_sitk(folder: str) -> tuple[int, ...]:
    import SimpleITK as sitk

    reader = sitk.ImageSeriesReader()
    reader.SetFileNames(reader.GetGDCMSeriesFileNames(folder))
    reader.SetOutputPixelType(sitk.sitkFloat32)
    image = reader.Execute()
    return tuple(reversed(image.GetSize()))


READERS = {"ours": load_ours, "sitk": load_sitk}


def child(reader: str, folder: str) -> None:
    """Run one reader in this (fresh) process; print seconds and peak RSS increase (MB)."""
    import pydicom  # noqa: F401  - imports are part of the baseline, not of the load
    import SimpleITK  # noqa: F401

    import strokescope.io  # noqa: F401

    base = _reset_peak()
    t0 = time.perf_counter()
    shape = READERS[reader](folder)
    seconds = time.perf_counter() - t0
    print(json.dumps({"seconds": seconds, "peak_mb": _peak_mb() - base, "shape": shape}))


def measure_memory(reader: str, folder: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", reader, "--folder", str(folder)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def make_series(folder: Path, size: int, slices: int) -> None:
    from strokescope.io.dicom_write import write_ct_series
    from strokescope.volume import Volume

    rng = np.random.default_rng(0)
    arr = rng.normal(30.0, 20.0, (slices, size, size)).astype(np.float32)
    vol = Volume.from_array(arr, (0.625, 0.45, 0.45), origin=(-115.0, -115.0, -100.0))
    write_ct_series(vol, folder)


def run(size: int, slices: int, runs: int, folder: Path) -> dict[str, object]:
    if not any(folder.glob("*.dcm")):
        t0 = time.perf_counter()
        make_series(folder, size, slices)
        print(f"wrote {slices} slices of {size}x{size} in {time.perf_counter() - t0:.1f} s")
    times: dict[str, list[float]] = {"ours": [], "sitk": []}
    for fn in READERS.values():  # warm-up: imports and page cache
        fn(str(folder))
    for _ in range(runs):
        for name, fn in READERS.items():
            t0 = time.perf_counter()
            fn(str(folder))
            times[name].append(time.perf_counter() - t0)
    memory = {name: measure_memory(name, folder) for name in READERS}
    volume_mb = size * size * slices * 4 / 2**20
    med = {name: statistics.median(v) for name, v in times.items()}
    return {
        "size": [slices, size, size],
        "runs": runs,
        "float32_volume_mb": volume_mb,
        "seconds_median": med,
        "seconds_all": times,
        "time_ratio_ours_over_sitk": med["ours"] / med["sitk"],
        "peak_rss_increase_mb": {n: m["peak_mb"] for n, m in memory.items()},
        "peak_over_volume": {n: m["peak_mb"] / volume_mb for n, m in memory.items()},
        "bars": {"time_ratio_max": 1.5, "peak_over_volume_max": 3.0},
    }


def print_table(r: dict[str, object]) -> None:
    med = r["seconds_median"]
    mem = r["peak_rss_increase_mb"]
    over = r["peak_over_volume"]
    assert isinstance(med, dict) and isinstance(mem, dict) and isinstance(over, dict)
    print(f"series {r['size']} (z, y, x); float32 volume {r['float32_volume_mb']:.0f} MB")
    print(f"{'reader':<26}{'median s':>10}{'peak MB':>10}{'x volume':>10}")
    labels = {"ours": "strokescope scan+load", "sitk": "SimpleITK SeriesReader"}
    for name in ("ours", "sitk"):
        print(f"{labels[name]:<26}{med[name]:>10.3f}{mem[name]:>10.0f}{over[name]:>10.2f}")
    ratio = r["time_ratio_ours_over_sitk"]
    print(f"time ratio ours/SimpleITK: {ratio:.2f} (bar <= 1.5)")
    print(f"our peak memory: {over['ours']:.2f} x volume (bar <= 3.0)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="256 x 256 x 64 series")
    parser.add_argument("--size", type=int, default=512, help="rows = columns")
    parser.add_argument("--slices", type=int, default=320)
    parser.add_argument("--runs", type=int, default=3, help="timed runs per reader (>= 3)")
    parser.add_argument("--folder", type=Path, help="reuse/keep the generated series here")
    parser.add_argument("--child", choices=sorted(READERS), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, str(args.folder))
        return 0
    size, slices = (256, 64) if args.quick else (args.size, args.slices)
    runs = max(3, args.runs)
    if args.folder:
        args.folder.mkdir(parents=True, exist_ok=True)
        result = run(size, slices, runs, args.folder)
    else:
        with tempfile.TemporaryDirectory(prefix="bench_load_") as tmp:
            result = run(size, slices, runs, Path(tmp))
    print_table(result)
    from strokescope.atomic import atomic_write_text

    atomic_write_text(RESULTS, json.dumps(result, indent=2) + "\n")
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
