"""The same cohort on a real Dask cluster: a local one (--workers) and a running one
(--scheduler). Two worker processes, one thread each."""

from __future__ import annotations

from pathlib import Path

import pytest
from batch_cases import stable_rows

from strokescope.batch.run import BatchReport, ClusterOptions, run_cohort

pytestmark = pytest.mark.slow
import distributed  # noqa: E402


def test_local_cluster_gives_the_in_process_summary(
    serial_batch: BatchReport, cohort_csv: Path, tmp_path: Path
) -> None:
    dashboards: list[str] = []
    report = run_cohort(
        cohort_csv,
        tmp_path / "batch",
        device="cpu",
        threads=1,
        cluster=ClusterOptions(workers=2, dashboard=":0"),
        on_dashboard=dashboards.append,
    )
    assert (report.ran, report.failed) == (3, 1)
    assert stable_rows(report.summary) == stable_rows(serial_batch.summary)
    assert len(dashboards) == 1 and dashboards[0].startswith("http://")
    assert len({r.worker for r in report.records}) <= 2


def _model_loads() -> tuple[int, int]:
    from strokescope.thrombus.model import _load_cached

    info = _load_cached.cache_info()
    return info.misses, info.currsize


def test_running_scheduler_builds_the_models_once_per_worker(
    serial_batch: BatchReport, cohort_csv: Path, tmp_path: Path
) -> None:
    with (
        distributed.LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        progress: list[int] = []
        report = run_cohort(
            cohort_csv,
            tmp_path / "batch",
            device="cpu",
            threads=1,
            cluster=ClusterOptions(scheduler=cluster.scheduler_address),
            on_progress=lambda p, _: progress.append(p.finished),
        )
        assert stable_rows(report.summary) == stable_rows(serial_batch.summary)
        assert progress == [0, 1, 2, 3]
        # each worker loaded the models once (at start, by the plugin) and reused them
        assert set(client.run(_model_loads).values()) == {(1, 1)}
        # the batch closed its client, not the cluster it was given
        assert len(client.scheduler_info()["workers"]) == 2


def _exit_on_neg(case: object, **options: object) -> object:
    import os

    if getattr(case, "case_id", "") == "neg":
        os._exit(3)  # the worker process dies, as on an out-of-memory kill
    raise AssertionError("only the negative case should run here")


def _patch_run_case() -> None:
    from strokescope.batch import runner

    runner.run_case = _exit_on_neg  # type: ignore[assignment]


def test_a_case_whose_worker_dies_is_a_failed_row(cohort_csv: Path, tmp_path: Path) -> None:
    import dask
    from batch_cases import read_rows, write_cohort

    rows = [r for r in read_rows(cohort_csv) if r["case_id"] == "neg"]
    rows[0]["study"] = str(cohort_csv.parent / rows[0]["study"])
    cohort = write_cohort(tmp_path / "cohort.csv", rows)
    with (
        dask.config.set({"distributed.scheduler.allowed-failures": 0}),
        distributed.LocalCluster(
            n_workers=1, processes=True, threads_per_worker=1, dashboard_address=":0"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        client.run(_patch_run_case)
        report = run_cohort(
            cohort,
            tmp_path / "batch",
            device="cpu",
            threads=1,
            cluster=ClusterOptions(scheduler=cluster.scheduler_address),
        )
    (row,) = read_rows(report.summary)
    assert row["status"] == "failed" and row["error"].startswith("worker lost: KilledWorker")
    assert "\n" not in row["error"]
