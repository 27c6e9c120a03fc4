"""Typed results of the thrombus analysis (NCCT + CTA), one record per connected component.

Units: lengths and diameters in mm, volumes in mm^3, attenuation in HU, points in patient
LPS mm. Masks live on the CTA grid (the NCCT is registered onto the CTA).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

from strokescope import PHANTOM_TRAINED, RESEARCH_ONLY
from strokescope.volume import Mask

if TYPE_CHECKING:
    from strokescope.vessels.hyperdense import NcctScreening
    from strokescope.vessels.reading import TreeReading

Side = Literal["left", "right", "midline"]
OcclusionClass = Literal["LVO", "MeVO", "none", "not assessed"]


def cta_signs_text(inline_lumen: float, missing_artery: float) -> str:
    """The two CTA signs of occlusion as the outputs print them."""
    return f"lumen in line {inline_lumen:.0%}, contralateral minus own lumen {missing_artery:+.0%}"


@dataclass(frozen=True)
class AxialProfile:
    """Mean HU along a thrombus' axis (:mod:`strokescope.thrombus.axial_profile`): distance
    in mm from the clot's first end (negative before it; the clot spans 0 to its length)."""

    distance_mm: tuple[float, ...]
    cta_hu: tuple[float, ...]
    ncct_hu: tuple[float, ...]

    @classmethod
    def from_dict(cls, record: dict[str, Any]) -> AxialProfile:
        return cls(
            *(tuple(float(v) for v in record[k]) for k in ("distance_mm", "cta_hu", "ncct_hu"))
        )


