"""Attenuation features of one thrombus candidate, for the candidate model.

A network trained on one phantom generator learns that generator; the physics of a clot does
not change with it. A clot fills an artery: it is hyperdense on NCCT (40-90 HU against
blood's 35-45), not opacified on CTA (a filling defect, 0-40 HU of contrast), elongated along
the artery, opacified lumen stops at one of its ends, and the brain or CSF around the artery
is not hyperdense. Subarachnoid blood is hyperdense too but lies in cisterns beside patent
arteries: its surroundings are blood or opacified lumen. Every feature below is read from HU
alone (no position, no anatomy of the phantom), so a model over them can be fitted on one
generator's candidates and read on another's. :mod:`strokescope.thrombus.candidate_model`
scores them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from strokescope.preprocess.index_box import ring_indices
from strokescope.preprocess.morphology import ball_mm
from strokescope.preprocess.registration import (
    AIR_HU,
    RegistrationResult,
    sample_registered,
)
from strokescope.thrombus.anatomy import Plane
from strokescope.thrombus.centerline import Centerline, centerline, mean_radius_mm
from strokescope.thrombus.vessel_evidence import (
    MAX_SAMPLED_VOXELS,
    VesselEvidence,
    opacified_hu,
    perpendicular,
)
from strokescope.volume import Volume

SHELL_MM = 2.0
"""Surroundings: the voxels within this distance of the candidate, the candidate excluded."""
MAX_SHELL_SAMPLES = 4000
THROUGH_MARGIN_MM = 2.0
"""Cross-sections of a candidate reach this far beyond its mean radius."""
THROUGH_STEP_MM = 0.5
THROUGH_MIN_AREA_MM2 = 2.0
"""A cross-section holding this much opacified lumen (a lumen of radius 0.8 mm) has an
artery running on through it."""

FEATURES: tuple[str, ...] = (
    "log10_volume_mm3",
    "elongation",
    "ncct_mean_hu",
    "ncct_p90_hu",
    "perviousness_hu",
    "opacified_fraction",
    "inline_lumen",
    "missing_artery",
    "shell_opacified_fraction",
    "shell_ncct_hu",
    "ncct_above_shell_hu",
    "ncct_above_mirror_hu",
    "probability_mean",
    "lumen_through_fraction",
)
"""The candidate model's inputs, in this order (see :func:`candidate_features`)."""


@dataclass(frozen=True, eq=False)
class CandidateRecord:
    """One candidate as the candidate model saw it: CTA-grid voxels, features and whether
    only the scan network proposed it."""

    index: npt.NDArray[np.int64]
    features: dict[str, float]
    scan_only: bool


