"""Recanalization-related features of one study, read from its thrombus result.

One :class:`OutcomeFeatures` per study, one :class:`Feature` per quantity. A feature is
either present (a value) or absent with the reason in words, never zero for "unknown": a
study without a CTA, without a clot or without the arterial tree gives absent features that
say so. The numeric features are what an outcome model may use
(:data:`NUMERIC_FEATURES`); occlusion site and side are text.

All measurements are those of the headline thrombus (the largest component,
:meth:`strokescope.thrombus.ThrombusResult.headline`). Units: mm, mm^3, HU; a ratio has no
unit. Sources are cited by the keys of ``docs/REFERENCES.md``.

Each feature's label, unit and one-line method (with its sources) are in
:data:`strokescope.outcome.definitions.DEFINITIONS`, the one place every output reads them
from; :meth:`OutcomeFeatures.rows` gives each feature as the reports and the viewer show
it. The collateral grade is Tan's grade of the headline clot's collateral ratio
(:mod:`strokescope.thrombus.collaterals`, ICA and M1 clots only). The two arterial-tree
features (distance from the ICA terminus, clot burden score) come from the result's
``arteries`` (:func:`strokescope.pipeline.analyze_arteries`, a research reading checked on
one phantom family only) and are absent with :data:`NEEDS_TREE` when the tree was not
traced.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any

from strokescope.outcome.definitions import BY_NAME

if TYPE_CHECKING:
    from strokescope.thrombus.result import ThrombusResult

NEEDS_TREE = "needs the arterial tree, not traced for this study (--arteries)"
OFF_TREE = "the clot lies on no traced artery"
POSTERIOR = "a posterior-circulation clot: its distance is read from the basilar tip"
NO_RELATIVE = "contralateral vessel not found, no reference attenuation"
NOT_GRADED = "graded for ICA and M1 occlusions only"
NO_REFERENCE = "no opacified artery in the mirrored MCA territory to compare with"

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

UNITS: dict[str, str] = {name: BY_NAME[name].unit for name in NUMERIC_FEATURES}
"""Unit of each numeric feature (from the definitions)."""


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
class FeatureRow:
    """One feature as the reports and the viewer show it (:meth:`OutcomeFeatures.rows`):
    ``value`` formatted ("" when absent), ``unit`` ("" for text or a ratio), ``reason``
    why it is absent (``None`` if present), label and definition from the definitions."""

    name: str
    label: str
    value: str
    unit: str
    reason: str | None
    definition: str

    @property
    def present(self) -> bool:
        return self.reason is None

    def value_text(self) -> str:
        """The value as shown: "18.2 mm", "M1" or "absent: needs the arterial tree, ..."."""
        if self.reason is not None:
            return f"absent: {self.reason}"
        return f"{self.value} {self.unit}".strip()

    @classmethod
    def of(cls, name: str, feature: Feature) -> FeatureRow:
        d = BY_NAME[name]
        number = feature.number()
        shown = str(feature.value) if number is None else f"{number:.{d.decimals}f}"
        return cls(
            name=name,
            label=d.label,
            value=shown if feature.present else "",
            unit=d.unit if feature.present and d.unit != "1" else "",
            reason=feature.reason,
            definition=d.text(),
        )


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

    def items(self) -> tuple[tuple[str, Feature], ...]:
        """(name, feature) pairs in field order (the order of the definitions)."""
        return tuple((f.name, getattr(self, f.name)) for f in fields(self))

    def rows(self) -> list[FeatureRow]:
        """Every feature as shown: label, value and unit or the reason, definition."""
        return [FeatureRow.of(name, feature) for name, feature in self.items()]

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
    headline thrombus' measurements (the collateral grade from its collateral ratio); the
    arterial-tree features from ``result.arteries`` when it was traced.
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
        distance_ica_terminus_mm=_distance(result, clot.label),
        clot_burden_score=(
            Feature.absent(NEEDS_TREE)
            if result.arteries is None
            else Feature(float(result.arteries.tree.clot_burden.score))
        ),
        collateral_grade=_collateral(clot.segment, clot.collateral_ratio),
    )


def _distance(result: ThrombusResult, label: int) -> Feature:
    """Distance from the ICA terminus to the headline clot's proximal end, on the tree."""
    if result.arteries is None:
        return Feature.absent(NEEDS_TREE)
    on = next((c for c in result.arteries.clots if c.thrombus == label), None)
    if on is None or on.distance_mm is None:
        return Feature.absent(OFF_TREE)
    if on.reference != "ICA terminus":
        return Feature.absent(POSTERIOR)
    return Feature(float(on.distance_mm))


def _collateral(segment: str, ratio: float | None) -> Feature:
    from strokescope.thrombus.collaterals import GRADED_SEGMENTS, collateral_grade

    if segment not in GRADED_SEGMENTS:
        return Feature.absent(NOT_GRADED)
    if ratio is None:
        return Feature.absent(NO_REFERENCE)
    return Feature(float(collateral_grade(ratio)))
