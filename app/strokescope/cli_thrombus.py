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
from strokescope.resources import OUTCOME_MODEL_ENV

if TYPE_CHECKING:
    from pathlib import Path

    from strokescope.outcome.prediction import OutcomePrediction
    from strokescope.thrombus import ThrombusResult
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


def outcome_model(args: argparse.Namespace) -> Path | None:
    """The outcome model folder to run (``--outcome-model``, else
    ``$STROKESCOPE_OUTCOME_MODEL``, else none), checked before the analysis so a bad folder
    costs no analysis time: ``ModelError`` in one line naming it and the reason."""
    from pathlib import Path

    from strokescope.errors import ModelError
    from strokescope.pipeline import check_outcome_model, outcome_model_folder

    folder = Path(args.outcome_model) if args.outcome_model else outcome_model_folder()
    if folder is None:
        return None
    try:
        line = check_outcome_model(folder)
    except ModelError as exc:
        if args.outcome_model:
            raise
        raise ModelError(f"{exc} (named by ${OUTCOME_MODEL_ENV})") from None
    print(f"outcome model {folder}: {line}", file=sys.stderr)
    return folder


def _print(
    args: argparse.Namespace, result: ThrombusResult, prediction: OutcomePrediction | None
) -> None:
    """The report (or its JSON), with the outcome model's line when one ran."""
    import json

    from strokescope.pipeline import format_thrombus

    if args.json:
        doc = result.to_dict()
        if prediction is not None:
            doc["outcome_prediction"] = prediction.to_dict()
        print(json.dumps(doc, indent=2))
        return
    print(format_thrombus(result, verbose=args.verbose))
    if prediction is not None:
        print(prediction.line())


def run(args: argparse.Namespace) -> int:
    from strokescope.pipeline import analyze_arteries, analyze_thrombus, predict_outcome

    check_out(args)
    model = outcome_model(args)
    ncct, cta = thrombus_inputs(args)
    result = analyze_thrombus(
        ncct,
        cta,
        models=args.models,
        device=args.device,
        threads=args.threads,
        strict=args.strict,
    )
    if args.arteries and cta is not None:
        result = analyze_arteries(ncct, cta, result)
    prediction = None if model is None else predict_outcome(result, model=model, ncct=ncct, cta=cta)
    _print(args, result, prediction)
    if args.out is not None:
        source = cta if cta is not None else ncct
        export(args, source=source, thrombus=result, outcome=prediction, ncct=ncct)
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
    th.add_argument(
        "--arteries",
        action="store_true",
        help="also trace the labelled arterial tree on the CTA (research: checked on one "
        "phantom family only): clot burden score, contrast profiles, each thrombus's segment "
        "and distance from the ICA terminus, and where network and profile disagree "
        "(about 7 s more)",
    )
    th.add_argument(
        "--outcome-model",
        metavar="DIR",
        help="run this installed outcome model folder (manifest, sha256, model card) on the "
        "study: P(mTICI >= 2c) beside its cohort and AUC in the report and every export "
        f"(default: ${OUTCOME_MODEL_ENV} if set; no model ships)",
    )
    add_export_arguments(th)
    th.set_defaults(handler=run)
