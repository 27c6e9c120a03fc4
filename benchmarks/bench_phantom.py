"""Benchmark: generate and write phantom studies (DICOM + masks + truth.json).

Prints a table and writes ``benchmarks/results/phantom.json``. ``--quick`` uses small sizes.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from strokescope.phantom import PhantomOptions, generate_study, write_study

CASES = {
    "full 512x512x320 0.5 mm NCCT+CTA": PhantomOptions(seed=1),
    "training 160x160x120 0.8 mm NCCT+CTA": PhantomOptions(
        seed=2, matrix=160, inplane_mm=0.8, slice_mm=0.8, slices=120
    ),
    "follow-up PH 25 mL (5 mm) + baseline 256": PhantomOptions(
        seed=3, matrix=256, inplane_mm=0.9, slice_mm=1.0, hemorrhage="PH", hemorrhage_ml=25.0
    ),
}
QUICK = {
    "quick 128x128x80 1.5 mm NCCT+CTA": PhantomOptions(
        seed=1, matrix=128, inplane_mm=1.5, slice_mm=1.5, slices=80
    ),
    "training 160x160x120 0.8 mm NCCT+CTA": CASES["training 160x160x120 0.8 mm NCCT+CTA"],
}


def run(options: PhantomOptions, repeats: int) -> dict[str, float]:
    gen, total = [], []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            study = generate_study(options)
            t1 = time.perf_counter()
            write_study(study, tmp, processes=2)
            t2 = time.perf_counter()
        gen.append(t1 - t0)
        total.append(t2 - t0)
    return {
        "generate_s": statistics.median(gen),
        "generate_and_write_s": statistics.median(total),
        "repeats": repeats,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes only")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--out", type=Path, default=Path(__file__).parent / "results" / "phantom.json"
    )
    args = parser.parse_args()
    cases = QUICK if args.quick else CASES
    results = {}
    print(f"{'case':44s} {'generate s':>11s} {'+write s':>9s}")
    for name, options in cases.items():
        r = run(options, args.repeats)
        results[name] = r
        print(f"{name:44s} {r['generate_s']:11.2f} {r['generate_and_write_s']:9.2f}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"quick": args.quick, "results": results}, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
