"""The node's queue of HT requests: the ``requests`` table of its SQLite index.

HT volumetry needs a person to point at the bleed, so the node never runs it by itself.
``strokescope listen --ht STUDY`` (or the viewer's Worklist) adds a request naming the study,
its follow-up NCCT series and the ROIs and clicks as voxel text on that series
(:mod:`strokescope.node.ht_request` checks them first). The node's worker claims the
pending requests in order, once their study is complete, measures, and records the outcome
together with the sends of the result files in one transaction. A request interrupted by a
stop or a ``kill -9`` is ``running`` at the next start and goes back to ``pending``
(:meth:`strokescope.node.index.Index.recover`): it runs again and its results are queued
once.

A request is unique per (study, series, ROIs, clicks): asking again returns the one there
is, and puts a failed one back in the queue.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from strokescope.node.index import Index, queue_sends

REQUEST_STATES = ("pending", "running", "done", "failed")
"""Waiting (or waiting for a retry); being measured; measured and its results queued; the
measurement failed (the one-line error in ``detail``)."""


@dataclass(frozen=True)
class HtRequest:
    """One HT request. ``folder`` is its study's folder and ``results`` its results folder,
    both relative to the storage folder; ``rois`` and ``clicks`` are in the voxel syntax of
    ``strokescope ht`` on the series ``series_key``."""

    id: int
    study_id: int
    series_key: str
    rois: tuple[str, ...]
    clicks: tuple[str, ...]
    state: str
    runs: int
    next_try: float
    detail: str
    results: str
    folder: str
    study_uid: str

    @property
    def where(self) -> str:
        """The clicks and ROIs in one line, e.g. ``click z=4 y=60 x=71``."""
        return "; ".join([*(f"click {c}" for c in self.clicks), *(f"ROI {r}" for r in self.rois)])


_COLUMNS = (
    "r.id, r.study_id, r.series_key, r.rois, r.clicks, r.state, r.runs, r.next_try, r.detail,"
    " r.results, s.folder, s.study_uid"
)
_FROM = "FROM requests r JOIN studies s ON s.id = r.study_id"


def _row(values: Sequence[object]) -> HtRequest:
    v = list(values)
    v[3], v[4] = tuple(json.loads(str(v[3]))), tuple(json.loads(str(v[4])))
    return HtRequest(*v)  # type: ignore[arg-type]


def request(index: Index, request_id: int) -> HtRequest | None:
    rows = index.read(f"SELECT {_COLUMNS} {_FROM} WHERE r.id=?", (request_id,))
    return _row(rows[0]) if rows else None


def requests(index: Index) -> list[HtRequest]:
    """Every request, oldest first."""
    return [_row(r) for r in index.read(f"SELECT {_COLUMNS} {_FROM} ORDER BY r.id")]


def add_request(
    index: Index, *, study_id: int, series_key: str, rois: Sequence[str], clicks: Sequence[str]
) -> tuple[HtRequest, bool]:
    """Queue a request; the request and whether it is new (or a failed one queued again)
    rather than one already pending, running or done."""
    key = (study_id, series_key, json.dumps(list(rois)), json.dumps(list(clicks)))
    now = time.time()
    with index.transaction() as c:
        new = c.execute(
            "INSERT OR IGNORE INTO requests (study_id, series_key, rois, clicks, requested,"
            " next_try) VALUES (?, ?, ?, ?, ?, ?)",
            (*key, now, now),
        ).rowcount
        (request_id,) = c.execute(
            "SELECT id FROM requests WHERE study_id=? AND series_key=? AND rois=? AND clicks=?",
            key,
        ).fetchone()
        new += c.execute(
            "UPDATE requests SET state='pending', next_try=?, detail='' WHERE id=?"
            " AND state='failed'",
            (now, request_id),
        ).rowcount
    found = request(index, int(request_id))
    assert found is not None
    return found, bool(new)


def claim_request(index: Index) -> HtRequest | None:
    """The oldest pending request that is due and whose study is complete (not receiving
    instances), now ``running``."""
    with index.transaction() as c:
        row = c.execute(
            f"SELECT {_COLUMNS} {_FROM} WHERE r.state='pending' AND r.next_try <= ?"
            " AND s.state != 'receiving' ORDER BY r.id LIMIT 1",
            (time.time(),),
        ).fetchone()
        if row is None:
            return None
        c.execute("UPDATE requests SET state='running', runs=runs+1 WHERE id=?", (row[0],))
    found = _row(row)
    return replace(found, state="running", runs=found.runs + 1)


def finish_request(
    index: Index,
    found: HtRequest,
    *,
    state: str,
    detail: str,
    results: str = "",
    files: Sequence[tuple[str, str]] = (),
    destinations: Sequence[str] = (),
) -> None:
    """Record the outcome of a running request and queue ``files`` ((SOP Instance UID,
    path) pairs) of its study for every destination, in one transaction."""
    if state not in ("done", "failed"):
        raise ValueError(f"a request ends done or failed, not {state!r}")
    with index.transaction() as c:
        ended = c.execute(
            "UPDATE requests SET state=?, detail=?, results=? WHERE id=? AND state='running'",
            (state, detail, results, found.id),
        ).rowcount
        if ended:
            queue_sends(c, found.study_id, files, destinations)


def retry_request(index: Index, request_id: int, detail: str, delay_s: float) -> None:
    """Put a running request that met a transient error back in the queue, due in
    ``delay_s`` seconds."""
    with index.transaction() as c:
        c.execute(
            "UPDATE requests SET state='pending', detail=?, next_try=? WHERE id=?"
            " AND state='running'",
            (detail, time.time() + delay_s, request_id),
        )
