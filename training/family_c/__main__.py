"""Command line: write family-C cases in nnU-Net raw layout.

``python -m training.family_c --out DIR --n N --seed S [--first I] [--tiny]`` writes cases
``FAMC_<seed>_<index:04d>`` for indices ``I .. I+N-1`` through
:func:`training.dataset.write_case`, then ``dataset.json``. The options of each written case
are kept beside it (``DIR/family_c/<case>.json``, written last and atomically); a rerun skips
every case whose three files exist and whose options are the same, so an interrupted run
resumes where it stopped.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from strokescope.atomic import atomic_write_text
from training.dataset import image_paths, write_case, write_dataset_json
from training.family_c.case import case_id, render_case
from training.family_c.options import draw_options

DESCRIPTION = "StrokeScope phantom family C (synthetic, training only; not for diagnosis)"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m training.family_c", description=__doc__)
    p.add_argument("--out", required=True, type=Path, help="dataset folder (nnU-Net raw)")
    p.add_argument("--n", required=True, type=int, help="number of cases")
    p.add_argument("--seed", required=True, type=int, help="dataset seed")
    p.add_argument("--first", type=int, default=0, help="index of the first case (default 0)")
    p.add_argument("--tiny", action="store_true", help="small heads on a 2 mm grid (tests)")
    return p


def options_path(root: Path, cid: str) -> Path:
    return root / "family_c" / f"{cid}.json"


def _already_written(root: Path, cid: str, record: str) -> bool:
    side = options_path(root, cid)
    if not side.is_file() or not all(p.is_file() for p in image_paths(root, cid)):
        return False
    return side.read_text(encoding="utf-8") == record


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.n < 0 or args.first < 0:
        print("--n and --first must be >= 0", file=sys.stderr)
        return 2
    root: Path = args.out
    for index in range(args.first, args.first + args.n):
        cid = case_id(args.seed, index)
        opts = draw_options(args.seed, index, tiny=args.tiny)
        record = json.dumps(opts.to_json_dict(), sort_keys=True, indent=1) + "\n"
        if _already_written(root, cid, record):
            print(f"{cid}  already written with the same options, skipped")
            continue
        rendered = render_case(args.seed, index, tiny=args.tiny)
        start = time.perf_counter()
        write_case(rendered.case, root)
        atomic_write_text(options_path(root, cid), record)
        site = rendered.clot.kind if rendered.clot else "none"
        print(
            f"{cid}  generated in {rendered.seconds:.1f} s  "
            f"thrombus {rendered.case.label.volume_mm3:.0f} mm3 ({site})  "
            f"shape {rendered.case.cta.shape}  written in {time.perf_counter() - start:.1f} s",
            flush=True,
        )
    write_dataset_json(root, description=DESCRIPTION)
    return 0


if __name__ == "__main__":
    sys.exit(main())
