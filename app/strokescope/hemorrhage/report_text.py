"""The hemorrhage result as text: what ``strokescope ht`` prints
(:func:`strokescope.pipeline.format_hemorrhage`)."""

from __future__ import annotations

from strokescope import RESEARCH_ONLY
from strokescope.hemorrhage.result import HemorrhageResult


def format_result(result: HemorrhageResult, *, verbose: bool = False) -> str:
    """A short human-readable report: the impression first, the volumes, ABC/2 and the
    warnings; ``verbose`` adds the method detail (SD rule per ROI, slice areas)."""
    lines = [
        f"Impression: {result.impression()}",
        f"Hemorrhage volume: {result.volume_ml:.2f} mL (adaptive SD rule); "
        f"global 50-80 HU: {result.global_volume_ml:.2f} mL",
    ]
    if result.abc2 is not None:
        a = result.abc2
        lines.append(
            f"ABC/2: {a.volume_ml:.2f} mL (A {a.a_mm:.1f} mm, B {a.b_mm:.1f} mm, "
            f"C {a.c_mm:.1f} mm = {a.slice_count:g} weighted slices; A and B on slice "
            f"{a.slice_index}; lesion {a.lesion_ml:.2f} mL)"
        )
    for i, r in enumerate(result.rois, 1):
        if r.rule is None or r.sd_hu is None or r.window_hu is None:
            lines.append(f"ROI {i} [{r.roi.text}]: no voxel in 50-80 HU -> 0 mL")
            continue
        lo, hi = r.window_hu
        rule = (
            f"SD {r.sd_hu:.2f} HU -> rule '{r.rule.label}' (the HT paper's SD class "
            f"'{r.rule.classification}' of the 50-80 HU start), window {lo:.0f}-{hi:.0f} HU, "
            if verbose
            else ""
        )
        lines.append(
            f"ROI {i} [{r.roi.text}]: {rule}{r.volume_ml:.2f} mL "
            f"(global {r.global_volume_ml:.2f} mL)"
        )
    if verbose and result.slice_areas:
        lines.append("slice  area mm2  global mm2")
        lines.extend(
            f"{a.index:5d}  {a.area_mm2:8.1f}  {a.global_area_mm2:10.1f}"
            for a in result.slice_areas
        )
    lines.extend(f"warning: {w}" for w in result.warnings)
    lines.append(RESEARCH_ONLY)
    return "\n".join(lines)
