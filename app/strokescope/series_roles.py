"""Which scanned series is the baseline NCCT, the CTA and the follow-up NCCT.

Explicit rules over :class:`strokescope.io.SeriesInfo` headers (no pixels), each returning the
reason it fired so a user can see why a series was picked and override it:

1. only CT image series are candidates (0008,0060) Modality;
2. a series is a CTA when (0018,0010) Contrast/Bolus Agent is filled, or its (0008,103E)
   Series Description names CTA/angio/arterial; otherwise it is an NCCT;
3. NCCTs are ordered by (0008,0020) Study Date: the earliest study's NCCT is the baseline, an
   NCCT of a later study is the follow-up (a description saying "follow-up"/"control" also
   makes it the follow-up when all dates are equal);
4. among candidates for one role the thinnest (0018,0050) Slice Thickness wins (thin NCCT and
   CTA are what the thrombus model expects), then the one with more slices;
5. the CTA is preferred from the baseline study.

:func:`vessel_fraction` is the optional pixel check: the fraction of brain voxels in the
200-600 HU band of contrast-filled arteries (about 1-2 % on CTA, about 0.1 % on NCCT from
calcifications and partial volume; see CLINICAL_VALUES).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from strokescope.errors import InputError
from strokescope.preprocess.contrast import EnhancementBand

if TYPE_CHECKING:
    from strokescope.io import SeriesInfo
    from strokescope.volume import Volume

Role = Literal["baseline", "cta", "followup"]
ROLES: tuple[Role, ...] = ("baseline", "cta", "followup")
ROLE_NAMES: dict[Role, str] = {
    "baseline": "Baseline NCCT",
    "cta": "CTA",
    "followup": "Follow-up NCCT",
}
Kind = Literal["cta", "ncct", "other"]

_CTA_WORDS = re.compile(r"\b(cta|angio\w*|arterial|art|cow|circle of willis)\b", re.IGNORECASE)
_FOLLOWUP_WORDS = re.compile(r"(follow[\s_-]*up|\bfu\b|control|kontroll)", re.IGNORECASE)
_NOT_IMAGES = ("LOCALIZER", "SCOUT", "TOPOGRAM")


@dataclass(frozen=True)
class SeriesKind:
    """What the header rules say one series is, and which rule said so."""

    kind: Kind
    reason: str


@dataclass(frozen=True)
class RoleAssignment:
    """The series chosen per role (``None``: no candidate) with the rule behind each choice."""

    baseline: SeriesInfo | None = None
    cta: SeriesInfo | None = None
    followup: SeriesInfo | None = None
    reasons: tuple[tuple[Role, str], ...] = ()

    def get(self, role: Role) -> SeriesInfo | None:
        """The series assigned to ``role``."""
        chosen: SeriesInfo | None = getattr(self, role)
        return chosen

    def reason(self, role: Role) -> str:
        """Why ``role`` got its series (empty when nothing was assigned)."""
        return next((text for r, text in self.reasons if r == role), "")


def classify_series(info: SeriesInfo) -> SeriesKind:
    """Apply rules 1-2 to one series' headers."""
    if info.modality.upper() != "CT":
        return SeriesKind("other", f"modality {info.modality or '?'} is not CT")
    if any(word in _NOT_IMAGES for word in (t.upper() for t in info.image_type)):
        return SeriesKind("other", "image type marks a localizer")
    if info.contrast_agent.strip():
        return SeriesKind("cta", f"contrast agent tag: {info.contrast_agent.strip()}")
    match = _CTA_WORDS.search(info.description)
    if match:
        return SeriesKind("cta", f"description says {match.group(0)!r}")
    return SeriesKind("ncct", "CT without contrast agent tag or CTA keyword")


def _thin_first(info: SeriesInfo) -> tuple[float, int]:
    thickness = info.slice_thickness or info.slice_spacing or 99.0
    return (thickness, -info.n_slices)


def _date(info: SeriesInfo) -> str:
    return info.study_date or "00000000"


