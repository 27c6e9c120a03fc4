"""The running node: the SCP, an analysis worker and a sender, over one SQLite index.

:class:`Node` starts the Storage SCP (:mod:`strokescope.node.receiver`) and two worker
threads. The analysis worker claims the oldest study that had no new instance for the
quiet time, analyses it (:mod:`strokescope.node.analysis`) and records the outcome and
the send queue in one transaction; in turn with the studies it measures the HT requests
(:mod:`strokescope.node.ht_queue`) the same way, one at a time. The sender
(:mod:`strokescope.node.sender`) sends whatever is due. Stopping cancels a running
analysis (or HT measurement) through the pipeline's progress callback; the study stays
``analysing`` (the request ``running``) in the index and runs again at the next start,
like after a ``kill -9``.

An analysis that fails on a transient operating-system error (disk full, I/O error) is put
back in the queue and tried again after the quiet time (an HT request: after the retry
delay); any other failure is recorded with the study (``failed`` and the one-line error)
and not repeated until a new instance of the study arrives (an HT request: until it is
asked for again).
"""

from __future__ import annotations

import errno
import logging
import logging.handlers
import signal
import sqlite3
import threading
from types import FrameType

from strokescope import pipeline
from strokescope.errors import Cancelled, InputError
from strokescope.node.analysis import Outcome, analyse_study, measure_ht
from strokescope.node.config import NodeConfig
from strokescope.node.ht_queue import claim_request, finish_request, retry_request
from strokescope.node.index import Index
from strokescope.node.receiver import remove_partial_files, start_scp
from strokescope.node.sender import send_due

log = logging.getLogger(__name__)

POLL_S = 0.5
"""How often the workers look for complete studies and due sends."""

LOG_BYTES = 5_000_000
LOG_BACKUPS = 5


def open_log(config: NodeConfig) -> logging.Handler:
    """Log ``strokescope.node`` (INFO) and pynetdicom (WARNING) to the rotating file
    ``STORAGE/logs/node.log``; the handler, to remove with :func:`close_log`."""
    config.log_path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(
        config.log_path, maxBytes=LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.setLevel(logging.INFO)
    node = logging.getLogger("strokescope.node")
    node.setLevel(logging.INFO)
    node.addHandler(handler)
    logging.getLogger("pynetdicom").setLevel(logging.WARNING)
    logging.getLogger("pynetdicom").addHandler(handler)
    return handler


def close_log(handler: logging.Handler) -> None:
    logging.getLogger("strokescope.node").removeHandler(handler)
    logging.getLogger("pynetdicom").removeHandler(handler)
    handler.close()


TRANSIENT_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS})
"""Operating-system errors after which an analysis is tried again: disk full, quota, I/O
error, storage mounted read-only."""


def _transient(exc: BaseException | None) -> bool:
    """Whether a transient ``OSError`` (:data:`TRANSIENT_ERRNOS`) is in the exception's
    chain."""
    while exc is not None:
        if isinstance(exc, OSError) and exc.errno in TRANSIENT_ERRNOS:
            return True
        exc = exc.__cause__ or exc.__context__
    return False


