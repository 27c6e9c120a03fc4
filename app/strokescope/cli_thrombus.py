"""``strokescope thrombus``: its arguments and handler. A shell like ``cli.py``: it parses
and calls :mod:`strokescope.pipeline` only (``tests/test_architecture.py`` checks it);
errors reach ``cli.main`` as one line. Imported when the parser is built, so it imports
nothing heavy."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from strokescope.cli_shared import (
    SERIES_HELP,
    add_export_arguments,
    add_verbose,
    check_out,
    export,
)

if TYPE_CHECKING:
    from strokescope.volume import Volume

DESCRIPTION = (
    "Registers the NCCT onto the CTA, runs the two-stage model and measures each clot. Give "
    "--ncct and --cta, or one study folder whose series roles are picked by "
    "strokescope.series_roles."
)


def thrombus_inputs(args: argparse.Namespace) -> tuple[Volume, Volume | None]:
    """NCCT and CTA volumes from --ncct/--cta, or roles picked in one study folder.

    ``--ncct-series``/``--cta-series`` pick a series by the rule of ``ht --series``
    instead of the automatic role assignment.
    """
    from strokescope.errors import InputError
    from strokescope.pipeline import load, open_study

    if args.study:
        if args.ncct or args.cta:
            raise InputError("thrombus: give one study folder or --ncct/--cta, not both")
        # The thrombus analysis checks the series roles itself (on a coarse grid).
        study = open_study(
            args.study,
            ncct_series=args.ncct_series,
            cta_series=args.cta_series,
            check_vessels=False,
        )
        for line in study.choices:
            print(line, file=sys.stderr)
        ncct = study.volumes.get("baseline")
        if ncct is None:
            raise InputError(f"{args.study}: no NCCT series found for the thrombus analysis")
        return ncct, study.volumes.get("cta")
    if not args.ncct:
        raise InputError("thrombus: give --ncct (and --cta) or one study folder")
    if args.cta_series is not None and args.cta is None:
        raise InputError("thrombus: --cta-series needs --cta or a study folder")
    ncct = load(args.ncct, series=args.ncct_series)
    return ncct, None if args.cta is None else load(args.cta, series=args.cta_series)


def run(args: argparse.Namespace) -> int:
    import json

    from strokescope.pipeline import analyze_thrombus, format_thrombus

    check_out(args)
    ncct, cta = thrombus_inputs(args)
    result = analyze_thrombus(
        ncct,
        cta,
        models=args.models,
        device=args.device,
        threads=args.threads,
        strict=args.strict,
    )
    text = format_thrombus(result, verbose=args.verbose)
    print(json.dumps(result.to_dict(), indent=2) if args.json else text)
    if args.out is not None:
        export(args, source=cta if cta is not None else ncct, thrombus=result)
    return 0


def add_thrombus_command(commands: Any) -> None:
    """Add ``thrombus`` to ``commands`` (the subparsers of ``strokescope``)."""
    th = commands.add_parser(
        "thrombus",
        help="intracranial thrombus on thin-slice NCCT + CTA (coarse-to-fine ONNX models)",
        description=DESCRIPTION,
    )
    th.add_argument("study", nargs="?", help="study folder holding both series")
    th.add_argument("--ncct", help="NCCT DICOM folder or NIfTI/NRRD/MHA file")
    th.add_argument("--cta", help="CTA DICOM folder or NIfTI/NRRD/MHA file")
    for label in ("ncct", "cta"):
        th.add_argument(
            f"--{label}-series",
            help=f"the {label.upper()} series inside the study folder (or --{label} folder), "
            f"instead of the automatic pick: {SERIES_HELP}",
        )
    th.add_argument("--models", help="model folder (default: models_onnx)")
    th.add_argument(
        "--device",
        default="auto",
        choices=("auto", "cpu", "cuda", "dml"),
        help="auto = CUDA when onnxruntime-gpu provides it, else CPU",
    )
    th.add_argument("--threads", type=int, default=2, help="onnxruntime threads (default 2)")
    th.add_argument("--json", action="store_true", help="print JSON instead of a report")
    add_verbose(th, "decision rule, registration metric, model checksums, seconds per stage")
    th.add_argument(
        "--strict",
        action="store_true",
        help="refuse (exit 2) instead of warning when the NCCT looks opacified or the CTA "
        "shows no contrast-filled arteries",
    )
    add_export_arguments(th)
    th.set_defaults(handler=run)
