"""``strokescope batch COHORT.csv --out DIR``: run every unfinished case of a cohort.

The cases still to run (:func:`strokescope.batch.ledger.split_cohort`) go through
:func:`strokescope.batch.runner.run_case`, in this process one after the other, or on a
Dask cluster (:mod:`strokescope.batch.cluster`) when ``workers`` or ``scheduler`` is
given; Dask is imported only then. After every case the summary tables are rewritten, so an
interrupted batch leaves a summary of what it finished.

Layout of ``DIR``::

    cases/<case_id>/case.json                the case record (the ledger)
    cases/<case_id>/thrombus/results-001/    SEG, SR, PDF, JSON, CSV, NIfTI
    cases/<case_id>/ht/results-001/          the same for HT, when the cohort asks for it
    summary.csv, thrombi.csv                 one row per case / per thrombus
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from strokescope import pipeline
from strokescope.batch.cohort import CohortCase, read_cohort
from strokescope.batch.ledger import split_cohort
from strokescope.batch.record import CaseRecord
from strokescope.batch.runner import BatchSettings, run_case
from strokescope.batch.tables import write_tables
from strokescope.errors import InputError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Progress:
    """Where a batch stands: cases in the cohort, skipped as finished, run so far (of which
    failed), and the estimated seconds left (``None`` before the first case ends)."""

    total: int
    skipped: int
    ran: int
    failed: int
    elapsed_s: float
    eta_s: float | None

    @property
    def finished(self) -> int:
        return self.skipped + self.ran


@dataclass(frozen=True)
class BatchReport:
    """What a batch run did; ``records`` are every case's records in cohort order."""

    out_dir: Path
    records: tuple[CaseRecord, ...]
    skipped: int
    ran: int
    failed: int
    seconds: float
    summary: Path


OnProgress = Callable[[Progress, CaseRecord | None], None]


@dataclass(frozen=True)
class ClusterOptions:
    """Dask options: ``workers`` for a local cluster of that many processes (one thread
    each), or the ``scheduler`` address of a running cluster; ``dashboard`` is the local
    cluster's dashboard address (``":0"``: any free port)."""

    workers: int | None = None
    scheduler: str | None = None
    dashboard: str = ":8787"

    def __post_init__(self) -> None:
        if self.workers is not None and self.scheduler is not None:
            raise InputError("batch: give --workers or --scheduler, not both")
        if self.workers is not None and not 1 <= self.workers <= 256:
            raise InputError(f"batch: --workers must be 1-256, got {self.workers}")

    @property
    def distributed(self) -> bool:
        return self.workers is not None or self.scheduler is not None


def _out_dir(out: str | Path) -> Path:
    path = Path(out).resolve()
    if path.exists() and not path.is_dir():
        raise InputError(f"{path}: is a file, not a folder for batch results")
    (path / "cases").mkdir(parents=True, exist_ok=True)
    return path


class _Tracker:
    """Collects records as cases end, rewrites the tables and reports progress."""

    def __init__(
        self,
        out_dir: Path,
        cases: tuple[CohortCase, ...],
        done: list[CaseRecord],
        on_progress: OnProgress | None,
    ) -> None:
        self.out_dir, self.cases, self.on_progress = out_dir, cases, on_progress
        self.records = {r.case_id: r for r in done}
        self.skipped, self.ran, self.failed = len(done), 0, 0
        self.start = time.perf_counter()

    def ordered(self) -> tuple[CaseRecord, ...]:
        found = (self.records.get(c.case_id) for c in self.cases)
        return tuple(r for r in found if r is not None)

    def progress(self) -> Progress:
        elapsed = time.perf_counter() - self.start
        left = len(self.cases) - self.skipped - self.ran
        eta = elapsed / self.ran * left if self.ran else None
        return Progress(len(self.cases), self.skipped, self.ran, self.failed, elapsed, eta)

    def finish(self, record: CaseRecord) -> None:
        self.records[record.case_id] = record
        self.ran += 1
        self.failed += not record.done
        write_tables(self.out_dir, self.ordered())
        if self.on_progress is not None:
            self.on_progress(self.progress(), record)


def _settings(
    models: str | Path | None,
    device: str,
    threads: int | None,
    cluster: ClusterOptions,
    outcome_model: str | Path | None,
    arteries: bool,
) -> BatchSettings:
    """How every case is analysed, with the ledger key naming the models and options."""
    version, key = pipeline.thrombus_model_version(models)
    outcome = None if outcome_model is None else str(Path(outcome_model).resolve())
    line = ""
    if outcome is not None:
        line, digest = pipeline.outcome_model_identity(outcome)
        key += f"+outcome-{digest[:16]}"
    if arteries:
        key += "+arteries"
    return BatchSettings(
        model_version=version,
        model_key=key,
        models=None if models is None else str(Path(models).resolve()),
        device=device,
        threads=threads if threads is not None else (1 if cluster.distributed else 2),
        outcome_model=outcome,
        outcome_line=line,
        arteries=arteries,
    )


def run_cohort(
    cohort: str | Path,
    out: str | Path,
    *,
    models: str | Path | None = None,
    device: str = "auto",
    threads: int | None = None,
    cluster: ClusterOptions | None = None,
    outcome_model: str | Path | None = None,
    arteries: bool = False,
    on_progress: OnProgress | None = None,
    on_dashboard: Callable[[str], None] | None = None,
) -> BatchReport:
    """Run the unfinished cases of ``cohort`` into ``out`` (see the module docstring).

    ``threads`` are onnxruntime's threads per case (default: 1 on a Dask worker, which
    runs one case per core, 2 in this process, as ``strokescope thrombus``).
    ``outcome_model`` (an installed outcome model folder) runs on every analysed case; its
    digest joins the ledger key, so a rerun with another model runs the cases again.
    ``arteries`` also traces the labelled arterial tree on every case (research; the key
    says so, so a rerun with it runs the cases again).
    ``on_progress(progress, record)`` is called once before any case runs (``record``
    ``None``) and after every case; ``on_dashboard(address)`` with the Dask dashboard.

    Raises
    ------
    InputError
        The cohort file is malformed (naming file and row), or the options conflict.
    ModelError
        The thrombus or outcome models are missing or altered (checked once, before any
        case).
    """
    cases = read_cohort(cohort)
    cluster = cluster or ClusterOptions()
    out_dir = _out_dir(out)
    settings = _settings(models, device, threads, cluster, outcome_model, arteries)
    key = settings.model_key
    done, pending = split_cohort(out_dir, cases, key)
    tracker = _Tracker(out_dir, cases, done, on_progress)
    write_tables(out_dir, tracker.ordered())
    if on_progress is not None:
        on_progress(tracker.progress(), None)
    log.info("batch: %d cases, %d finished before, %d to run", len(cases), len(done), len(pending))
    if pending and cluster.distributed:
        from strokescope.batch.cluster import run_on_cluster

        run_on_cluster(
            pending,
            out_dir=out_dir,
            settings=settings,
            options=cluster,
            finish=tracker.finish,
            on_dashboard=on_dashboard,
        )
    else:
        for case in pending:
            tracker.finish(run_case(case, out_dir=out_dir, settings=settings))
    summary, _ = write_tables(out_dir, tracker.ordered())
    return BatchReport(
        out_dir=out_dir,
        records=tracker.ordered(),
        skipped=tracker.skipped,
        ran=tracker.ran,
        failed=tracker.failed,
        seconds=time.perf_counter() - tracker.start,
        summary=summary,
    )
