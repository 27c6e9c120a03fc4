"""Time export_results (SEG + SR + PDF + Encapsulated PDF + JSON/CSV/NIfTI) for one study.

Writes a 512x512 phantom follow-up NCCT as DICOM (default 64 slices; --quick: 256x256x32),
segments its hemorrhage and exports; prints the median of a few runs per part and writes
benchmarks/results/export.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="256x256x32 source, 2 runs")
    parser.add_argument("--slices", type=int, default=64)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from strokescope.hemorrhage import Roi
    from strokescope.hemorrhage.prepare import prepare_ncct
    from strokescope.hemorrhage.segment import segment_hemorrhage
    from strokescope.io import load_volume
    from strokescope.io.dicom_write import SeriesIdentity, write_ct_series
    from strokescope.outputs import export_results
    from strokescope.volume import Volume

    n, slices, runs = (256, 32, 2) if args.quick else (512, args.slices, args.runs)
    rng = np.random.default_rng(0)
    zz, yy, xx = np.ogrid[:slices, :n, :n]
    c = n / 2
    head = ((yy - c) / (0.42 * n)) ** 2 + ((xx - c) / (0.36 * n)) ** 2 <= 1
    arr = np.where(head, 32.0, -1000.0) + rng.normal(0, 4, (slices, n, n))
    bleed = ((zz - slices / 2) / (slices / 6)) ** 2 + ((yy - c) / (n / 12)) ** 2 + (
        (xx - 0.6 * n) / (n / 14)
    ) ** 2 <= 1
    arr[bleed] = 68.0 + rng.normal(0, 3, int(bleed.sum()))
    spacing = (5.0 * 32 / slices, 230.0 / n, 230.0 / n)
    rows: list[dict[str, object]] = []
    with tempfile.TemporaryDirectory() as tmp:
        write_ct_series(Volume.from_array(arr, spacing), Path(tmp) / "ct", SeriesIdentity())
        vol = load_volume(Path(tmp) / "ct")
        kk, jj, ii = np.nonzero(bleed)
        roi = Roi(
            z=(int(kk.min()), int(kk.max())),
            y=(int(jj.min()) - 4, int(jj.max()) + 4),
            x=(int(ii.min()) - 4, int(ii.max()) + 4),
        )
        result = segment_hemorrhage(prepare_ncct(vol), [roi])
        for anonymize in (False, True):
            times = []
            for _ in range(runs):
                t0 = time.perf_counter()
                export_results(
                    Path(tmp) / "out", source=vol, hemorrhage=result, anonymize=anonymize
                )
                times.append(time.perf_counter() - t0)
            rows.append(
                {
                    "matrix": n,
                    "slices": slices,
                    "anonymize": anonymize,
                    "median_s": round(statistics.median(times), 3),
                    "max_s": round(max(times), 3),
                }
            )
    print(f"{'matrix':>6} {'slices':>6} {'anonymize':>9} {'median s':>9} {'max s':>7}")
    for r in rows:
        print(
            f"{r['matrix']:>6} {r['slices']:>6} {r['anonymize']!s:>9} "
            f"{r['median_s']:>9} {r['max_s']:>7}"
        )
    out = Path(__file__).parent / "results" / "export.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"quick": args.quick, "rows": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
