"""onnxruntime CPU latency of the thrombus network at several widths and input sizes.

Exports randomly initialised nets (latency does not depend on the weights) and times
onnxruntime with 2 intra-op threads: the coarse stage on a whole brain region at 1.5 mm,
the fine stage on 64^3 and 96^3 crops at 0.6 mm. Prints a table and writes
``benchmarks/results/thrombus_network.json``. Needs the ``train`` extra (torch, onnx).

Usage: ``python benchmarks/bench_thrombus_network.py [--quick] [--repeats 5]``
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "thrombus_network.json"

FULL = [
    ("coarse", 8, (104, 136, 112)),
    ("coarse", 12, (104, 136, 112)),
    ("coarse", 16, (104, 136, 112)),
    ("fine", 8, (64, 64, 64)),
    ("fine", 12, (64, 64, 64)),
    ("fine", 16, (64, 64, 64)),
    ("fine", 12, (96, 96, 96)),
]
QUICK = [("coarse", 8, (48, 56, 48)), ("fine", 12, (32, 32, 32))]


def _time(path: Path, x: np.ndarray, repeats: int, threads: int) -> list[float]:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    sess = ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])
    sess.run(None, {"image": x})
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        sess.run(None, {"image": x})
        times.append(time.perf_counter() - t)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="two small configurations")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    try:
        import torch
    except ImportError:
        print("torch not installed (pip install -e '.[train]'): benchmark skipped")
        return 0
    sys.path.insert(0, str(ROOT))
    from training.config import default_coarse, default_fine
    from training.network import NetworkConfig, ThrombusUNet, count_parameters
    from training.onnx_export import export_stage

    torch.manual_seed(0)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for stage_name, base, shape in QUICK if args.quick else FULL:
            stage = default_coarse() if stage_name == "coarse" else default_fine()
            net_cfg = NetworkConfig(in_channels=stage.network.in_channels, base_channels=base)
            stage = replace(stage, network=net_cfg)
            net = ThrombusUNet(net_cfg)
            path = Path(tmp) / f"{stage_name}_{base}.onnx"
            exported = export_stage(net, stage, path, latency_shape=shape)
            x = np.random.default_rng(0).uniform(0, 1, (1, net_cfg.in_channels, *shape))
            times = _time(path, x.astype(np.float32), args.repeats, args.threads)
            rows.append(
                {
                    "stage": stage_name,
                    "base_channels": base,
                    "levels": net_cfg.levels,
                    "shape": list(shape),
                    "parameters": count_parameters(net),
                    "onnx_mb": round(path.stat().st_size / 1e6, 2),
                    "median_s": round(float(np.median(times)), 3),
                    "min_s": round(float(np.min(times)), 3),
                    "parity_max_abs_diff": exported.max_abs_diff,
                }
            )
            r = rows[-1]
            print(
                f"{r['stage']:6s} base {base:2d}  {'x'.join(map(str, shape)):12s} "
                f"params {r['parameters']:>8,d}  median {r['median_s']:.3f} s  "
                f"min {r['min_s']:.3f} s  parity {r['parity_max_abs_diff']:.1e}",
                flush=True,
            )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load = os.getloadavg()[0]
    print(
        f"peak RSS of this process {peak_mb:.0f} MB; load average {load:.2f} on "
        f"{os.cpu_count()} CPUs (a shared machine inflates the times)"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "threads": args.threads,
                "repeats": args.repeats,
                "peak_rss_mb": round(peak_mb),
                "load_average_1min": load,
                "rows": rows,
            },
            indent=1,
        )
        + "\n"
    )
    print(f"wrote {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
