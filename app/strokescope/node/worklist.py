"""The node's worklist, read-only: what a viewer shows of the studies a node received.

:func:`read_worklist` opens the node's SQLite index (:mod:`strokescope.node.index`) with
``mode=ro`` and a short busy timeout, so a viewer may read it while ``strokescope listen``
writes it; it never writes. Each study becomes a :class:`WorklistEntry` with the state a
person reads (see :data:`WORKLIST_STATES`), derived from the study's state in the index
and from its send queue; the detail names the newest HT request and its outcome. The
entry names the newest results folders, thrombus and HT, so a viewer reads the results
back instead of computing them again. No patient identifier is shown: the index holds
none.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from strokescope.errors import InputError
from strokescope.node.index import INDEX_NAME

WorklistState = Literal[
    "receiving",
    "queued",
    "analysing",
    "analysed",
    "not analysed",
    "failed",
    "sending",
    "delivered",
]
WORKLIST_STATES: tuple[WorklistState, ...] = (
    "receiving",  # instances still arriving (within the quiet time)
    "queued",  # complete, waiting for the analysis worker
    "analysing",
    "analysed",  # results exported; no destination to send them to
    "not analysed",  # e.g. no CTA in the study; the reason in ``detail``
    "failed",  # the analysis raised; the one-line error in ``detail``
    "sending",  # results queued for a destination, not all confirmed yet
    "delivered",  # every destination confirmed every result file
)

READ_TIMEOUT_S = 1.0
"""How long a read waits for the node's write lock before it gives up (and is retried)."""


@dataclass(frozen=True)
class WorklistEntry:
    """One study the node holds. ``received`` is the time (epoch seconds) its newest
    instance arrived; ``results_folder`` is the newest thrombus results folder, ``None``
    when there is none (not analysed yet, or the folder is gone); ``ht_results_folder``
    the same for the newest HT request measured, and ``ht_series_key`` the key
    (:attr:`strokescope.io.SeriesInfo.key`) of the follow-up NCCT series it measured."""

    study_uid: str
    received: float
    instances: int
    state: WorklistState
    detail: str
    study_folder: Path
    results_folder: Path | None
    sent: int = 0
    to_send: int = 0
    ht_results_folder: Path | None = None
    ht_series_key: str = ""

    @property
    def short_uid(self) -> str:
        """The Study Instance UID shortened for a table: its last 16 characters."""
        uid = self.study_uid
        return uid if len(uid) <= 19 else f"…{uid[-16:]}"


_QUERY = """
SELECT s.study_uid, s.folder, s.state, s.last_received, s.instances, s.detail, s.results,
       COUNT(x.id), COALESCE(SUM(x.state = 'sent'), 0),
       (SELECT last_error FROM sends e WHERE e.study_id = s.id AND e.state = 'pending'
        AND e.last_error != '' ORDER BY e.id DESC LIMIT 1),
       {ht}, {ht_results}, {ht_series}
FROM studies s LEFT JOIN sends x ON x.study_id = s.id
GROUP BY s.id ORDER BY s.last_received DESC, s.id DESC
"""
_HT = """(SELECT 'HT ' || r.state || CASE r.detail WHEN '' THEN '' ELSE ': ' || r.detail END
        FROM requests r WHERE r.study_id = s.id ORDER BY r.id DESC LIMIT 1)"""
"""The newest HT request of the study, e.g. "HT done: Hemorrhage 9.8 mL (ABC/2 8.1 mL)"."""
_MEASURED = """(SELECT r.{column} FROM requests r WHERE r.study_id = s.id AND r.state = 'done'
        AND r.results != '' ORDER BY r.id DESC LIMIT 1)"""
"""The results folder or series key of the study's newest HT request that was measured."""


def _connect(path: Path) -> sqlite3.Connection:
    """A read-only connection (URI ``mode=ro``): never creates or writes the index."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=READ_TIMEOUT_S)
    conn.execute(f"PRAGMA busy_timeout={int(READ_TIMEOUT_S * 1000)}")
    return conn


def _state(
    state: str, last: float, quiet_s: float, now: float, sends: int, sent: int
) -> WorklistState:
    if state == "receiving":
        return "receiving" if now - last < quiet_s else "queued"
    if state in ("analysed", "not analysed") and sends:  # thrombus or HT results
        return "delivered" if sent == sends else "sending"
    if state in WORKLIST_STATES:
        return state
    return "failed"  # an unknown state from a newer node: shown, never hidden


def _detail(
    state: WorklistState, detail: str, sends: int, sent: int, error: str | None, ht: str | None
) -> str:
    """The study's detail; then its newest HT request's state and impression, if any; then
    the send count (while sending, the count replaces the study's detail)."""
    if state == "sending":
        text = f"{sent} of {sends} result files sent"
        parts = [ht, f"{text}; retrying: {error}" if error else text]
    elif state == "delivered":
        parts = [detail, ht, f"{sends} result files delivered"]
    else:
        parts = [detail, ht]
    return "; ".join(t for t in parts if t)


def _folder(storage: Path, relative: str | None) -> Path | None:
    """``storage / relative`` when that is a folder (``None``: none recorded, or gone)."""
    path = Path(storage) / relative if relative else None
    return path if path is not None and path.is_dir() else None


def read_worklist(
    storage: Path, *, quiet_s: float = 30.0, now: float | None = None
) -> tuple[WorklistEntry, ...]:
    """The studies of the node whose storage folder is ``storage``, newest first.

    ``quiet_s`` is the node's quiet time (``quiet_seconds`` of its node.toml): a study
    receiving nothing for longer is shown as ``queued``.

    Raises
    ------
    InputError
        ``storage`` holds no node index, or the index cannot be read (one line).
    """
    path = Path(storage) / INDEX_NAME
    if not path.is_file():
        raise InputError(f"{storage}: no DICOM node here (no {INDEX_NAME})")
    now = time.time() if now is None else now
    try:
        conn = _connect(path)
        try:
            tables = conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            if ("requests",) in tables.fetchall():
                query = _QUERY.format(
                    ht=_HT,
                    ht_results=_MEASURED.format(column="results"),
                    ht_series=_MEASURED.format(column="series_key"),
                )
            else:  # an older node's index: no HT requests
                query = _QUERY.format(ht="NULL", ht_results="NULL", ht_series="NULL")
            rows = conn.execute(query).fetchall()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        raise InputError(f"{path}: cannot read the node's index ({exc})") from exc
    entries = []
    for row in rows:
        uid, folder, raw, last, count, detail, results, sends, sent, error, ht = row[:11]
        ht_results, ht_series = row[11:]
        state = _state(raw, last, quiet_s, now, sends, sent)
        entries.append(
            WorklistEntry(
                study_uid=uid,
                received=last,
                instances=count,
                state=state,
                detail=_detail(state, detail, sends, sent, error, ht),
                study_folder=Path(storage) / folder,
                results_folder=_folder(storage, results),
                sent=sent,
                to_send=sends,
                ht_results_folder=_folder(storage, ht_results),
                ht_series_key=ht_series or "",
            )
        )
    return tuple(entries)
