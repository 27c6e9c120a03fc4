"""Why a candidate is not a thrombus: the decision rules read from attenuation alone.

:func:`mimic_reason` rules out what does not look like clot (not hyperdense on NCCT,
opacified on CTA); :func:`no_occlusion_reason` what sits in no occluded artery (no CTA sign,
:mod:`strokescope.thrombus.vessel_evidence`). :func:`parenchyma_hu` is the brain's own
attenuation, the reference that a scanner's calibration offset cannot move relative to
the clot.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from strokescope.thrombus.candidate_features import ShellReading
from strokescope.thrombus.guardrails import PARENCHYMA_HU
from strokescope.thrombus.result import cta_signs_text
from strokescope.thrombus.rules import Rules
from strokescope.thrombus.vessel_evidence import VesselEvidence


def parenchyma_hu(ncct_hu: npt.NDArray[np.float32], brain: npt.NDArray[np.bool_]) -> float | None:
    """Median NCCT HU of the brain parenchyma (``brain`` voxels within
    :data:`PARENCHYMA_HU`), or None where the mask holds none."""
    hu = ncct_hu[brain]
    hu = hu[(hu > PARENCHYMA_HU[0]) & (hu < PARENCHYMA_HU[1])]
    return float(np.median(hu)) if hu.size else None


def mimic_reason(
    ncct_hu: npt.NDArray[np.float32],
    cta_hu: npt.NDArray[np.float32],
    rules: Rules,
    parenchyma: float | None = None,
    shell: Callable[[], ShellReading] | None = None,
    through: Callable[[], float] | None = None,
) -> str | None:
    """Why a candidate's attenuation rules out a thrombus, or None if it may be one.

    ``parenchyma``: :func:`parenchyma_hu` of the study, for the check against the brain
    (``rules.min_ncct_p90_above_brain_hu``); ``shell``: reads the tissue around the
    candidate (:func:`strokescope.thrombus.candidate_features.shell_reading`), called only
    when a rule needs it: the check against its surroundings
    (``rules.min_ncct_above_shell_hu``) when both other readings find the candidate not
    hyperdense, the patent artery beside it (``rules.max_shell_opacified_fraction``) once
    it has passed every other check, and there, with ``rules.beside_min_lumen_through``,
    ``through`` reads how much of its length the artery runs through
    (:func:`strokescope.thrombus.candidate_features.candidate_lumen_through`; without it the
    surroundings alone decide). Calibrated on the
    calibration phantoms (``strokescope evaluate --seed0 800000``): every segmented clot had
    an NCCT 90th percentile >= 56 HU (27 HU above the parenchyma), CTA mean <= 82 HU and
    perviousness <= 31 HU; the false candidates were parenchyma or vessel wall (90th
    percentile 39-48 HU, 18-20 HU above the parenchyma, mean 10-17 HU above their
    surroundings), patent lumen (CTA 143-177 HU) or an opacified branch (perviousness 72 HU).
    With 2.5 mm slices the calibration phantoms' clots in the M1 and M2 fall to 90th
    percentiles of 36-48 HU (less than 23 HU above the parenchyma) but stay 21-33 HU above
    their surroundings.
    """
    p90 = float(np.percentile(ncct_hu, 90))
    above = rules.min_ncct_p90_above_brain_hu
    above_brain = above is not None and parenchyma is not None and p90 - parenchyma >= above
    mean = float(ncct_hu.mean())
    if p90 < rules.min_ncct_p90_hu and not above_brain:
        local = rules.min_ncct_above_shell_hu
        around = None if local is None or shell is None else shell().ncct_hu
        if around is None or local is None or mean - around < local:
            brain = "" if parenchyma is None else f", {p90 - parenchyma:.0f} HU above the brain"
            if around is not None:
                brain += f", mean {mean - around:.0f} HU above its surroundings"
            return f"not hyperdense on NCCT (90th percentile {p90:.0f} HU{brain})"
    cta_mean = float(cta_hu.mean())
    if cta_mean > rules.max_cta_mean_hu:
        return f"opacified on CTA (mean {cta_mean:.0f} HU): patent lumen"
    perviousness = cta_mean - mean
    if perviousness > rules.max_perviousness_hu:
        return f"perviousness {perviousness:.0f} HU: opacified vessel"
    beside = rules.max_shell_opacified_fraction
    if beside is not None and shell is not None:
        lumen = shell().opacified_fraction
        need = rules.beside_min_lumen_through
        if lumen < beside:
            return None
        if need is None or through is None:
            return f"{lumen:.0%} of its surroundings opacified: beside a patent artery"
        crossed = through()
        if crossed >= need:
            return (
                f"{lumen:.0%} of its surroundings opacified, lumen through {crossed:.0%} of "
                "it: beside a patent artery"
            )
    return None


def no_occlusion_reason(evidence: VesselEvidence, rules: Rules) -> str | None:
    """Why the CTA around a candidate shows no occluded artery, or None if it shows one."""
    inline = rules.min_inline_lumen is not None and evidence.inline_lumen >= rules.min_inline_lumen
    missing = (
        rules.min_missing_artery is not None and evidence.missing_artery >= rules.min_missing_artery
    )
    if inline or missing:
        return None
    signs = cta_signs_text(evidence.inline_lumen, evidence.missing_artery)
    return f"no CTA sign of an occluded artery ({signs})"
