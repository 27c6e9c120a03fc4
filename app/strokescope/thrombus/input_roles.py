"""Are the two inputs of the thrombus analysis really an NCCT and a CTA?

A thrombus reading needs a non-contrast series and a contrast series of the same head.
Three mistakes fooled the analysis before these checks: the same series given twice (a
64 mm "left M1" LVO), the two series swapped, and a "CTA" without opacified arteries.
Checked here, from the pixels on the analysis grid (headers can lie):

* the same series twice (same Series Instance UID, or identical voxels): refused;
* the CTA shows no contrast-filled arteries: fewer than ``cta_min_fraction`` of the brain
  (skull rim excluded) at 120-600 HU, or not at least twice the NCCT's fraction: no
  filling defect can be read, the thrombus result is "not assessed" with the reason;
* the NCCT looks opacified (more than ``ncct_max_fraction`` at 200-600 HU, the band of
  :class:`strokescope.preprocess.contrast.EnhancementBand`): a warning;
* both at once: the series look swapped.

With ``strict`` every finding is an :class:`~strokescope.errors.InputError` instead.
The 120 HU floor keeps a late or weak bolus (lumen 150-200 HU) a CTA.
"""

from __future__ import annotations

from dataclasses import dataclass

from strokescope.arrays import same_content
from strokescope.errors import InputError
from strokescope.preprocess.contrast import EnhancementBand, enhanced_fractions
from strokescope.volume import Mask, Volume

WEAK_BOLUS_BAND = EnhancementBand(low_hu=120.0, high_hu=600.0)
CTA_MIN_FRACTION = 0.0005
NCCT_MAX_FRACTION = 0.001


@dataclass(frozen=True)
class RoleCheck:
    """What the pixels say about the two inputs: ``not_assessed`` is the reason the CTA
    cannot be read (None when it can), ``warnings`` the rest."""

    ncct_fraction: float
    cta_fraction: float
    not_assessed: str | None
    warnings: tuple[str, ...]


def _name(volume: Volume) -> str:
    m = volume.meta
    return m.description or m.series_uid or m.source or "unnamed series"


def refuse_same_series(ncct: Volume, cta: Volume) -> None:
    """Raise :class:`InputError` when NCCT and CTA are one series given twice."""
    uid_n, uid_c = ncct.meta.series_uid, cta.meta.series_uid
    same = bool(uid_n) and uid_n == uid_c
    if not same and ncct.geometry == cta.geometry:
        same = same_content(ncct.array, cta.array)
    if same:
        raise InputError(
            f"NCCT and CTA are the same series ({_name(cta)}): give the non-contrast and the "
            "contrast series of the study"
        )


def check_roles(ncct_hu: Volume, cta_hu: Volume, brain: Mask, *, strict: bool) -> RoleCheck:
    """Vessel-HU check of NCCT and CTA resampled onto one grid with its brain mask."""
    cta_f, ncct_weak, ncct_f = enhanced_fractions(
        brain, (cta_hu, WEAK_BOLUS_BAND), (ncct_hu, WEAK_BOLUS_BAND), (ncct_hu, EnhancementBand())
    )
    flat_cta = cta_f < CTA_MIN_FRACTION or cta_f < 2.0 * ncct_weak
    dense_ncct = ncct_f > NCCT_MAX_FRACTION
    reason = None
    warnings: list[str] = []
    if flat_cta:
        reason = (
            f"the series given as CTA shows no contrast-filled arteries ({100 * cta_f:.2f}% "
            f"of the brain at 120-600 HU, NCCT {100 * ncct_weak:.2f}%)"
        )
        if dense_ncct:
            reason += "; the NCCT is opacified: NCCT and CTA look swapped"
    elif dense_ncct:
        warnings.append(
            f"the series given as NCCT looks contrast-enhanced ({100 * ncct_f:.2f}% of the "
            "brain at 200-600 HU): check the series roles"
        )
    if strict and (reason or warnings):
        raise InputError(f"--strict: {reason or warnings[0]}")
    return RoleCheck(ncct_f, cta_f, reason, tuple(warnings))
