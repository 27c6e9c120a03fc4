"""The viewer's thrombus job: the analysis, then the NCCT on the CTA grid for display."""

from __future__ import annotations

from strokescope import pipeline
from strokescope.pipeline import Progress
from strokescope.thrombus import ThrombusResult
from strokescope.volume import Volume


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
