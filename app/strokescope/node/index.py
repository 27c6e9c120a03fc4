"""The node's SQLite index: received instances, study states and the send queue.

Everything the node must not forget lives here, so that a node killed at any moment
(``kill -9``) resumes where it stopped:

* ``instances``: one row per SOP Instance UID (the key: a repeated C-STORE of the same
  instance is answered "success" and stored once), its study, series and file.
* ``studies``: one row per Study Instance UID with its state (see :data:`STATES`), the
  time its newest instance arrived, and the analysis outcome.
* ``sends``: one row per (destination, result SOP Instance UID), ``pending`` until the
  destination confirmed the C-STORE, with attempts, next try and last error.
* ``requests``: HT measurements a person asked for on a study's follow-up NCCT
  (:mod:`strokescope.node.ht_queue`), ``pending`` until measured and queued for sending.

A study whose analysis was interrupted (state ``analysing`` at start) is analysed again,
and so is an interrupted HT request (``running``); their results were not queued yet,
because the queue rows and the new state are written in one transaction. Writes go
through one connection guarded by a lock (the SCP's association threads and the node's
worker threads share it); WAL journal.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

INDEX_NAME = "index.sqlite"
"""The index's file name inside the node's storage folder."""

STATES = ("receiving", "analysing", "analysed", "not analysed", "failed")
"""A study's states: instances arriving; being analysed; results exported (and queued);
not analysed (the reason in ``detail``, e.g. no CTA); the analysis raised an error."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS studies (
    id INTEGER PRIMARY KEY,
    study_uid TEXT UNIQUE NOT NULL,
    folder TEXT NOT NULL,
    state TEXT NOT NULL,
    first_received REAL NOT NULL,
    last_received REAL NOT NULL,
    instances INTEGER NOT NULL DEFAULT 0,
    analyses INTEGER NOT NULL DEFAULT 0,
    detail TEXT NOT NULL DEFAULT '',
    results TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS instances (
    sop_uid TEXT PRIMARY KEY,
    study_id INTEGER NOT NULL REFERENCES studies(id),
    series_uid TEXT NOT NULL,
    path TEXT NOT NULL,
    received REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS sends (
    id INTEGER PRIMARY KEY,
    study_id INTEGER NOT NULL REFERENCES studies(id),
    destination TEXT NOT NULL,
    sop_uid TEXT NOT NULL,
    path TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_try REAL NOT NULL,
    last_error TEXT NOT NULL DEFAULT '',
    sent REAL,
    UNIQUE (destination, sop_uid)
);
CREATE TABLE IF NOT EXISTS requests (
    id INTEGER PRIMARY KEY,
    study_id INTEGER NOT NULL REFERENCES studies(id),
    series_key TEXT NOT NULL,
    rois TEXT NOT NULL,
    clicks TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    requested REAL NOT NULL,
    next_try REAL NOT NULL,
    runs INTEGER NOT NULL DEFAULT 0,
    detail TEXT NOT NULL DEFAULT '',
    results TEXT NOT NULL DEFAULT '',
    UNIQUE (study_id, series_key, rois, clicks)
);
"""


@dataclass(frozen=True)
class StudyRow:
    """One study of the index (``folder`` is relative to the storage folder)."""

    id: int
    study_uid: str
    folder: str
    state: str
    last_received: float
    instances: int
    analyses: int
    detail: str
    results: str


@dataclass(frozen=True)
class SendRow:
    """One queued result file for one destination."""

    id: int
    study_id: int
    destination: str
    sop_uid: str
    path: str
    state: str
    attempts: int
    next_try: float
    last_error: str


class Index:
    """The SQLite index at ``path`` (created if absent); safe to share between threads."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=FULL")
        self._conn.execute("PRAGMA busy_timeout=10000")
        self._conn.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One transaction under the lock: committed on success, rolled back on error."""
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self._conn
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
            self._conn.execute("COMMIT")

    # -- receiving ---------------------------------------------------------------------

    def seen_instance(self, sop_uid: str) -> bool:
        """Whether ``sop_uid`` is indexed; if so, and its study is still receiving, the
        study's quiet time starts again (the sender is still at work on it)."""
        with self.transaction() as c:
            row = c.execute("SELECT study_id FROM instances WHERE sop_uid=?", (sop_uid,))
            found = row.fetchone()
            if found is not None:
                c.execute(
                    "UPDATE studies SET last_received=? WHERE id=? AND state='receiving'",
                    (time.time(), found[0]),
                )
        return found is not None

    def add_instance(
        self, *, study_uid: str, folder: str, series_uid: str, sop_uid: str, path: str
    ) -> bool:
        """Index a stored instance; ``False`` when its SOP Instance UID is already indexed
        (nothing changes). A new instance puts its study (back) into ``receiving``."""
        now = time.time()
        with self.transaction() as c:
            c.execute(
                "INSERT OR IGNORE INTO studies (study_uid, folder, state, first_received,"
                " last_received) VALUES (?, ?, 'receiving', ?, ?)",
                (study_uid, folder, now, now),
            )
            (study_id,) = c.execute(
                "SELECT id FROM studies WHERE study_uid=?", (study_uid,)
            ).fetchone()
            added = c.execute(
                "INSERT OR IGNORE INTO instances VALUES (?, ?, ?, ?, ?)",
                (sop_uid, study_id, series_uid, path, now),
            ).rowcount
            if added:
                c.execute(
                    "UPDATE studies SET state='receiving', last_received=?,"
                    " instances=instances+1 WHERE id=?",
                    (now, study_id),
                )
        return bool(added)

    # -- analysis ----------------------------------------------------------------------

    def recover(self) -> int:
        """At start: put studies whose analysis was interrupted, and HT requests whose
        measurement was, back into their queues, and start the quiet time of every
        receiving study anew (the time the node was down does not count: its senders may
        not have finished). The count put back."""
        with self.transaction() as c:
            again = c.execute(
                "UPDATE studies SET state='receiving' WHERE state='analysing'"
            ).rowcount
            c.execute("UPDATE studies SET last_received=? WHERE state='receiving'", (time.time(),))
            again += c.execute("UPDATE requests SET state='pending' WHERE state='running'").rowcount
        return again

    def claim_complete(self, quiet_s: float) -> StudyRow | None:
        """The oldest study with no new instance for ``quiet_s`` seconds, now ``analysing``."""
        with self.transaction() as c:
            row = c.execute(
                f"SELECT {_STUDY_COLUMNS} FROM studies WHERE state='receiving'"
                " AND last_received <= ? ORDER BY last_received LIMIT 1",
                (time.time() - quiet_s,),
            ).fetchone()
            if row is None:
                return None
            c.execute(
                "UPDATE studies SET state='analysing', analyses=analyses+1 WHERE id=?",
                (row[0],),
            )
        return replace(StudyRow(*row), state="analysing", analyses=row[6] + 1)

    def finish(
        self,
        study_id: int,
        *,
        state: str,
        detail: str,
        results: str = "",
        files: Sequence[tuple[str, str]] = (),
        destinations: Sequence[str] = (),
    ) -> None:
        """Record an analysis outcome and queue ``files`` ((SOP Instance UID, path) pairs)
        for every destination, in one transaction. A study that received a new instance
        meanwhile stays ``receiving`` (it is analysed again)."""
        if state not in STATES:
            raise ValueError(f"unknown study state {state!r}")
        with self.transaction() as c:
            c.execute(
                "UPDATE studies SET state=?, detail=?, results=? WHERE id=? AND state='analysing'",
                (state, detail, results, study_id),
            )
            queue_sends(c, study_id, files, destinations)

    def requeue(self, study_id: int, detail: str) -> None:
        """Put a study whose analysis met a transient error back in the queue: it is
        claimed again after the quiet time."""
        with self.transaction() as c:
            c.execute(
                "UPDATE studies SET state='receiving', detail=?, last_received=?"
                " WHERE id=? AND state='analysing'",
                (detail, time.time(), study_id),
            )

    def read(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        """The rows of one read-only query, under the lock."""
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def studies(self) -> list[StudyRow]:
        with self._lock:
            rows = self._conn.execute(f"SELECT {_STUDY_COLUMNS} FROM studies ORDER BY id")
            return [StudyRow(*r) for r in rows.fetchall()]

    def instance_count(self, study_id: int | None = None) -> int:
        with self._lock:
            if study_id is None:
                row = self._conn.execute("SELECT COUNT(*) FROM instances").fetchone()
            else:
                row = self._conn.execute(
                    "SELECT COUNT(*) FROM instances WHERE study_id=?", (study_id,)
                ).fetchone()
            return int(row[0])

    # -- sending -----------------------------------------------------------------------

    def due_sends(self) -> list[SendRow]:
        """Pending sends whose next try has come, by destination and queue order."""
        with self._lock:
            rows = self._conn.execute(
                f"SELECT {_SEND_COLUMNS} FROM sends WHERE state='pending' AND next_try <= ?"
                " ORDER BY destination, id",
                (time.time(),),
            )
            return [SendRow(*r) for r in rows.fetchall()]

    def sends(self) -> list[SendRow]:
        with self._lock:
            rows = self._conn.execute(f"SELECT {_SEND_COLUMNS} FROM sends ORDER BY id")
            return [SendRow(*r) for r in rows.fetchall()]

    def mark_sent(self, send_id: int) -> None:
        with self.transaction() as c:
            c.execute("UPDATE sends SET state='sent', sent=? WHERE id=?", (time.time(), send_id))

    def mark_failed(self, send_id: int, error: str, delay_s: float) -> int:
        """Count a failed attempt and schedule the next one; the attempts so far."""
        with self.transaction() as c:
            c.execute(
                "UPDATE sends SET attempts=attempts+1, last_error=?, next_try=? WHERE id=?",
                (error, time.time() + delay_s, send_id),
            )
            row = c.execute("SELECT attempts FROM sends WHERE id=?", (send_id,)).fetchone()
        return int(row[0])


def queue_sends(
    conn: sqlite3.Connection,
    study_id: int,
    files: Sequence[tuple[str, str]],
    destinations: Sequence[str],
) -> None:
    """Inside a transaction: queue ``files`` ((SOP Instance UID, path) pairs) of a study
    for every destination; a file already queued for a destination stays as it is."""
    now = time.time()
    for dest in destinations:
        conn.executemany(
            "INSERT OR IGNORE INTO sends (study_id, destination, sop_uid, path, next_try)"
            " VALUES (?, ?, ?, ?, ?)",
            [(study_id, dest, sop, path, now) for sop, path in files],
        )


_STUDY_COLUMNS = "id, study_uid, folder, state, last_received, instances, analyses, detail, results"
_SEND_COLUMNS = "id, study_id, destination, sop_uid, path, state, attempts, next_try, last_error"