class Node:
    """One node: call :meth:`start`, then :meth:`stop` (or use ``with Node(config):``)."""

    def __init__(self, config: NodeConfig) -> None:
        self.config = config
        try:
            self.index = Index(config.index_path)
        except (OSError, sqlite3.Error) as exc:
            raise InputError(f"{config.index_path}: cannot open the node's index ({exc})") from exc
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._server: object | None = None
        self._log: logging.Handler | None = None

    def __enter__(self) -> Node:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        if self.config.outcome_model is not None:  # a bad folder stops the node at start
            pipeline.check_outcome_model(self.config.outcome_model)
        self._log = open_log(self.config)
        again = self.index.recover()
        if again:
            log.info("%d interrupted analysis(es) or HT request(s) queued again", again)
        partial = remove_partial_files(self.config.storage)
        if partial:
            log.info("%d partly written instance file(s) of an interrupted run removed", partial)
        try:
            self._server = start_scp(self.config, self.index)
        except InputError:
            self.stop()
            raise
        for name, loop in (("analysis", self._analyse_loop), ("sender", self._send_loop)):
            thread = threading.Thread(target=loop, name=f"node-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout_s: float = 30.0) -> None:
        """Stop receiving, cancel a running analysis, finish the current send."""
        self._stop.set()
        if self._server is not None:
            self._server.shutdown()  # type: ignore[attr-defined]
            self._server = None
        for thread in self._threads:
            thread.join(timeout_s)
        self._threads = []
        self.index.close()
        if self._log is not None:
            log.info("node stopped")
            close_log(self._log)
            self._log = None

    def _cancel_when_stopping(self, fraction: float) -> None:
        if self._stop.is_set():
            raise Cancelled()

    def analyse_next(self) -> bool:
        """Analyse one complete study if there is one; whether there was."""
        row = self.index.claim_complete(self.config.quiet_s)
        if row is None:
            return False
        log.info("study %d complete (%d instances): analysing", row.id, row.instances)
        try:
            outcome = analyse_study(
                self.config, row.folder, row.id, on_progress=self._cancel_when_stopping
            )
        except Cancelled:
            log.info("study %d: analysis cancelled; it runs again at the next start", row.id)
            return True
        if outcome.state == "failed" and _transient(outcome.error):
            self.index.requeue(row.id, outcome.detail)
            log.warning("study %d: %s; tried again later", row.id, outcome.detail)
            return True
        self._record(row.id, outcome)
        return True

    def measure_next(self) -> bool:
        """Measure one due HT request if there is one; whether there was."""
        request = claim_request(self.index)
        if request is None:
            return False
        log.info("HT request %d (study %d): measuring", request.id, request.study_id)
        try:
            outcome = measure_ht(self.config, request, on_progress=self._cancel_when_stopping)
        except Cancelled:
            log.info("HT request %d: cancelled; it runs again at the next start", request.id)
            return True
        if outcome.state == "failed" and _transient(outcome.error):
            delay = self.config.retry.delay(request.runs)
            retry_request(self.index, request.id, outcome.detail, delay)
            log.warning(
                "HT request %d: %s; tried again in %.0f s", request.id, outcome.detail, delay
            )
            return True
        finish_request(
            self.index,
            request,
            state=outcome.state,
            detail=outcome.detail,
            results=outcome.results,
            files=outcome.files,
            destinations=[d.key for d in self.config.destinations],
        )
        level = logging.WARNING if outcome.state == "failed" else logging.INFO
        log.log(level, "HT request %d: %s (%s)", request.id, outcome.state, outcome.detail)
        return True

    def _record(self, study_id: int, outcome: Outcome) -> None:
        self.index.finish(
            study_id,
            state=outcome.state,
            detail=outcome.detail,
            results=outcome.results,
            files=outcome.files,
            destinations=[d.key for d in self.config.destinations],
        )
        level = logging.WARNING if outcome.state == "failed" else logging.INFO
        log.log(level, "study %d: %s (%s)", study_id, outcome.state, outcome.detail)

    def _analyse_loop(self) -> None:
        while not self._stop.is_set():
            busy = False
            for work in (self.analyse_next, self.measure_next):  # studies and requests in turn
                if self._stop.is_set():
                    break
                try:
                    busy = work() or busy
                except Exception:  # the index or the store itself: log, wait, go on
                    log.exception("analysis worker error")
            if not busy:
                self._stop.wait(POLL_S)

    def _send_loop(self) -> None:
        while not self._stop.is_set():
            try:
                send_due(self.config, self.index)
            except Exception:
                log.exception("sender error")
            self._stop.wait(POLL_S)


def run_node(config: NodeConfig) -> int:
    """Run a node until SIGTERM or SIGINT (Ctrl-C); exit status 0."""
    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {s: signal.signal(s, request_stop) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        with Node(config):
            while not stop.wait(1.0):
                pass
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 0