def assign_roles(series: Sequence[SeriesInfo]) -> RoleAssignment:
    """Assign baseline NCCT, CTA and follow-up NCCT by rules 1-5 (see the module docstring)."""
    kinds = {s.key: classify_series(s) for s in series}
    ncct = [s for s in series if kinds[s.key].kind == "ncct"]
    cta = [s for s in series if kinds[s.key].kind == "cta"]
    reasons: list[tuple[Role, str]] = []

    dates = sorted({_date(s) for s in ncct})
    followup: SeriesInfo | None = None
    baseline: SeriesInfo | None = None
    if len(dates) > 1:
        later = [s for s in ncct if _date(s) == dates[-1]]
        followup = min(later, key=_thin_first)
        reasons.append(("followup", f"NCCT of the later study ({dates[-1]})"))
        first = [s for s in ncct if _date(s) == dates[0]]
        baseline = min(first, key=_thin_first)
        reasons.append(("baseline", f"thinnest NCCT of the earliest study ({dates[0]})"))
    else:
        named = [s for s in ncct if _FOLLOWUP_WORDS.search(s.description)]
        rest = [s for s in ncct if s not in named]
        if named and rest:
            followup = min(named, key=_thin_first)
            reasons.append(("followup", "description names a follow-up"))
        if ncct:
            baseline = min(rest or ncct, key=_thin_first)
            reasons.append(("baseline", "thinnest NCCT"))
    chosen_cta: SeriesInfo | None = None
    if cta:
        same_study = [s for s in cta if baseline is not None and s.study_uid == baseline.study_uid]
        chosen_cta = min(same_study or cta, key=_thin_first)
        extra = " of the baseline study" if same_study and len(cta) > 1 else ""
        reasons.append(("cta", f"{kinds[chosen_cta.key].reason}{extra}"))
    return RoleAssignment(baseline, chosen_cta, followup, tuple(reasons))


@dataclass(frozen=True)
class VesselCheck:
    """Thresholds of :func:`vessel_fraction` and of the two warnings drawn from it.

    Fractions are of the brain with the skull rim excluded (see
    :func:`strokescope.preprocess.contrast.enhanced_fraction`); on phantoms a CTA gives
    >= 0.15 % and an NCCT with calcified plaques <= 0.06 %.
    """

    band: EnhancementBand = field(default_factory=EnhancementBand)
    cta_min_fraction: float = 0.0005
    """A CTA with less than this fraction of the brain in the band shows no arteries."""
    ncct_max_fraction: float = 0.001
    """An NCCT with more than this fraction in the band looks contrast-enhanced."""

    def __post_init__(self) -> None:
        for name in ("cta_min_fraction", "ncct_max_fraction"):
            value = getattr(self, name)
            if not 0.0 <= value < 1.0:
                raise InputError(f"vessel check {name} must be in 0..1, got {value}")


def vessel_fraction(volume: Volume, *, check: VesselCheck | None = None) -> float:
    """Fraction of the brain (skull rim excluded) whose HU lies in ``check.band``.

    Raises
    ------
    InputError
        If no brain is found in ``volume``.
    """
    from strokescope.preprocess.brain_mask import brain_mask
    from strokescope.preprocess.contrast import enhanced_fraction

    c = check or VesselCheck()
    brain = brain_mask(volume)
    if brain.voxel_count == 0:
        raise InputError(f"{volume.meta.description or 'volume'}: no brain found for the HU check")
    return enhanced_fraction(volume, brain, band=c.band)


def vessel_warning(role: Role, fraction: float, *, check: VesselCheck | None = None) -> str:
    """A one-line warning when the vessel fraction contradicts ``role`` ('' when consistent)."""
    c = check or VesselCheck()
    pct = 100.0 * fraction
    if role == "cta" and fraction < c.cta_min_fraction:
        return f"series assigned as CTA shows no contrast-filled arteries ({pct:.2f}% of brain)"
    if role != "cta" and fraction > c.ncct_max_fraction:
        return (
            f"series assigned as {ROLE_NAMES[role]} looks contrast-enhanced "
            f"({pct:.2f}% of brain in {c.band.low_hu:.0f}-{c.band.high_hu:.0f} HU)"
        )
    return ""
