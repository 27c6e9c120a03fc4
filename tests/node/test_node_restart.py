"""Restart safety: ``strokescope listen`` killed with SIGKILL while it receives and while it
sends loses nothing and duplicates nothing after a restart."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from node_helpers import free_port, send_files, wait_for, write_config

from conftest import PhantomFiles

DEST_AE = "ARCHIVE"


class Recorder:
    """A C-STORE SCP that records the SOP Instance UIDs it receives. While ``hold`` is set
    its first C-STORE waits (so that the node can be killed in the middle of a send)."""

    def __init__(self) -> None:
        from pynetdicom import AE, AllStoragePresentationContexts, evt

        self.received: list[str] = []
        self.entered, self.release, self.hold = threading.Event(), threading.Event(), True
        ae = AE(ae_title=DEST_AE)
        ae.supported_contexts = AllStoragePresentationContexts
        self.port = free_port()
        handlers = [(evt.EVT_C_STORE, self._store)]
        self.server = ae.start_server(("127.0.0.1", self.port), block=False, evt_handlers=handlers)

    def _store(self, event: Any) -> int:
        self.received.append(str(event.request.AffectedSOPInstanceUID))
        if self.hold:
            self.hold = False
            self.entered.set()
            self.release.wait(60)
        return 0x0000


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    server = Recorder()
    yield server
    server.release.set()
    server.server.shutdown()


class NodeProcess:
    """``strokescope listen`` in a subprocess, logging to ``folder/stderr.txt``."""

    def __init__(self, config: Path) -> None:
        self.config = config
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        log = self.config.parent / "data" / "logs" / "node.log"
        before = self._starts(log)
        err = open(self.config.parent / "stderr.txt", "ab")  # noqa: SIM115 - the child keeps it
        cmd = [sys.executable, "-m", "strokescope.cli", "listen", "--config", str(self.config)]
        self.process = subprocess.Popen(cmd, stdout=err, stderr=err)
        err.close()
        wait_for(lambda: self._starts(log) > before, 60, "the node to listen")

    def _starts(self, log: Path) -> int:
        assert self.process is None or self.process.poll() in (None, -signal.SIGKILL)
        text = log.read_text(encoding="utf-8") if log.is_file() else ""
        return text.count("listening as AE")

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(60)


def _query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return conn.execute(sql).fetchall()


def test_kill_9_during_receive_and_during_send_loses_and_repeats_nothing(
    tmp_path: Path, phantom: PhantomFiles, recorder: Recorder
) -> None:
    port = free_port()
    config = write_config(tmp_path, port=port, destinations=[(DEST_AE, recorder.port)], quiet_s=3)
    db = tmp_path / "data" / "index.sqlite"
    node = NodeProcess(config)
    try:
        node.start()

        def kill_at_60(n: int) -> None:
            if n == 59:
                node.kill()

        statuses = send_files(phantom.all, port, after_each=kill_at_60)
        assert statuses[:60] == [0] * 60 and all(s == -1 for s in statuses[61:])
        assert _query(db, "SELECT COUNT(*) FROM instances") == [(60,)]

        node.start()  # the sender (a PACS) retries the whole study
        assert send_files(phantom.all, port) == [0] * 160
        wait_for(recorder.entered.is_set, 120, "the first result at the destination")
        node.kill()  # in the middle of the first C-STORE of the results
        recorder.release.set()
        assert _query(db, "SELECT state FROM sends") == [("pending",)] * 3

        node.start()
        wait_for(lambda: _query(db, "SELECT state FROM sends") == [("sent",)] * 3, 120, "the sends")
        node.stop()
    finally:
        node.stop()
    stored = list((tmp_path / "data" / "studies").rglob("*"))
    assert len([p for p in stored if p.is_file()]) == 160  # once each, no partial files
    assert _query(db, "SELECT COUNT(*), COUNT(DISTINCT sop_uid) FROM instances") == [(160, 160)]
    assert _query(db, "SELECT state, instances, analyses FROM studies") == [("analysed", 160, 1)]
    results = sorted((tmp_path / "data" / "results").rglob("results-*"))
    assert [p.name for p in results] == ["results-001"]
    queued = {uid for (uid,) in _query(db, "SELECT sop_uid FROM sends")}
    assert set(recorder.received) == queued and len(queued) == 3
    # Only the C-STORE in flight at the kill is repeated, with the same SOP Instance UID.
    assert len(recorder.received) == 4 and recorder.received.count(recorder.received[0]) == 2
