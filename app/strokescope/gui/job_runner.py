"""One background job at a time, with its progress bar and Cancel button in the status bar.

A failed job becomes one dialog through the ``on_error(title, message)`` the window gives
(:func:`strokescope.gui.dialogs.show_error`) and a log line; the window stays usable.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal
from PySide6.QtWidgets import QProgressBar, QPushButton, QStatusBar

from strokescope.gui.worker import Worker

log = logging.getLogger(__name__)


class JobRunner(QObject):
    """Runs :class:`Worker` jobs one at a time; ``busy_changed(bool)`` when one starts/ends."""

    busy_changed = Signal(bool)

    def __init__(self, bar: QStatusBar, on_error: Callable[[str, str], object]) -> None:
        super().__init__(bar)
        self.bar = bar
        self.on_error = on_error
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.worker: Worker | None = None
        self.progress = QProgressBar(bar)
        self.progress.setRange(0, 1000)
        self.progress.setMaximumWidth(200)
        self.progress.setVisible(False)
        self.cancel_button = QPushButton("Cancel", bar)
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.cancel)

    @property
    def busy(self) -> bool:
        return self.worker is not None

    def run(
        self,
        name: str,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None],
        **kwargs: Any,
    ) -> Worker | None:
        """Run ``fn(*args, on_progress=..., **kwargs)`` in the worker thread; one job at a time."""
        if self.worker is not None:
            self.bar.showMessage(f"busy with {self.worker.name}; try again after it", 4000)
            return None
        worker = Worker(fn, *args, name=name, **kwargs)
        worker.signals.progress.connect(lambda f: self.progress.setValue(int(f * 1000)))
        worker.signals.finished.connect(lambda result: self._ended(worker, on_done, result))
        worker.signals.errored.connect(lambda msg: self._failed(worker, msg))
        worker.signals.cancelled.connect(lambda: self._cancelled(worker))
        self.worker = worker
        self.progress.setValue(0)
        self.progress.setFormat(f"{name} %p%")
        self.progress.setVisible(True)
        self.cancel_button.setVisible(True)
        self.bar.showMessage(f"{name}…")
        self.busy_changed.emit(True)
        worker.start(self.pool)
        return worker

    def _release(self, worker: Worker) -> None:
        if self.worker is worker:
            self.worker = None
        self.progress.setVisible(False)
        self.cancel_button.setVisible(False)
        self.busy_changed.emit(False)

    def _ended(self, worker: Worker, on_done: Callable[[Any], None], result: Any) -> None:
        self._release(worker)
        self.bar.showMessage(f"{worker.name} done in {worker.seconds:.1f} s", 5000)
        try:
            on_done(result)
        except Exception as exc:  # keep the app alive; one dialog per failure
            log.exception("handling the result of %s failed", worker.name)
            self.on_error(worker.name, f"unexpected {type(exc).__name__}: {exc}")

    def _failed(self, worker: Worker, message: str) -> None:
        self._release(worker)
        self.bar.showMessage(f"{worker.name} failed", 8000)
        self.on_error(f"{worker.name} failed", message)

    def _cancelled(self, worker: Worker) -> None:
        self._release(worker)
        self.bar.showMessage(f"{worker.name} cancelled", 5000)

    def cancel(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
            self.bar.showMessage(f"cancelling {self.worker.name}…")
