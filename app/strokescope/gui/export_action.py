"""File → Export results…: the GUI writes results exactly as ``strokescope … --out`` does.

Each available result is exported with the volume it was measured on, one
:func:`strokescope.pipeline.export_results` call (one ``results-NNN`` folder) each: the
hemorrhage result with the follow-up NCCT, the thrombus result with the CTA (the baseline
NCCT when there is none, as the CLI does). The export dialog
(:class:`~strokescope.gui.export_dialog.ExportDialog`) asks for the folder (creating a
missing one) and shows page 1 of each report first. The previews and the exports run in the
window's worker, so they show progress, can be cancelled and fail through the one error
dialog. The window is reached only through :class:`ExportHost`, which names what the action
uses of it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import shiboken6
from PySide6.QtCore import SignalInstance
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QStatusBar, QWidget

from strokescope import pipeline
from strokescope.errors import StrokeScopeError
from strokescope.gui.export_dialog import ExportDialog
from strokescope.gui.worker import Worker
from strokescope.hemorrhage import HemorrhageResult, PreparedStudy
from strokescope.outcome.prediction import OutcomePrediction
from strokescope.thrombus import ThrombusResult
from strokescope.volume import Volume

if TYPE_CHECKING:
    from strokescope.outputs import ExportManifest

NO_RESULT = "measure an HT volume (ROI tool) or run the thrombus analysis first"
STALE_REFUSED = "not exported: series roles changed since this result; run it again"


class _HtResult(Protocol):
    @property
    def result(self) -> HemorrhageResult | None: ...


class ResultMarks(Protocol):
    """Which results are stale, and where the last export went."""

    def is_stale(self, kind: str) -> bool: ...

    def set_exports(
        self, folders: Sequence[str], warnings: Sequence[str] = (), *, anonymized: bool = False
    ) -> None: ...


class _LastFolder(Protocol):
    def last_folder(self) -> str: ...


class _CurrentJob(Protocol):
    @property
    def worker(self) -> Worker | None: ...


class ExportHost(Protocol):
    """What the export action uses of the main window, and nothing more.

    The results (``ht.result``, ``prepared``, ``thrombus`` with its ``outcome`` prediction,
    ``volumes``) and their stale marks, where the last study was opened, the window's job
    runner and its export actions.
    """

    @property
    def ht(self) -> _HtResult: ...
    @property
    def prepared(self) -> PreparedStudy | None: ...
    @property
    def thrombus(self) -> ThrombusResult | None: ...
    @property
    def outcome(self) -> OutcomePrediction | None: ...
    @property
    def volumes(self) -> Mapping[str, Volume]: ...
    @property
    def results(self) -> ResultMarks: ...
    @property
    def settings(self) -> _LastFolder: ...
    @property
    def jobs(self) -> _CurrentJob: ...
    @property
    def acts(self) -> Mapping[str, QAction]: ...
    @property
    def busy(self) -> bool: ...
    @property
    def busy_changed(self) -> SignalInstance: ...

    def run_job(
        self,
        name: str,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callable[[Any], None],
        **kwargs: Any,
    ) -> Worker | None: ...

    def cancel_job(self) -> None: ...
    def statusBar(self) -> QStatusBar: ...
    def window(self) -> QWidget: ...


@dataclass(frozen=True)
class ExportRequest:
    """One result with the volume it was measured on (one results folder); a thrombus
    result with its outcome prediction when a model ran and the NCCT it was analysed on
    (the PDF's reformat shows it under the CTA)."""

    what: str
    source: Volume
    hemorrhage: HemorrhageResult | None = None
    thrombus: ThrombusResult | None = None
    outcome: OutcomePrediction | None = None
    ncct: Volume | None = None


def choose_export_folder(parent: QWidget, start: str = "") -> str | None:
    """Browse for the parent folder of the new ``results-NNN`` folder(s); ``None``: cancelled.

    Module-level so tests (and scripted use) can replace the dialog.
    """
    folder = QFileDialog.getExistingDirectory(parent, "Export results into folder", start)
    return folder or None


def requests(win: ExportHost) -> list[ExportRequest]:
    """The exports the window's current results allow (empty: nothing to export).

    A stale result (its series roles changed since it was made) is never exported: its
    source volume may no longer be the one it was measured on.
    """
    out = []
    ht = win.ht.result
    if ht is not None and win.prepared is not None and not win.results.is_stale("hemorrhage"):
        out.append(ExportRequest("HT", win.prepared.ncct, hemorrhage=ht))
    th = win.thrombus
    source = win.volumes.get("cta")
    if source is None:
        source = win.volumes.get("baseline")
    if th is not None and source is not None and not win.results.is_stale("thrombus"):
        ncct = win.volumes.get("baseline")
        out.append(ExportRequest("thrombus", source, thrombus=th, outcome=win.outcome, ncct=ncct))
    return out


def stale(win: ExportHost) -> list[str]:
    """The results left out of an export because they are stale ("HT", "thrombus")."""
    out = []
    if win.ht.result is not None and win.results.is_stale("hemorrhage"):
        out.append("HT")
    if win.thrombus is not None and win.results.is_stale("thrombus"):
        out.append("thrombus")
    return out


def _stale_note(win: ExportHost) -> str:
    old = stale(win)
    return f"{' + '.join(old)} result {STALE_REFUSED}" if old else ""


def run_exports(
    jobs: Sequence[ExportRequest],
    out_dir: str | Path,
    *,
    anonymize: bool = False,
    on_progress: Callable[[float], None] | None = None,
) -> tuple[ExportManifest, ...]:
    """Call :func:`strokescope.pipeline.export_results` once per request (worker thread)."""
    manifests = []
    for n, job in enumerate(jobs):

        def part(f: float, n: int = n) -> None:
            if on_progress is not None:
                on_progress((n + f) / len(jobs))

        manifests.append(
            pipeline.export_results(
                out_dir,
                source=job.source,
                hemorrhage=job.hemorrhage,
                thrombus=job.thrombus,
                anonymize=anonymize,
                on_progress=part,
                outcome=job.outcome,
                ncct=job.ncct,
            )
        )
    return tuple(manifests)


def render_previews(
    jobs: Sequence[ExportRequest],
    *,
    anonymize: bool = False,
    on_progress: Callable[[float], None] | None = None,
) -> tuple[bytes | str, ...]:
    """Page 1 of each request's report as PNG bytes, or the one-line reason it has none."""
    pages: list[bytes | str] = []
    for n, job in enumerate(jobs):
        try:
            pages.append(
                pipeline.preview_report(
                    source=job.source,
                    hemorrhage=job.hemorrhage,
                    thrombus=job.thrombus,
                    anonymize=anonymize,
                    outcome=job.outcome,
                    ncct=job.ncct,
                )
            )
        except StrokeScopeError as exc:
            pages.append(str(exc))
        if on_progress is not None:
            on_progress((n + 1) / len(jobs))
    return tuple(pages)


def export(win: ExportHost, *, anonymize: bool = False) -> ExportDialog | None:
    """Open the export dialog (folder + report preview); export in the worker on Export."""
    jobs = requests(win)
    if not jobs:
        note = _stale_note(win) or f"nothing to export: {NO_RESULT}"
        win.statusBar().showMessage(note, 8000)
        return None
    last = win.settings.last_folder()  # start beside the study, not inside it
    start = str(Path(last).parent) if last else ""
    dialog = ExportDialog(start, [j.what for j in jobs], anonymize=anonymize, parent=win.window())

    def browse() -> None:
        folder = choose_export_folder(dialog, dialog.folder.text() or start)
        if folder:
            dialog.folder.setText(folder)

    dialog.browse.clicked.connect(browse)
    dialog.accepted.connect(lambda: _start(win, jobs, str(dialog.chosen()), anonymize))
    win.busy_changed.connect(dialog.export_button.setDisabled)
    dialog.open()

    def show(pages: tuple[bytes | str, ...]) -> None:
        if shiboken6.isValid(dialog):  # closed and deleted while the pages were drawn
            dialog.set_previews(pages)

    preview = win.run_job(
        "Report preview", render_previews, jobs, anonymize=anonymize, on_done=show
    )
    if preview is None:
        dialog.set_previews(["busy with another job: no preview"] * len(jobs))

    def cancel_preview() -> None:
        if preview is not None and win.jobs.worker is preview:
            win.cancel_job()

    dialog.rejected.connect(cancel_preview)
    dialog.export_button.setDisabled(win.busy)
    return dialog


def _start(win: ExportHost, jobs: list[ExportRequest], folder: str, anonymize: bool) -> None:
    what = " + ".join(j.what for j in jobs)
    win.run_job(
        "Exporting (anonymized)" if anonymize else "Exporting",
        run_exports,
        jobs,
        folder,
        anonymize=anonymize,
        on_done=lambda manifests: _exported(win, what, manifests),
    )


def _exported(win: ExportHost, what: str, manifests: tuple[ExportManifest, ...]) -> None:
    folders = ", ".join(str(m.folder) for m in manifests)
    note = _stale_note(win)
    win.statusBar().showMessage(
        f"{what} results written to {folders}" + (f"; {note}" if note else ""), 15000
    )
    win.results.set_exports(
        [str(m.folder) for m in manifests],
        [w for m in manifests for w in m.warnings] + ([note] if note else []),
        anonymized=any(m.anonymized for m in manifests),
    )


def update(win: ExportHost) -> None:
    """Enable the export actions when there is a result and no job runs."""
    has_result = bool(requests(win))
    idle_tip = _stale_note(win) or NO_RESULT
    for name, tip in (
        ("export", "write DICOM SEG + SR, PDF, JSON, CSV and NIfTI into a new folder (Ctrl+E)"),
        ("export_anon", "the same, de-identified (DICOM PS3.15 Basic Profile, new UIDs)"),
    ):
        act = win.acts[name]
        act.setEnabled(has_result and not win.busy)
        act.setToolTip(tip if has_result else idle_tip)
