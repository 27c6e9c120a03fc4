"""Run any pipeline callable off the GUI thread, with progress, cancel and one error boundary.

A :class:`Worker` calls ``fn(*args, on_progress=callback, **kwargs)`` in a QThreadPool thread.
The callback forwards the fraction to the ``progress`` signal (throttled) and raises
:class:`strokescope.errors.Cancelled` once :meth:`Worker.cancel` was called, which is how
every pipeline step is stopped. Exactly one of ``finished(result)``, ``errored(message)`` or
``cancelled()`` is emitted; widgets connect to them and are only touched on the GUI thread.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from strokescope.errors import Cancelled, StrokeScopeError

log = logging.getLogger(__name__)

PROGRESS_INTERVAL_S = 0.05


class WorkerSignals(QObject):
    """Signals of one :class:`Worker` (a QRunnable cannot hold signals itself)."""

    progress = Signal(float)
    finished = Signal(object)
    errored = Signal(str)
    cancelled = Signal()


def error_message(exc: BaseException) -> str:
    """One readable line for the dialog: our typed errors as they are, others with their type."""
    if isinstance(exc, StrokeScopeError):
        return str(exc)
    text = " ".join(str(exc).split())
    return f"unexpected {type(exc).__name__}: {text}" if text else type(exc).__name__


class Worker(QRunnable):
    """One background job.

    Parameters
    ----------
    fn
        The callable; it must accept ``on_progress`` as a keyword when ``progress=True``.
    *args, **kwargs
        Passed to ``fn``.
    name
        Shown in logs and the status bar.
    progress
        Whether ``fn`` takes an ``on_progress`` callback.
    """

    def __init__(
        self,
        fn: Callable[..., Any],
        *args: Any,
        name: str = "task",
        progress: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__()
        self.setAutoDelete(False)
        self.fn = fn
        self.args = args
        self.kwargs = kwargs
        self.name = name
        self.takes_progress = progress
        self.signals = WorkerSignals()
        self._cancel = threading.Event()
        self._done = threading.Event()
        self._last_emit = 0.0
        self.seconds = 0.0

    @property
    def is_cancel_requested(self) -> bool:
        return self._cancel.is_set()

    @property
    def is_done(self) -> bool:
        return self._done.is_set()

    def cancel(self) -> None:
        """Ask the job to stop at its next progress report."""
        self._cancel.set()

    def report(self, fraction: float) -> None:
        """The ``on_progress`` callback handed to ``fn`` (thread-safe)."""
        if self._cancel.is_set():
            raise Cancelled
        now = time.monotonic()
        if fraction >= 1.0 or now - self._last_emit >= PROGRESS_INTERVAL_S:
            self._last_emit = now
            self.signals.progress.emit(float(min(max(fraction, 0.0), 1.0)))

    def run(self) -> None:
        t0 = time.perf_counter()
        kwargs = dict(self.kwargs)
        if self.takes_progress:
            kwargs["on_progress"] = self.report
        try:
            if self._cancel.is_set():
                raise Cancelled
            result = self.fn(*self.args, **kwargs)
        except Cancelled:
            log.info("%s cancelled", self.name)
            self._finish(t0)
            self.signals.cancelled.emit()
        except Exception as exc:  # the one error boundary of background work
            log.error("%s failed: %s", self.name, error_message(exc), exc_info=True)
            self._finish(t0)
            self.signals.errored.emit(error_message(exc))
        else:
            self._finish(t0)
            log.info("%s done in %.2f s", self.name, self.seconds)
            self.signals.finished.emit(result)

    def _finish(self, t0: float) -> None:
        self.seconds = time.perf_counter() - t0
        self._done.set()

    def start(self, pool: QThreadPool | None = None) -> Worker:
        """Queue the job on ``pool`` (the global pool by default) and return ``self``."""
        (pool or QThreadPool.globalInstance()).start(self)
        return self
