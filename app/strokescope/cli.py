"""`strokescope` command line: argument parsing only; the work is done by pipeline functions.

Errors from the package arrive as :class:`~strokescope.errors.StrokeScopeError`; they are
printed as one line on stderr and the command exits with status 2. Heavy modules are
imported inside the handlers so ``strokescope --help`` is instant.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable, Sequence

from strokescope import RESEARCH_ONLY, __version__
from strokescope.cli_shared import (
    SERIES_HELP,
    add_export_arguments,
    add_verbose,
    check_out,
    export,
)
from strokescope.cli_thrombus import add_thrombus_command

Handler = Callable[[argparse.Namespace], int]


def _run_info(args: argparse.Namespace) -> int:
    from strokescope.pipeline import format_scan, scan

    print(format_scan(scan(args.folder), as_json=args.json))
    return 0


def _add_info(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    info = commands.add_parser(
        "info",
        help="list the image series in a DICOM folder",
        description="Lists the image series of a folder (scanned recursively; its DICOMDIR "
        "if present), of one DICOM file (the series holding it) or of a NIfTI/NRRD/MHA file: "
        "the paths --ncct and --cta accept. The row number # is what --series takes.",
    )
    info.add_argument(
        "folder",
        metavar="PATH",
        help="DICOM folder, DICOMDIR, DICOM file or NIfTI/NRRD/MHA file",
    )
    info.add_argument("--json", action="store_true", help="print JSON instead of a table")
    info.set_defaults(handler=_run_info)


def _run_ht(args: argparse.Namespace) -> int:
    import json

    from strokescope.pipeline import format_hemorrhage, load, measure_hemorrhage_text

    check_out(args)
    ncct = load(args.ncct, series=args.series)
    result = measure_hemorrhage_text(ncct, rois=args.roi, clicks=args.click)
    text = format_hemorrhage(result, verbose=args.verbose)
    print(json.dumps(result.to_dict(), indent=2) if args.json else text)
    if args.out is not None:
        export(args, source=ncct, hemorrhage=result)
    return 0


def _add_ht(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ht = commands.add_parser(
        "ht",
        help="hemorrhagic-transformation volume on follow-up NCCT inside ROIs",
        description="SD-rule adaptive thresholding (50-80 HU initial window) inside ROIs. "
        "ROI syntax: 'z=12 y=140:200 x=100:180' (voxel indices, ends inclusive; z=10:14 for "
        "a slice range, no z for all slices) or LPS mm with a suffix, e.g. 'x=-40:-10mm'.",
    )
    ht.add_argument("--ncct", required=True, help="DICOM folder or NIfTI/NRRD/MHA file")
    ht.add_argument("--series", help=f"the series if the folder holds several: {SERIES_HELP}")
    ht.add_argument("--roi", action="append", default=[], help="ROI box (repeatable)")
    ht.add_argument(
        "--click", action="append", default=[], help="point on a bleed, e.g. 'z=12 y=150 x=140'"
    )
    ht.add_argument("--json", action="store_true", help="print JSON instead of a report")
    add_verbose(ht, "SD rule and window per ROI, slice areas")
    add_export_arguments(ht)
    ht.set_defaults(handler=_run_ht)


def _run_evaluate(args: argparse.Namespace) -> int:
    from strokescope.thrombus.phantom_evaluation import run

    return run(args)


def _add_evaluate(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    ev = commands.add_parser(
        "evaluate", help="phantom evaluation of the thrombus models (Dice, length, LVO)"
    )
    ev.add_argument("--models", help="model folder (default: models_onnx)")
    ev.add_argument("--n", type=int, default=40, help="phantom pairs (default 40)")
    ev.add_argument(
        "--first",
        type=int,
        default=0,
        help="first case of the block (default 0): a case's phantom depends on its place in "
        "the block, not on its seed alone, so the second half of the 40-pair held-out block "
        "is --first 20 --n 20, not --seed0 900020 (halves run side by side; pool them with "
        "python -m training.record_evaluation --held-out A.json B.json)",
    )
    ev.add_argument("--quick", action="store_true", help="1 mm phantoms (smoke run)")
    ev.add_argument(
        "--seed0",
        type=int,
        default=None,
        help="first phantom seed (default: the held-out block, 900000; 800000 is the block "
        "for calibrating decision rules)",
    )
    ev.add_argument(
        "--suite",
        default="in-distribution",
        help="evaluation suite (default in-distribution; family-b, noise-x3, smooth-kernel, "
        "sharp-kernel, kernel-mismatch, slices-2.5mm, rotation-20, hu-offset, "
        "low-contrast-cta, venous-cta, high-haematocrit, motion-3mm, posterior, "
        "vessel-calibre, tortuous, ncct-shorter: see strokescope.thrombus.shifts)",
    )
    ev.add_argument("--out", default="benchmarks/results/eval_thrombus.json", help="JSON file")
    ev.set_defaults(handler=_run_evaluate)


def _run_batch(args: argparse.Namespace) -> int:
    from strokescope.batch.cli_options import run

    return run(args)


def _add_batch(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from strokescope.batch.cli_options import DESCRIPTION, add_batch_arguments

    batch = commands.add_parser(
        "batch", help="resumable cohort batch (in-process or on Dask)", description=DESCRIPTION
    )
    add_batch_arguments(batch)
    batch.set_defaults(handler=_run_batch)


def _run_listen(args: argparse.Namespace) -> int:
    from strokescope.node.cli_options import run

    return run(args)


def _add_listen(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from strokescope.node.cli_options import DESCRIPTION, add_listen_arguments

    listen = commands.add_parser(
        "listen",
        help="DICOM node: receive studies, analyse, send results back",
        description=DESCRIPTION,
    )
    add_listen_arguments(listen)
    listen.set_defaults(handler=_run_listen)


def _run_phantom(args: argparse.Namespace) -> int:
    from strokescope.phantom import generate_study, write_study
    from strokescope.phantom.cli_options import options_from_args, summary

    study = generate_study(options_from_args(args))
    paths = write_study(study, args.out, processes=2)
    print(
        f"wrote {paths.root} (ncct/, {'cta/, ' if paths.cta else ''}"
        f"{'followup/, ' if paths.followup else ''}truth/)"
    )
    print(summary(study.truth))
    return 0


def _add_phantom_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from strokescope.phantom.cli_options import add_phantom_arguments

    phantom = commands.add_parser(
        "phantom", help="write a synthetic NCCT + CTA study with ground truth (DICOM + NIfTI)"
    )
    add_phantom_arguments(phantom)
    phantom.set_defaults(handler=_run_phantom)


def _run_demo(args: argparse.Namespace) -> int:
    from strokescope.demo import print_demo

    return print_demo(args.cache)


def _add_demo(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = commands.add_parser(
        "demo", help="generate (once) and analyse the built-in synthetic demo study"
    )
    demo.add_argument("--cache", default="cache/demo", help="folder for the demo study")
    demo.set_defaults(handler=_run_demo)


def _run_gui(args: argparse.Namespace) -> int:
    from strokescope.gui_launch import run_gui

    return run_gui(args.folder)


def _add_gui(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    gui = commands.add_parser("gui", help="open the desktop viewer (optionally on a DICOM folder)")
    gui.add_argument("folder", nargs="?", help="DICOM folder to open")
    gui.set_defaults(handler=_run_gui)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="strokescope",
        description=f"Acute stroke CT analysis on the CPU. {RESEARCH_ONLY}",
    )
    parser.add_argument("--version", action="version", version=f"strokescope {__version__}")
    parser.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="log progress (and, on ht and thrombus, print the method detail)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_info(commands)
    _add_ht(commands)
    add_thrombus_command(commands)
    _add_evaluate(commands)
    from strokescope.outcome.cli_options import add_outcome_command

    add_outcome_command(commands)
    _add_batch(commands)
    _add_listen(commands)
    _add_phantom_command(commands)
    _add_demo(commands)
    _add_gui(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from strokescope.errors import StrokeScopeError

    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 1
    try:
        return handler(args)
    except StrokeScopeError as exc:
        print(f"strokescope {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"strokescope {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
