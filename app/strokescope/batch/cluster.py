"""Running a batch's cases on Dask distributed (imported only when a batch asks for it).

``workers=N`` starts a :class:`~distributed.LocalCluster` of N worker processes with one
thread each (ITK and BLAS limited to one thread too, so N workers use N cores);
``scheduler="tcp://host:8786"`` connects to a running cluster whose workers see the same
paths (shared storage) and have StrokeScope installed. A worker plugin loads and checks the
thrombus models once when each worker starts (later cases reuse the ONNX sessions).

Every case is one task running :func:`strokescope.batch.runner.run_case`, which writes the
case's results and record itself. A task that dies with its worker (out of memory, killed)
becomes a failed record written here, so the batch goes on.
"""

from __future__ import annotations

import importlib.util
import logging
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from distributed import Client, LocalCluster, WorkerPlugin, as_completed

from strokescope import pipeline
from strokescope.batch.cohort import CohortCase
from strokescope.batch.fingerprint import case_inputs
from strokescope.batch.ledger import options_key
from strokescope.batch.record import CaseRecord, write_record
from strokescope.batch.runner import BatchSettings, run_case
from strokescope.errors import InputError

log = logging.getLogger(__name__)

ONE_THREAD = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "ITK_GLOBAL_DEFAULT_NUMBER_OF_THREADS": "1",
}
CONNECT_TIMEOUT = "20s"


class ModelWarmUp(WorkerPlugin):
    """Loads the thrombus models when a worker starts (or joins), once per process."""

    name = "strokescope-models"

    def __init__(self, settings: BatchSettings) -> None:
        self.settings = settings

    def setup(self, worker: Any) -> None:
        pipeline.warm_thrombus_models(
            models=self.settings.models, device=self.settings.device, threads=self.settings.threads
        )


def dashboard_line(client: Client) -> str:
    """The dashboard address, with a hint when bokeh (which serves its pages) is absent."""
    link = str(client.dashboard_link)
    if importlib.util.find_spec("bokeh") is None:
        return f"{link} (install bokeh to see the dashboard pages)"
    return link


def _client(workers: int | None, scheduler: str | None, dashboard: str) -> Client:
    if not log.isEnabledFor(logging.INFO):  # distributed logs at INFO unless told (-v shows)
        logging.getLogger("distributed").setLevel(logging.WARNING)
    if scheduler is not None:
        try:
            return Client(scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError, ValueError) as exc:
            text = " ".join(str(exc).split())
            raise InputError(f"--scheduler {scheduler}: cannot connect ({text})") from exc
    cluster = LocalCluster(
        n_workers=workers,
        processes=True,
        threads_per_worker=1,
        dashboard_address=dashboard,
        env=ONE_THREAD,
    )
    return Client(cluster)


def _lost(case: CohortCase, settings: BatchSettings, exc: BaseException) -> CaseRecord:
    """The failed record of a case whose task itself failed (its worker died)."""
    text = " ".join(str(exc).split()) or "no message"
    return CaseRecord(
        case_id=case.case_id,
        status="failed",
        error=f"worker lost: {type(exc).__name__}: {text}",
        inputs={k: str(v) for k, v in case_inputs(case.inputs, case.truth).items()},
        options_key=options_key(case),
        model_version=settings.model_version,
        model_key=settings.model_key,
        finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
        truth=dict(case.truth),
    )


def run_on_cluster(
    pending: Sequence[CohortCase],
    *,
    out_dir: Path,
    settings: BatchSettings,
    options: Any,
    finish: Callable[[CaseRecord], None],
    on_dashboard: Callable[[str], None] | None = None,
) -> None:
    """Run ``pending`` on the cluster ``options`` (a ``ClusterOptions``) names and call
    ``finish(record)`` in this process as each case ends, in completion order."""
    client = _client(options.workers, options.scheduler, options.dashboard)
    try:
        if on_dashboard is not None:
            on_dashboard(dashboard_line(client))
        client.register_plugin(ModelWarmUp(settings))
        run = uuid.uuid4().hex[:8]
        futures = {
            client.submit(
                run_case,
                case,
                out_dir=out_dir,
                settings=settings,
                key=f"strokescope-case-{case.case_id}-{run}",
                pure=False,
            ): case
            for case in pending
        }
        for future in as_completed(futures):
            case = futures[future]
            try:
                record = future.result()
            except Exception as exc:  # the task died with its worker
                record = _lost(case, settings, exc)
                write_record(out_dir, record)
            future.release()
            finish(record)
    finally:
        cluster = client.cluster
        client.close()
        if cluster is not None:
            cluster.close()
