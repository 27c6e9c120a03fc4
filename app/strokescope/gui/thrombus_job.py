"""The viewer's thrombus jobs: the analysis, or a result the DICOM node stored, each with
the NCCT on the CTA grid for display."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from strokescope import pipeline
from strokescope.errors import InputError
from strokescope.pipeline import Progress
from strokescope.thrombus import ThrombusResult
from strokescope.volume import Mask, Volume

REGISTERED = "ncct_registered"
"""The viewer's volume key of the NCCT resampled onto the CTA grid."""


def thrombus_for_viewer(
    ncct: Volume, cta: Volume | None, *, on_progress: Progress | None = None
) -> tuple[ThrombusResult, Volume | None]:
    """``pipeline.analyze_thrombus`` (90 % of the bar), then ``pipeline.registered_ncct``
    so the viewer can show the NCCT beside the CTA; only the viewer needs the latter."""

    def part(fraction: float) -> None:
        if on_progress is not None:
            on_progress(0.9 * fraction)

    result = pipeline.analyze_thrombus(ncct, cta, device="auto", on_progress=part)
    registered = pipeline.registered_ncct(ncct, result)
    if on_progress is not None:
        on_progress(1.0)
    return result, registered


def stored_thrombus_for_viewer(
    folder: Path, ncct: Volume | None, cta: Volume, *, on_progress: Progress | None = None
) -> tuple[ThrombusResult, Volume | None]:
    """The thrombus result exported into ``folder`` (``pipeline.read_thrombus_results``,
    no analysis), its mask on the loaded CTA's exact grid, then the NCCT on the CTA grid
    as after an analysis: ``pipeline.registered_ncct`` through the stored motion (None
    without an NCCT, or a document without the motion, before schema 1.4).

    Raises
    ------
    InputError
        The results cannot be read, or the stored mask lies on another grid than ``cta``.
    """
    result = pipeline.read_thrombus_results(folder)
    if not result.mask.geometry.same_grid(cta.geometry):
        raise InputError(
            f"{folder}: the stored result lies on another grid than the CTA loaded; run the "
            "thrombus analysis instead"
        )
    result = replace(result, mask=Mask(result.mask.array, cta.geometry, result.mask.name))
    if on_progress is not None:
        on_progress(0.2)
    registered = None if ncct is None else pipeline.registered_ncct(ncct, result)
    if on_progress is not None:
        on_progress(1.0)
    return result, registered
