"""Arguments and steps shared by the ``strokescope`` commands that read series and export
(``ht`` and ``thrombus``): argument parsing and pipeline calls only, like ``cli.py``.

Imported when the parser is built, so it imports nothing heavy.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

SERIES_HELP = (
    "the row number that 'strokescope info' prints for it (1, 2, ...), its series key or "
    "UID (or a key prefix), or a description substring"
)


def add_verbose(parser: argparse.ArgumentParser, detail: str) -> None:
    """``--verbose`` after the command: the method detail in the report, and progress logs
    (the same flag as ``strokescope -v COMMAND``, which it does not reset when absent)."""
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        default=argparse.SUPPRESS,
        help=f"also print the method detail ({detail}) and log progress to stderr",
    )


def add_export_arguments(parser: argparse.ArgumentParser) -> None:
    """``--out``, ``--anonymize`` and ``--overwrite`` (for every command that exports)."""
    parser.add_argument(
        "--out",
        help="write DICOM SEG + SR, PDF report (+ Encapsulated PDF), JSON, CSV and NIfTI "
        "masks into a new folder OUT/results-NNN (OUT is checked before the analysis)",
    )
    parser.add_argument(
        "--anonymize",
        action="store_true",
        help="de-identify every exported file (DICOM PS3.15 Basic Profile, new UIDs)",
    )
    parser.add_argument(
        "--overwrite",
        action="store_true",
        help="replace the newest OUT/results-NNN instead of adding a new one",
    )


def check_out(args: argparse.Namespace) -> None:
    """Refuse an ``--out`` the export could not write (empty, a file, parent not writable)
    before the analysis runs."""
    if args.out is not None:
        from strokescope.pipeline import check_output_folder

        check_output_folder(args.out)


def export(args: argparse.Namespace, **results: Any) -> None:
    """Write ``--out`` results (``source`` and a hemorrhage or thrombus result, with its
    ``outcome`` prediction when a model ran) and list them."""
    from strokescope.pipeline import export_results

    manifest = export_results(
        args.out, anonymize=args.anonymize, overwrite=args.overwrite, **results
    )
    for path in manifest.paths:
        print(f"wrote {path}", file=sys.stderr)