def _shell(index: npt.NDArray[np.int64], cta: Volume) -> npt.NDArray[np.int64]:
    """CTA-grid indices within ``SHELL_MM`` of the candidate ``index`` and outside it."""
    shell = ring_indices(index, ball_mm(cta.geometry, SHELL_MM), cta.shape)
    step = max(1, len(shell) // MAX_SHELL_SAMPLES)
    return shell[::step]


@dataclass(frozen=True)
class ShellReading:
    """The ``SHELL_MM`` shell around a candidate: the fraction of it that is opacified lumen
    (0 for an empty shell) and the median registered NCCT of the rest (None when none)."""

    opacified_fraction: float
    ncct_hu: float | None


def shell_reading(
    index: npt.NDArray[np.int64], cta: Volume, ncct: Volume, reg: RegistrationResult
) -> ShellReading:
    """:class:`ShellReading` of the shell around the candidate ``index`` (CTA grid)."""
    shell = _shell(index, cta)
    shell_cta = cta.array[tuple(shell.T)].astype(np.float64)
    shell_ncct = sample_registered(ncct, cta.geometry.index_to_lps(shell.astype(float)), reg)
    lumen = opacified_hu(shell_cta, shell_ncct)
    rest = shell_ncct[~lumen]
    fraction = float(lumen.mean()) if len(lumen) else 0.0
    return ShellReading(fraction, float(np.median(rest)) if len(rest) else None)


def lumen_through_fraction(
    line: Centerline, radius_mm: float, cta: Volume, ncct: Volume, reg: RegistrationResult
) -> float:
    """The fraction of the candidate's cross-sections that an opacified artery runs through.

    A clot occludes its artery: across its length the lumen is gone (a pervious clot keeps a
    thread of contrast, less than :data:`THROUGH_MIN_AREA_MM2`). Blood in a cistern lies
    beside or round a patent artery, whose lumen crosses every one of its cross-sections.
    Each centerline point (its ends already left out by :func:`centerline`) gives a disc
    normal to the tangent, of radius ``radius_mm`` + :data:`THROUGH_MARGIN_MM`, sampled
    every :data:`THROUGH_STEP_MM` on the CTA (nearest voxel, so a thread of contrast is not
    spread by interpolation) and the registered NCCT; a disc with at least
    :data:`THROUGH_MIN_AREA_MM2` of opacified lumen (the rule of
    :func:`strokescope.thrombus.vessel_evidence.opacified_hu`) counts. 0 when the
    centerline has no point.
    """
    if not len(line.points):
        return 0.0
    reach = radius_mm + THROUGH_MARGIN_MM
    u = np.arange(-reach, reach + 1e-6, THROUGH_STEP_MM)
    uu, vv = (a.ravel() for a in np.meshgrid(u, u))
    disc = uu**2 + vv**2 <= reach**2
    uu, vv = uu[disc], vv[disc]
    discs = [
        p + uu[:, None] * a + vv[:, None] * b
        for p, (a, b) in zip(line.points, map(perpendicular, line.tangents), strict=True)
    ]
    flat = np.concatenate(discs)
    kji = np.rint(cta.geometry.lps_to_index(flat)).astype(np.int64)
    inside = np.all((kji >= 0) & (kji < np.asarray(cta.shape)), axis=1)
    cta_hu = np.full(len(flat), AIR_HU, np.float32)
    cta_hu[inside] = cta.array[tuple(kji[inside].T)]
    lumen = opacified_hu(cta_hu, sample_registered(ncct, flat, reg)).reshape(len(discs), -1)
    area = lumen.sum(axis=1) * THROUGH_STEP_MM**2
    return float((area >= THROUGH_MIN_AREA_MM2).mean())


def candidate_lumen_through(
    index: npt.NDArray[np.int64], cta: Volume, ncct: Volume, reg: RegistrationResult
) -> float:
    """:func:`lumen_through_fraction` of the candidate ``index`` (CTA grid) along its own
    centerline, at its mean radius."""
    line = centerline(index, cta.geometry)
    volume = len(index) * cta.geometry.voxel_volume_mm3
    return lumen_through_fraction(line, mean_radius_mm(volume, line), cta, ncct, reg)


def candidate_features(
    index: npt.NDArray[np.int64],
    ncct_hu: npt.NDArray[np.float32],
    probability: npt.NDArray[np.float32],
    line: Centerline,
    evidence: VesselEvidence,
    plane: Plane,
    cta: Volume,
    ncct: Volume,
    reg: RegistrationResult,
) -> dict[str, float]:
    """The features of :data:`FEATURES` for one candidate.

    ``index``: its CTA-grid voxels (n, 3); ``ncct_hu``: the registered NCCT there;
    ``probability``: the network's probability there.
    """
    g = cta.geometry
    volume = len(index) * g.voxel_volume_mm3
    cta_hu = cta.array[tuple(index.T)].astype(np.float64)
    ncct_mean = float(np.mean(ncct_hu))
    shell = shell_reading(index, cta, ncct, reg)
    shell_ncct_hu = ncct_mean if shell.ncct_hu is None else shell.ncct_hu
    points = g.index_to_lps(index.astype(float))
    sub = points[:: max(1, len(points) // MAX_SAMPLED_VOXELS)]
    mirror_hu = float(np.mean(sample_registered(ncct, plane.mirror(sub), reg)))
    return {
        "log10_volume_mm3": math.log10(max(volume, 1e-3)),
        "elongation": line.length_mm / max(volume ** (1.0 / 3.0), 1e-3),
        "ncct_mean_hu": ncct_mean,
        "ncct_p90_hu": float(np.percentile(ncct_hu, 90)),
        "perviousness_hu": float(cta_hu.mean()) - ncct_mean,
        "opacified_fraction": float(opacified_hu(cta_hu, ncct_hu).mean()),
        "inline_lumen": evidence.inline_lumen,
        "missing_artery": evidence.missing_artery,
        "shell_opacified_fraction": shell.opacified_fraction,
        "shell_ncct_hu": shell_ncct_hu,
        "ncct_above_shell_hu": ncct_mean - shell_ncct_hu,
        "ncct_above_mirror_hu": ncct_mean - mirror_hu,
        "probability_mean": float(np.mean(probability)),
        "lumen_through_fraction": lumen_through_fraction(
            line, mean_radius_mm(volume, line), cta, ncct, reg
        ),
    }
