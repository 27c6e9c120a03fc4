"""The ``strokescope batch`` command: its arguments and the lines it prints.

Imported when the parser is built, so it imports nothing heavy; the work is in
:func:`strokescope.batch.run.run_cohort` and :func:`strokescope.batch.stats.summarize`.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from strokescope.errors import InputError

if TYPE_CHECKING:
    from strokescope.batch.record import CaseRecord
    from strokescope.batch.run import Progress

DESCRIPTION = (
    "Runs the thrombus analysis (and HT volumetry where the cohort gives ROIs) on every case "
    "of a cohort CSV file and writes each case's results to OUT/cases/<case_id>/ and one row "
    "per case to OUT/summary.csv. Resumable: a rerun skips the cases finished with the same "
    "input files and models, and runs failed and unfinished ones again. Cohort columns: "
    "case_id, study (or ncct, cta, followup), ht_roi, ht_click, truth_volume_mm3, "
    "truth_length_mm, truth_occlusion_class, truth_ht_ml, truth_mask."
)


def add_batch_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("cohort", nargs="?", metavar="COHORT.csv", help="the cohort file")
    parser.add_argument("--out", help="batch folder (created; a rerun continues in it)")
    where = parser.add_mutually_exclusive_group()
    where.add_argument(
        "--workers", type=int, help="start a local Dask cluster of N processes (1 thread each)"
    )
    where.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="use a running Dask cluster, e.g. tcp://host:8786 (workers need shared storage)",
    )
    parser.add_argument("--models", help="model folder (default: models_onnx)")
    parser.add_argument(
        "--outcome-model",
        metavar="DIR",
        help="installed outcome model folder run on every case (default: "
        "$STROKESCOPE_OUTCOME_MODEL if set; no model ships); its probability goes to each "
        "case's results and to summary.csv",
    )
    parser.add_argument(
        "--arteries",
        action="store_true",
        help="also trace the labelled arterial tree on every case with a CTA (research, see "
        "thrombus --arteries): the clot burden score goes to summary.csv",
    )
    parser.add_argument(
        "--device", default="auto", choices=("auto", "cpu", "cuda", "dml"), help="see thrombus"
    )
    parser.add_argument(
        "--threads",
        type=int,
        help="onnxruntime threads per case (default: 1 per Dask worker, 2 in-process)",
    )
    parser.add_argument(
        "--summarize",
        metavar="DIR",
        help="print counts, distributions and agreement with the truth columns of a batch "
        "folder (writes DIR/cohort_stats.json and Bland-Altman plots) instead of running",
    )


def _progress_line(progress: Progress, record: CaseRecord | None) -> str:
    eta = "" if progress.eta_s is None else f", about {_duration(progress.eta_s)} left"
    head = (
        f"batch: {progress.finished}/{progress.total} done ({progress.skipped} skipped as "
        f"finished, {progress.failed} failed){eta}"
    )
    if record is None:
        return head
    what = "ok" if record.done else f"FAILED: {record.error}"
    return f"{head} | {record.case_id} {what} ({record.seconds:.1f} s)"


def _duration(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"


def run(args: argparse.Namespace) -> int:
    """Run or summarize a batch; exit status 0, or 1 when a case failed."""
    if args.summarize is not None:
        if args.cohort or args.out:
            raise InputError("batch: --summarize DIR takes no cohort file and no --out")
        from strokescope.batch.stats import summarize

        print(summarize(args.summarize))
        return 0
    if not args.cohort or not args.out:
        raise InputError("batch: give COHORT.csv and --out DIR (or --summarize DIR)")
    from strokescope.batch.run import ClusterOptions, run_cohort
    from strokescope.pipeline import outcome_model_folder

    def show(progress: Progress, record: CaseRecord | None) -> None:
        print(_progress_line(progress, record), file=sys.stderr, flush=True)

    def dashboard(address: str) -> None:
        print(f"batch: Dask dashboard {address}", file=sys.stderr, flush=True)

    report = run_cohort(
        args.cohort,
        args.out,
        models=args.models,
        device=args.device,
        threads=args.threads,
        cluster=ClusterOptions(workers=args.workers, scheduler=args.scheduler),
        outcome_model=args.outcome_model or outcome_model_folder(),  # checked by run_cohort
        arteries=args.arteries,
        on_progress=show,
        on_dashboard=dashboard,
    )
    print(
        f"{len(report.records)} cases: {report.ran} run ({report.failed} failed), "
        f"{report.skipped} skipped as finished, {report.seconds:.1f} s; wrote {report.summary}"
    )
    return 1 if report.failed else 0
