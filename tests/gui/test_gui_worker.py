"""The background worker: progress, result, cancel and error, with real pipeline calls."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from PySide6.QtCore import QThreadPool

from strokescope import pipeline
from strokescope.errors import DicomLoadError
from strokescope.gui.worker import Worker, error_message


def _steps(n: int, *, delay: float = 0.01, on_progress: pipeline.Progress | None = None) -> int:
    for i in range(n):
        time.sleep(delay)
        if on_progress:
            on_progress((i + 1) / n)
    return n * 2


@pytest.fixture
def pool() -> QThreadPool:
    p = QThreadPool()
    p.setMaxThreadCount(1)
    return p


def test_worker_reports_progress_and_result(qtbot, pool: QThreadPool) -> None:  # type: ignore[no-untyped-def]
    worker = Worker(_steps, 20, name="steps")
    seen: list[float] = []
    worker.signals.progress.connect(seen.append)
    with qtbot.waitSignal(worker.signals.finished, timeout=5000) as blocker:
        worker.start(pool)
    assert blocker.args == [40]
    assert seen and seen[-1] == 1.0 and seen == sorted(seen)
    assert worker.is_done and worker.seconds > 0.15


def test_cancel_raises_cancelled_from_the_progress_callback(qtbot, pool: QThreadPool) -> None:  # type: ignore[no-untyped-def]
    worker = Worker(_steps, 500, name="long")
    finished: list[object] = []
    worker.signals.finished.connect(finished.append)
    worker.signals.progress.connect(lambda f: worker.cancel() if f > 0.05 else None)
    with qtbot.waitSignal(worker.signals.cancelled, timeout=5000):
        worker.start(pool)
    assert finished == [] and worker.seconds < 4.0


def test_errors_become_one_line_messages(qtbot, pool: QThreadPool, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    worker = Worker(pipeline.scan, tmp_path, name="scan")
    with qtbot.waitSignal(worker.signals.errored, timeout=5000) as blocker:
        worker.start(pool)
    message = blocker.args[0]
    assert str(tmp_path) in message and "\n" not in message
    assert error_message(ValueError("a\nb")) == "unexpected ValueError: a b"
    assert error_message(DicomLoadError("x: bad")) == "x: bad"


def test_worker_runs_the_real_scan_and_load(qtbot, pool: QThreadPool, study) -> None:  # type: ignore[no-untyped-def]
    scan_worker = Worker(pipeline.scan, study.root / "followup", name="scan")
    with qtbot.waitSignal(scan_worker.signals.finished, timeout=10000) as blocker:
        scan_worker.start(pool)
    (info,) = blocker.args[0].series
    load_worker = Worker(pipeline.load, info, name="load")
    with qtbot.waitSignal(load_worker.signals.finished, timeout=10000) as loaded:
        load_worker.start(pool)
    assert loaded.args[0].shape == (info.n_slices, info.rows, info.columns)


def test_signal_emits_keep_refcounts(qtbot) -> None:  # type: ignore[no-untyped-def]
    """PySide6 6.12.0 decref'd True on every Python emit and crashed long sessions."""
    import sys

    from strokescope.gui.worker import WorkerSignals

    signals = WorkerSignals()
    seen: list[float] = []
    signals.progress.connect(seen.append)
    before = sys.getrefcount(True)
    for n in range(2000):
        signals.progress.emit(n / 2000)
    assert len(seen) == 2000
    assert abs(sys.getrefcount(True) - before) < 50
