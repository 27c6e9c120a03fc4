"""Typed results of hemorrhage segmentation (frozen dataclasses; warnings as tuples)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from strokescope import RESEARCH_ONLY
from strokescope.hemorrhage.abc2 import Abc2
from strokescope.hemorrhage.roi import Roi
from strokescope.hemorrhage.rules import ThresholdRule
from strokescope.volume import Mask


@dataclass(frozen=True)
class SliceArea:
    """Bleed area on one axial slice (mm^2), adaptive and with the global 50-80 HU window."""

    index: int
    area_mm2: float
    global_area_mm2: float


@dataclass(frozen=True)
class RoiResult:
    """What one ROI found: the initial segment's statistics, the Table 1 rule, the volumes.

    ``sd_hu``, ``rule`` and ``window_hu`` are None when the initial 50-80 HU window held no
    voxel (the volume is then 0 mL and ``warnings`` says why). The SD is the population SD
    (divisor n) of the filtered HU of the initial segment. ``dropped_ml`` and
    ``dropped_components`` are what was removed as not connected to the lesion at the click
    or ROI centre (``global_dropped_ml`` the same for the global 50-80 HU segment); the
    volumes are what was kept.
    """

    roi: Roi
    initial_voxel_count: int
    initial_mean_hu: float | None
    sd_hu: float | None
    rule: ThresholdRule | None
    window_hu: tuple[float, float] | None
    volume_ml: float
    global_volume_ml: float
    warnings: tuple[str, ...] = ()
    dropped_ml: float = 0.0
    dropped_components: int = 0
    global_dropped_ml: float = 0.0


@dataclass(frozen=True, eq=False)
class HemorrhageResult:
    """Union of all ROIs' segments, with the paper's global 50-80 HU result beside it.

    Volumes count each voxel once even where ROIs overlap. ``global_mask`` is ``None`` in a
    result read back from an export (:mod:`strokescope.hemorrhage.result_io`): the export
    keeps the global segment's volume and ABC/2, not its mask.
    """

    mask: Mask
    global_mask: Mask | None
    volume_ml: float
    global_volume_ml: float
    slice_areas: tuple[SliceArea, ...]
    rois: tuple[RoiResult, ...]
    abc2: Abc2 | None
    global_abc2: Abc2 | None
    warnings: tuple[str, ...]
    preprocess_seconds: float
    segment_seconds: float

    def impression(self) -> str:
        """One line a physician reads first: the volume with ABC/2 beside it, or none."""
        if self.mask.voxel_count == 0:
            return "No hemorrhage found in the reader's ROIs"
        abc2 = "" if self.abc2 is None else f" (ABC/2 {self.abc2.volume_ml:.1f} mL)"
        return f"Hemorrhage {self.volume_ml:.1f} mL{abc2}"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (no masks)."""

        def _abc(a: Abc2 | None) -> dict[str, Any] | None:
            if a is None:
                return None
            return {
                "a_mm": round(a.a_mm, 2),
                "b_mm": round(a.b_mm, 2),
                "c_mm": round(a.c_mm, 2),
                "slice_index": a.slice_index,
                "slice_count": a.slice_count,
                "volume_ml": round(a.volume_ml, 3),
                "lesion_ml": round(a.lesion_ml, 3),
            }

        return {
            "impression": self.impression(),
            "notice": RESEARCH_ONLY,
            "method": "SD-rule adaptive thresholding (HT-SD Table 1, docs/REFERENCES.md)",
            "volume_ml": round(self.volume_ml, 3),
            "global_50_80_volume_ml": round(self.global_volume_ml, 3),
            "abc2": _abc(self.abc2),
            "global_abc2": _abc(self.global_abc2),
            "rois": [
                {
                    "roi": r.roi.text,
                    "seed": None if r.roi.seed is None else list(r.roi.seed),
                    "initial_voxel_count": r.initial_voxel_count,
                    "initial_mean_hu": None
                    if r.initial_mean_hu is None
                    else round(r.initial_mean_hu, 2),
                    "sd_hu": None if r.sd_hu is None else round(r.sd_hu, 3),
                    "rule": None if r.rule is None else r.rule.label,
                    "classification": None if r.rule is None else r.rule.classification,
                    "window_hu": None if r.window_hu is None else list(r.window_hu),
                    "volume_ml": round(r.volume_ml, 3),
                    "global_volume_ml": round(r.global_volume_ml, 3),
                    "dropped_ml": round(r.dropped_ml, 3),
                    "dropped_components": r.dropped_components,
                    "global_dropped_ml": round(r.global_dropped_ml, 3),
                    "warnings": list(r.warnings),
                }
                for r in self.rois
            ],
            "slice_areas_mm2": [
                {
                    "slice": a.index,
                    "area_mm2": round(a.area_mm2, 2),
                    "global_area_mm2": round(a.global_area_mm2, 2),
                }
                for a in self.slice_areas
            ],
            "warnings": list(self.warnings),
            "preprocess_seconds": round(self.preprocess_seconds, 3),
            "segment_seconds": round(self.segment_seconds, 4),
        }
