"""Recanalization-related features of one study, read from its thrombus result.

One :class:`OutcomeFeatures` per study, one :class:`Feature` per quantity. A feature is
either present (a value) or absent with the reason in words, never zero for "unknown": a
study without a CTA, without a clot or without the arterial tree gives absent features that
say so. The numeric features are what an outcome model may use
(:data:`NUMERIC_FEATURES`); occlusion site and side are text.

All measurements are those of the headline thrombus (the largest component,
:meth:`strokescope.thrombus.ThrombusResult.headline`). Units: mm, mm^3, HU; a ratio has no
unit. Sources are cited by the keys of ``docs/REFERENCES.md``.

Features and their methods
--------------------------
occlusion_site
    Estimated vessel segment of the clot ("ICA", "M1", "M2", "A1/P1", "basilar") from the
    centreline rule of :mod:`strokescope.thrombus.anatomy` [Zhu2023]. Proximal sites
    recanalise less often [Zhang2022].
occlusion_side
    "left", "right" or "midline" (side of the midsagittal plane).
clot_length_mm
    Length along the clot's 3-D skeleton, end to end (mm) [Riedel2011]: longer clots
    recanalise less often.
clot_volume_mm3
    Volume of the segmented clot (mm^3) [Zhu2023].
ncct_density_hu
    Mean NCCT attenuation inside the clot (HU) [Moftakhar2013]: denser (red-cell rich) clots
    were retrieved more often.
relative_attenuation
    Mean NCCT HU of the clot divided by the mean NCCT HU of the contralateral vessel
    (no unit) [Puig2012]; absent when the contralateral vessel was not found.
perviousness_hu
    Mean CTA HU minus mean NCCT HU inside the clot (HU), the thrombus attenuation increase
    [Santos2016, Mishra2014]: pervious clots recanalise more often.
distance_ica_terminus_mm
    Distance from the ICA terminus to the clot's proximal end along the artery (mm)
    [Friedrich2015]. Needs the arterial tree: absent with the reason until then.
clot_burden_score
    Clot burden score 0-10 [Puetz2008, Tan2009]. Needs per-segment opacification from the
    arterial tree: absent with the reason until then.
collateral_grade
    CTA collateral grade 0-3 like the Tan score [Tan2009]: opacified arterial volume distal to
    the occlusion in the affected MCA territory relative to the mirrored territory. Needs the
    arterial tree: absent with the reason until then.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from strokescope.thrombus.result import ThrombusResult

NEEDS_TREE = "needs the arterial tree, not yet in this version"
NO_RELATIVE = "contralateral vessel not found, no reference attenuation"

NUMERIC_FEATURES: tuple[str, ...] = (
    "clot_length_mm",
    "clot_volume_mm3",
    "ncct_density_hu",
    "relative_attenuation",
    "perviousness_hu",
    "distance_ica_terminus_mm",
    "clot_burden_score",
    "collateral_grade",
)
"""Names of the numeric features, in the order an outcome model lists them by default."""

UNITS: dict[str, str] = {
    "clot_length_mm": "mm",
    "clot_volume_mm3": "mm3",
    "ncct_density_hu": "HU",
    "relative_attenuation": "1",
    "perviousness_hu": "HU",
    "distance_ica_terminus_mm": "mm",
    "clot_burden_score": "points (0-10)",
    "collateral_grade": "grade (0-3)",
}


@dataclass(frozen=True)
class Feature:
    """One feature: ``value`` when present, else ``None`` and ``reason`` says why."""

    value: float | str | None
    reason: str | None = None

    def __post_init__(self) -> None:
        if (self.value is None) == (self.reason is None):
            raise ValueError("a feature has either a value or a reason for its absence")
        if isinstance(self.value, float) and not math.isfinite(self.value):
            raise ValueError(f"a feature value must be finite, got {self.value}")

    @property
    def present(self) -> bool:
        return self.value is not None

    @classmethod
    def absent(cls, reason: str) -> Feature:
        return cls(None, reason)

    def number(self) -> float | None:
        """The value as a float (None when absent or text)."""
        return float(self.value) if isinstance(self.value, int | float) else None

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "reason": self.reason}


@dataclass(frozen=True)
class OutcomeFeatures:
    """The recanalization-related features of one study (see the module docstring)."""

    occlusion_site: Feature
    occlusion_side: Feature
    clot_length_mm: Feature
    clot_volume_mm3: Feature
    ncct_density_hu: Feature
    relative_attenuation: Feature
    perviousness_hu: Feature
    distance_ica_terminus_mm: Feature
    clot_burden_score: Feature
    collateral_grade: Feature

    @classmethod
    def all_absent(cls, reason: str) -> OutcomeFeatures:
        return cls(**{f.name: Feature.absent(reason) for f in fields(cls)})

    def numbers(self) -> dict[str, float | None]:
        """Numeric features by name (None when absent)."""
        return {name: getattr(self, name).number() for name in NUMERIC_FEATURES}

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name).to_dict() for f in fields(self)}

    @classmethod
    def from_dict(cls, record: dict[str, Any]) -> OutcomeFeatures:
        items = {f.name: record[f.name] for f in fields(cls)}
        return cls(**{name: Feature(v["value"], v["reason"]) for name, v in items.items()})


def features_from_thrombus(result: ThrombusResult) -> OutcomeFeatures:
    """The features of one study from its thrombus analysis.

    Not assessed (no CTA, a CTA without contrast): every feature absent with the
    analysis' reason. Assessed without a thrombus: absent, "no thrombus found". Otherwise the
    headline thrombus' measurements; the arterial-tree features stay absent
    (:data:`NEEDS_TREE`).
    """
    if not result.assessed:
        why = result.not_assessed_reason or "no CTA series"
        return OutcomeFeatures.all_absent(f"thrombus not assessed: {why}")
    clot = result.headline()
    if clot is None:
        return OutcomeFeatures.all_absent("no thrombus found on NCCT + CTA")
    relative = (
        Feature(float(clot.relative_attenuation))
        if clot.relative_attenuation is not None and math.isfinite(clot.relative_attenuation)
        else Feature.absent(NO_RELATIVE)
    )
    return OutcomeFeatures(
        occlusion_site=Feature(clot.segment),
        occlusion_side=Feature(clot.side),
        clot_length_mm=Feature(float(clot.length_mm)),
        clot_volume_mm3=Feature(float(clot.volume_mm3)),
        ncct_density_hu=Feature(float(clot.ncct_mean_hu)),
        relative_attenuation=relative,
        perviousness_hu=Feature(float(clot.perviousness_hu)),
        distance_ica_terminus_mm=Feature.absent(NEEDS_TREE),
        clot_burden_score=Feature.absent(NEEDS_TREE),
        collateral_grade=Feature.absent(NEEDS_TREE),
    )
