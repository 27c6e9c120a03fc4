"""Results folders under concurrency and kill -9: exports into one parent never fail or
bring back another's result, and a staging folder is removed once (and only once) its
export's process is gone."""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import textwrap
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from export_cases import Study

from strokescope.outputs import export_results, folders

WORKERS = 6
PUBLISHES = 15
HANGING_EXPORT = textwrap.dedent(
    """
    import pickle, sys, time
    from strokescope.outputs import export_results
    source, result = pickle.load(open(sys.argv[1], "rb"))
    def hold(f):
        if f >= 0.5:
            print("ready", flush=True)
            sys.stdin.readline()
    export_results(sys.argv[2], source=source, hemorrhage=result, on_progress=hold)
    """
)


def _publish_many(out: str, worker: int, modes: str) -> list[str]:
    """``PUBLISHES`` staged-and-published folders holding one id file each; errors as text."""
    errors = []
    for n in range(PUBLISHES):
        overwrite = modes == "all" or (modes == "mixed" and worker % 2 == 1)
        try:
            stage = folders.Staging(Path(out))
            (stage.path / f"id-{worker}-{n}").write_text("x")
            stage.publish(overwrite=overwrite)
        except Exception as exc:  # reported, the test asserts there are none
            errors.append(f"{worker}/{n}: {type(exc).__name__}: {exc}")
    return errors


@pytest.mark.parametrize("modes", ["none", "all", "mixed"])
def test_concurrent_publishes_into_one_parent(tmp_path: Path, modes: str) -> None:
    first = folders.Staging(tmp_path)
    (first.path / "id-first").write_text("x")
    first.publish(overwrite=False)
    with ProcessPoolExecutor(WORKERS) as pool:
        jobs = [pool.submit(_publish_many, str(tmp_path), w, modes) for w in range(WORKERS)]
        errors = [e for job in jobs for e in job.result()]
    assert errors == []
    names = sorted(p.name for p in tmp_path.iterdir())
    adding = {"none": WORKERS, "all": 0, "mixed": WORKERS // 2}[modes] * PUBLISHES
    assert names == [folders.folder_name(k) for k in range(1, adding + 2)]
    ids = [f.name for d in tmp_path.iterdir() for f in d.iterdir()]
    assert len(ids) == len(names) == len(set(ids))  # one complete result per folder


def _hanging_export(study: Study, tmp_path: Path, out: Path) -> subprocess.Popen[str]:
    """A process that stops inside an export, with its staging folder written half-way."""
    state = tmp_path / "state.pkl"
    state.write_bytes(pickle.dumps((study.followup, study.hemorrhage)))
    proc = subprocess.Popen(
        [sys.executable, "-c", HANGING_EXPORT, str(state), str(out)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


def _staging(out: Path) -> list[Path]:
    return [p for p in out.iterdir() if p.name.startswith(folders.STAGING_PREFIX)]


def test_staging_left_by_kill_9_is_removed_at_next_export(study: Study, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = _hanging_export(study, tmp_path, out)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=60)
    assert len(_staging(out)) == 1
    m = export_results(out, source=study.followup, hemorrhage=study.hemorrhage)
    assert sorted(p.name for p in out.iterdir()) == [m.folder.name] == ["results-001"]


def test_staging_of_a_running_export_is_kept(study: Study, tmp_path: Path) -> None:
    out = tmp_path / "out"
    proc = _hanging_export(study, tmp_path, out)
    try:
        (running,) = _staging(out)
        m = export_results(out, source=study.followup, hemorrhage=study.hemorrhage)
        assert m.folder.name == "results-001" and running.is_dir()
    finally:
        proc.communicate("go\n", timeout=120)
    assert proc.returncode == 0
    assert sorted(p.name for p in out.iterdir()) == ["results-001", "results-002"]
