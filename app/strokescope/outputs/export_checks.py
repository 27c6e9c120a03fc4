"""What an export (or a report preview) refuses before it writes anything: no result, an
outcome prediction without its thrombus result, a mask that is not on the source grid."""

from __future__ import annotations

from strokescope.errors import InputError
from strokescope.hemorrhage.result import HemorrhageResult
from strokescope.outcome.prediction import OutcomePrediction
from strokescope.thrombus.result import ThrombusResult
from strokescope.volume import Mask, Volume


def check_grid(mask: Mask, source: Volume, what: str) -> None:
    """``InputError`` unless ``mask`` lies on ``source``'s grid."""
    g, s = mask.geometry, source.geometry
    if not g.same_grid(s):
        raise InputError(
            f"{what} mask grid {g.shape} differs from the source volume grid {s.shape} "
            f"(series {source.meta.series_uid or source.meta.description or '?'}); export "
            f"each result with the volume it was measured on"
        )


def check_results(
    action: str,
    source: Volume,
    hemorrhage: HemorrhageResult | None,
    thrombus: ThrombusResult | None,
    outcome: OutcomePrediction | None,
) -> None:
    """``InputError`` (message starting with ``action``) for no result, an outcome without
    its thrombus, or a mask off the source grid."""
    if hemorrhage is None and thrombus is None:
        raise InputError(f"{action}: give a hemorrhage and/or a thrombus result")
    if outcome is not None and thrombus is None:
        raise InputError(f"{action}: an outcome prediction needs its thrombus result")
    for result, what in ((hemorrhage, "hemorrhage"), (thrombus, "thrombus")):
        if result is not None:
            check_grid(result.mask, source, what)