@dataclass(frozen=True)
class Thrombus:
    """Measurements of one thrombus (connected component of the segmentation)."""

    label: int
    volume_mm3: float
    length_mm: float  # along the 3-D skeleton's longest path, end to end
    max_diameter_mm: float
    ncct_mean_hu: float  # these four over the clot's core (clot_measures.core)
    ncct_sd_hu: float
    cta_mean_hu: float
    perviousness_hu: float  # CTA mean minus NCCT mean
    relative_attenuation: float | None  # NCCT clot HU / contralateral vessel HU, if found
    side: Side
    centroid_lps: tuple[float, float, float]
    segment: str  # estimated vessel segment: "basilar", "ICA", "A1/P1", "M1" or "M2"
    probability_mean: float  # mean network probability inside the component
    cta_lumen_in_line: float | None = None
    """CTA cut-off sign: opacified fraction (0-1) of the lumen in line beyond the clot's
    better end (:mod:`strokescope.thrombus.vessel_evidence`); None if not measured."""
    cta_missing_artery: float | None = None
    """CTA missing-artery sign: opacified-lumen fraction at the clot's mirror image minus at
    its own place (-1 to 1); None if not measured."""
    axial_profile: AxialProfile | None = None
    """CTA and NCCT along the clot's axis and 10 mm beyond its ends; None if not measured."""
    collateral_ratio: float | None = None
    """Contrast filling beyond an ICA or M1 clot over the mirrored territory (0-1.5,
    :mod:`strokescope.thrombus.collaterals`); None if not graded."""
    found_by: str = "network"
    """"network" (the coarse-to-fine networks or the scan), or "basilar profile": the
    second look at the basilar artery's CTA profile (:mod:`strokescope.vessels.basilar_gap`),
    where the networks found nothing; its outline is the non-opacified lumen."""

    def cta_signs(self) -> str | None:
        """Both CTA signs as text (:func:`cta_signs_text`), None if not measured."""
        if self.cta_lumen_in_line is None or self.cta_missing_artery is None:
            return None
        return cta_signs_text(self.cta_lumen_in_line, self.cta_missing_artery)

    def occlusion_sign_missing(self) -> bool:
        """Whether the CTA shows neither sign of an occluded artery at this thrombus (both
        measured and below :data:`strokescope.thrombus.vessel_evidence.SIGN_FRACTION`)."""
        from strokescope.thrombus.vessel_evidence import SIGN_FRACTION

        return (
            self.cta_lumen_in_line is not None
            and self.cta_missing_artery is not None
            and self.cta_lumen_in_line < SIGN_FRACTION
            and self.cta_missing_artery < SIGN_FRACTION
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, eq=False)
class ThrombusResult:
    """Everything the thrombus analysis returns; ``warnings`` travel with every output."""

    thrombi: tuple[Thrombus, ...]
    occlusion: bool  # False also when not assessed: read ``assessed`` first
    lvo: bool
    occlusion_class: OcclusionClass  # "not assessed" when the analysis could not run (no CTA)
    mask: Mask  # union of the thrombi, on the CTA grid
    cta_to_ncct: npt.NDArray[np.float64] | None  # 4x4 LPS rigid motion CTA -> NCCT
    registration_metric: float | None  # final Mattes mutual information (lower is better)
    model_version: str
    model_sha256: dict[str, str]
    decision_rule: str  # human-readable LVO/occlusion rule with its numbers from the manifest
    seconds: dict[str, float] = field(default_factory=dict)  # per stage
    warnings: tuple[str, ...] = ()
    not_assessed_reason: str | None = None  # why no reading was possible, when not assessed
    research_use: str = f"{RESEARCH_ONLY} {PHANTOM_TRAINED}"
    ncct_screening: NcctScreening | None = None
    """Without a CTA: hyperdense arteries on the NCCT's arterial map (possible occlusion,
    CTA needed; never a thrombus measurement); None where it did not run."""
    arteries: TreeReading | None = None
    """The labelled arterial tree read beside the thrombi (clot burden score, profiles,
    where network and profile disagree); None unless asked for
    (:func:`strokescope.pipeline.analyze_arteries`)."""

    @property
    def assessed(self) -> bool:
        """False when no reading was possible: absence of a clot is then not a finding."""
        return self.occlusion_class != "not assessed"

    def headline(self) -> Thrombus | None:
        """The thrombus the impression names: the largest one (None without a thrombus)."""
        return max(self.thrombi, key=lambda t: t.volume_mm3, default=None)

    def impression(self) -> str:
        """One line a physician reads first, e.g. "Left M1 occlusion (LVO): thrombus 18 mm,
        92 mm3", "No occlusion found on NCCT + CTA" or "Not assessed: no CTA series"."""
        if not self.assessed:
            line = f"Thrombus not assessed: {self.not_assessed_reason or 'no CTA series'}"
            screening = self.ncct_screening
            return line if screening is None else f"{line}. {screening.summary()}"
        t = self.headline()
        if t is None:
            return "No occlusion found on NCCT + CTA"
        side = "Midline" if t.side == "midline" else t.side.capitalize()
        more = len(self.thrombi) - 1
        extra = f"; {more} more thrombus candidate{'s' if more > 1 else ''}" if more else ""
        return (
            f"{side} {t.segment} occlusion ({self.occlusion_class}): thrombus "
            f"{t.length_mm:.0f} mm, {t.volume_mm3:.0f} mm3{extra}"
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (no masks; ``cta_to_ncct`` as a 4x4 list, ``None`` when not
        registered)."""
        return {
            "impression": self.impression(),
            "thrombi": [t.to_dict() for t in self.thrombi],
            "occlusion": self.occlusion,
            "lvo": self.lvo,
            "occlusion_class": self.occlusion_class,
            "assessed": self.assessed,
            "not_assessed_reason": self.not_assessed_reason,
            "total_volume_mm3": self.mask.volume_mm3,
            "registration_metric": self.registration_metric,
            "cta_to_ncct": (
                None if self.cta_to_ncct is None else np.asarray(self.cta_to_ncct).tolist()
            ),
            "model_version": self.model_version,
            "model_sha256": dict(self.model_sha256),
            "decision_rule": self.decision_rule,
            "seconds": dict(self.seconds),
            "warnings": list(self.warnings),
            "research_use": self.research_use,
            "ncct_screening": None
            if self.ncct_screening is None
            else self.ncct_screening.to_dict(),
            "arteries": None if self.arteries is None else self.arteries.to_dict(),
        }
