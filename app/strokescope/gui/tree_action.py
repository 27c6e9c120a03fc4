"""Analysis -> Arterial tree (research): trace the labelled arterial tree on the shown
thrombus result's CTA, in the worker, and show it in the results panel.

About 7 s at 1 mm on two cores (:func:`strokescope.pipeline.analyze_arteries`), so it is a
separate job after the thrombus analysis, not part of it. Nothing to do without a
registered thrombus result (a status-bar line says so). The result it gives replaces the
shown one only if that is still shown when the job ends.
"""

from __future__ import annotations

from typing import Protocol

from strokescope import pipeline
from strokescope.gui.export_action import ExportHost
from strokescope.gui.thrombus_job import REGISTERED
from strokescope.thrombus import ThrombusResult
from strokescope.volume import Volume

JOB = "Arterial tree"
NOTHING = "Arterial tree: run the thrombus analysis on an NCCT + CTA first"


class TreeHost(ExportHost, Protocol):
    """What the action uses of the main window, besides the export's."""

    def set_thrombus_views(self, done: tuple[ThrombusResult, Volume | None]) -> None: ...


def run(win: TreeHost) -> None:
    """Trace the tree on the shown result in the worker (see the module docstring)."""
    result, ncct, cta = win.thrombus, win.volumes.get("baseline"), win.volumes.get("cta")
    if result is None or ncct is None or cta is None or result.cta_to_ncct is None:
        win.statusBar().showMessage(NOTHING, 10000)
        return
    win.run_job(
        JOB, pipeline.analyze_arteries, ncct, cta, result, on_done=lambda r: done(win, result, r)
    )


def done(win: TreeHost, before: ThrombusResult, result: ThrombusResult) -> None:
    """Show ``result`` (``before`` with its tree), with the NCCT on the CTA grid kept and the
    outcome model run again (the tree gives two of its features), unless another result is
    shown by now."""
    if win.thrombus is not before:
        return
    win.set_thrombus_views((result, win.volumes.get(REGISTERED)))
