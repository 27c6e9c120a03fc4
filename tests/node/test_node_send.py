"""The send queue: a destination that is down or refuses keeps the results queued, with
backoff, until it takes them; nothing is dropped. Disk full on receive is refused with
0xA700 so the sender keeps the instance."""

from __future__ import annotations

import errno
import logging
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from node_helpers import free_port, send_files, wait_for, write_config

from conftest import PhantomFiles
from strokescope.node import receiver
from strokescope.node.config import NodeConfig, load_config
from strokescope.node.index import Index
from strokescope.node.sender import send_due
from strokescope.node.service import Node


class Archive:
    """A C-STORE SCP on ``port`` answering ``status`` and recording what it accepted."""

    def __init__(self, port: int, status: int = 0x0000) -> None:
        from pynetdicom import AE, AllStoragePresentationContexts, evt

        self.status, self.received = status, []
        ae = AE(ae_title="ARCHIVE")
        ae.supported_contexts = AllStoragePresentationContexts
        handlers = [(evt.EVT_C_STORE, self._store)]
        self.server = ae.start_server(("127.0.0.1", port), block=False, evt_handlers=handlers)

    def _store(self, event: Any) -> int:
        if self.status == 0:
            self.received.append(str(event.request.AffectedSOPInstanceUID))
        return self.status


def _queued(tmp_path: Path, phantom: PhantomFiles, dest_port: int) -> tuple[NodeConfig, Index]:
    """A node configuration and an index holding one analysed study with two queued
    files (two phantom instances stand in for the results)."""
    config = load_config(
        write_config(tmp_path, port=free_port(), destinations=[("ARCHIVE", dest_port)])
    )
    index = Index(config.index_path)
    files = []
    for n, src in enumerate(phantom.ncct[:2]):
        rel = f"results/s/r{n}.dcm"
        (config.storage / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(src, config.storage / rel)
        files.append((f"1.2.3.{n}", rel))
    index.add_instance(
        study_uid="1.2", folder="studies/s", series_uid="1.2.1", sop_uid="9", path="x"
    )
    row = index.claim_complete(0.0)
    assert row is not None
    index.finish(
        row.id,
        state="analysed",
        detail="ok",
        files=files,
        destinations=[config.destinations[0].key],
    )
    return config, index


def test_a_destination_that_is_down_keeps_the_results_queued(
    tmp_path: Path, phantom: PhantomFiles, caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()
    config, index = _queued(tmp_path, phantom, port)
    with caplog.at_level(logging.WARNING, logger="strokescope.node"):
        assert send_due(config, index) == 0
    rows = index.sends()
    assert [(r.state, r.attempts) for r in rows] == [("pending", 1)] * 2
    assert all(r.next_try > time.time() and "association" in r.last_error for r in rows)
    assert "2 result file(s) for ARCHIVE@127.0.0.1" in caplog.text and "queued" in caplog.text
    assert send_due(config, index) == 0  # not due yet: no attempt
    assert [r.attempts for r in index.sends()] == [1, 1]
    archive = Archive(port)
    try:
        time.sleep(config.retry.delay(1) + 0.1)
        assert send_due(config, index) == 2
    finally:
        archive.server.shutdown()
    assert [r.state for r in index.sends()] == ["sent", "sent"]
    assert sorted(archive.received) == [phantom_uid(p) for p in phantom.ncct[:2]]
    index.close()


def phantom_uid(path: Path) -> str:
    import pydicom

    return str(pydicom.dcmread(path, stop_before_pixels=True).SOPInstanceUID)


def test_a_refusing_destination_is_retried_with_backoff(
    tmp_path: Path, phantom: PhantomFiles
) -> None:
    port = free_port()
    config, index = _queued(tmp_path, phantom, port)
    archive = Archive(port, status=0xA700)
    try:
        send_due(config, index)
        first = index.sends()
        time.sleep(config.retry.delay(1) + 0.1)
        send_due(config, index)
        second = index.sends()
    finally:
        archive.server.shutdown()
    assert [r.last_error for r in first] == ["C-STORE status 0xA700"] * 2
    assert [r.attempts for r in second] == [2, 2] and {r.state for r in second} == {"pending"}
    gap_1 = first[0].next_try - time.time()
    assert second[0].next_try - first[0].next_try > gap_1  # the delay doubled
    index.close()


def test_disk_full_refuses_the_instance_so_the_sender_keeps_it(
    tmp_path: Path, phantom: PhantomFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(path: object, data: bytes) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(receiver, "atomic_write_bytes", full)
    with Node(load_config(write_config(tmp_path, port=free_port(), quiet_s=3600))) as node:
        assert send_files(phantom.ncct[:2], node.config.port) == [0xA700, 0xA700]
        assert node.index.instance_count() == 0
    text = node.config.log_path.read_text(encoding="utf-8")
    assert "instance not stored (the sender keeps it and retries): No space left on device" in text
    assert "0 instances stored, 0 already held, 2 refused" in text


def test_disk_full_during_analysis_is_retried_other_errors_are_recorded(
    tmp_path: Path, phantom: PhantomFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    from strokescope import pipeline
    from strokescope.errors import DicomLoadError

    calls: list[int] = []

    def scan(folder: object, **options: object) -> None:
        calls.append(1)
        if len(calls) == 1:
            raise OSError(errno.ENOSPC, "No space left on device")
        raise DicomLoadError("studies/x: no image series")

    monkeypatch.setattr(pipeline, "scan", scan)
    with Node(load_config(write_config(tmp_path, port=free_port(), quiet_s=0.3))) as node:
        send_files(phantom.ncct[:2], node.config.port)
        done = wait_for(
            lambda: [s for s in node.index.studies() if s.state == "failed"], 30, "failed"
        )
    assert len(calls) == 2 and done[0].analyses == 2
    assert done[0].detail == "analysis failed: studies/x: no image series"
    text = node.config.log_path.read_text(encoding="utf-8")
    assert "No space left on device; tried again later" in text
