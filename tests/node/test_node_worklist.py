"""The node's worklist as a viewer reads it: states, sends, read-only access."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from strokescope import pipeline
from strokescope.errors import InputError
from strokescope.node.index import INDEX_NAME, Index


def _study(index: Index, uid: str, n: int = 2) -> int:
    for i in range(n):
        index.add_instance(
            study_uid=uid, folder=f"studies/{uid[-4:]}", series_uid="1.2", sop_uid=f"{uid}.{i}",
            path=f"studies/{uid[-4:]}/{i}.dcm",
        )  # fmt: skip
    return next(r.id for r in index.studies() if r.study_uid == uid)


def _claim(index: Index, uid: str) -> int:
    row = index.claim_complete(0.0)
    while row is not None and row.study_uid != uid:  # leave the others analysing
        row = index.claim_complete(0.0)
    assert row is not None
    return row.id


def _node(storage: Path) -> Index:
    """An index with a study in every state the worklist shows."""
    index = Index(storage / INDEX_NAME)
    for uid in ("1.2.3.1001", "1.2.3.1002", "1.2.3.1003", "1.2.3.1004", "1.2.3.1005"):
        _study(index, uid)
    (storage / "results" / "a" / "results-001").mkdir(parents=True)
    done = _claim(index, "1.2.3.1001")
    index.finish(
        done, state="analysed", detail="Left M1 occlusion", results="results/a/results-001"
    )
    sending = _claim(index, "1.2.3.1002")
    index.finish(
        sending, state="analysed", detail="No occlusion", results="results/gone/results-001",
        files=[("9.1", "r/seg.dcm"), ("9.2", "r/sr.dcm")], destinations=["PACS@host:104"],
    )  # fmt: skip
    first = index.sends()[0]
    index.mark_sent(first.id)
    index.mark_failed(index.sends()[1].id, "association rejected", 60.0)
    failed = _claim(index, "1.2.3.1003")
    index.finish(failed, state="failed", detail="analysis failed: ValueError: bad")
    skipped = _claim(index, "1.2.3.1004")
    index.finish(skipped, state="not analysed", detail="not analysed: no CTA series in the study")
    _claim(index, "1.2.3.1005")  # stays analysing
    _study(index, "1.2.3.1006", n=3)  # receiving, just now
    return index


def test_worklist_shows_every_state_newest_first(tmp_path: Path) -> None:
    index = _node(tmp_path)
    try:
        entries = {e.study_uid: e for e in pipeline.node_worklist(tmp_path)}
    finally:
        index.close()
    assert list(entries)[0] == "1.2.3.1006"  # the newest instance first
    states = {uid[-4:]: (e.state, e.detail) for uid, e in entries.items()}
    assert states == {
        "1001": ("analysed", "Left M1 occlusion"),
        "1002": ("sending", "1 of 2 result files sent; retrying: association rejected"),
        "1003": ("failed", "analysis failed: ValueError: bad"),
        "1004": ("not analysed", "not analysed: no CTA series in the study"),
        "1005": ("analysing", ""),
        "1006": ("receiving", ""),
    }
    done = entries["1.2.3.1001"]
    assert done.results_folder == tmp_path / "results" / "a" / "results-001"
    assert done.study_folder == tmp_path / "studies" / "1001"
    assert entries["1.2.3.1002"].results_folder is None  # the folder is gone
    assert entries["1.2.3.1006"].instances == 3
    assert abs(entries["1.2.3.1006"].received - time.time()) < 60


def test_quiet_study_is_queued_and_confirmed_sends_are_delivered(tmp_path: Path) -> None:
    index = _node(tmp_path)
    try:
        for send in index.sends():
            index.mark_sent(send.id)
        later = time.time() + 31
        from strokescope.node.worklist import read_worklist

        entries = {e.study_uid[-4:]: e for e in read_worklist(tmp_path, now=later)}
    finally:
        index.close()
    assert entries["1006"].state == "queued"
    assert entries["1002"].state == "delivered"
    assert entries["1002"].detail == "No occlusion; 2 result files delivered"
    assert (entries["1002"].sent, entries["1002"].to_send) == (2, 2)


def test_short_uid_keeps_the_distinctive_end() -> None:
    from strokescope.node.worklist import WorklistEntry

    uid = "1.2.826.0.1.3680043.8.498.12345678901234567890"
    entry = WorklistEntry(uid, 0.0, 1, "receiving", "", Path("s"), None)
    assert entry.short_uid == "…" + uid[-16:]
    assert WorklistEntry("1.2.3", 0.0, 1, "queued", "", Path("s"), None).short_uid == "1.2.3"


def test_worklist_is_read_only_and_reads_while_the_node_writes(tmp_path: Path) -> None:
    index = _node(tmp_path)
    try:
        # A reader never writes: a write through its connection is refused.
        from strokescope.node.worklist import _connect

        conn = _connect(tmp_path / INDEX_NAME)
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            conn.execute("DELETE FROM studies")
        conn.close()
        # The node holds a write transaction open: WAL readers still read.
        writer = sqlite3.connect(tmp_path / INDEX_NAME, isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE studies SET detail='changing' WHERE study_uid='1.2.3.1005'")
        entries = pipeline.node_worklist(tmp_path)
        writer.execute("ROLLBACK")
        writer.close()
    finally:
        index.close()
    assert len(entries) == 6
    assert not any(e.detail == "changing" for e in entries)


def test_a_folder_without_a_node_is_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no DICOM node here"):
        pipeline.node_worklist(tmp_path)
    assert not (tmp_path / INDEX_NAME).exists()


def test_the_newest_measured_ht_request_names_its_results_folder(tmp_path: Path) -> None:
    from strokescope.node import ht_queue

    index = _node(tmp_path)
    try:
        study = next(r.id for r in index.studies() if r.study_uid == "1.2.3.1004")
        for n, clicks in enumerate((["z=1 y=2 x=3"], ["z=4 y=5 x=6"], ["z=7 y=8 x=9"]), 1):
            ht_queue.add_request(index, study_id=study, series_key="2", rois=[], clicks=clicks)
            found = ht_queue.claim_request(index)
            assert found is not None
            if n < 3:  # the third one fails: the second one's results are the newest
                results = f"results/1004/ht-00{n}/results-001"
                (tmp_path / results).mkdir(parents=True)
                ht_queue.finish_request(index, found, state="done", detail="HT", results=results)
            else:
                ht_queue.finish_request(index, found, state="failed", detail="bad click")
        entries = {e.study_uid[-4:]: e for e in pipeline.node_worklist(tmp_path)}
    finally:
        index.close()
    newest = tmp_path / "results" / "1004" / "ht-002" / "results-001"
    assert entries["1004"].ht_results_folder == newest and entries["1004"].ht_series_key == "2"
    assert entries["1004"].results_folder is None  # no thrombus result: no CTA
    assert entries["1001"].ht_results_folder is None  # no HT request
    assert entries["1004"].detail.endswith("; HT failed: bad click")
    newest.rmdir()  # a folder that is gone is not offered
    assert {e.study_uid[-4:]: e for e in pipeline.node_worklist(tmp_path)}[
        "1004"
    ].ht_results_folder is None
