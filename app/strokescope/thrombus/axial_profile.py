"""Attenuation along a thrombus' axis, through the clot and 10 mm beyond each end.

The profile a reader checks by eye: on CTA the column of contrast runs up to the clot, drops
to clot-like HU along it (docs/CLINICAL_VALUES.md: filling defect 40-100 HU) and, with collateral
filling, rises again beyond it; on NCCT the clot is the hyperdense stretch. Sampled every
``STEP_MM`` along the candidate's centerline, continued straight along the end tangents,
as the mean over a disc of 0.7 x the clot's mean radius (at least 1 mm) perpendicular to
the path. Distance 0 is the clot's first end (:func:`strokescope.thrombus.vessel_evidence.tips`).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from strokescope.preprocess.registration import (
    AIR_HU,
    RegistrationResult,
    sample_registered,
    trilinear,
)
from strokescope.thrombus.centerline import Centerline
from strokescope.thrombus.result import AxialProfile
from strokescope.thrombus.vessel_evidence import disc_offsets, tips
from strokescope.volume import Volume

MARGIN_MM = 10.0
STEP_MM = 1.0


def _path(points: npt.NDArray[np.float64], line: Centerline) -> npt.NDArray[np.float64]:
    (tip0, t0), (tip1, t1) = tips(points, line)
    return np.vstack([tip0 + MARGIN_MM * t0, tip0, line.points, tip1, tip1 + MARGIN_MM * t1])


def axial_profile(
    points: npt.NDArray[np.float64],
    line: Centerline,
    radius_mm: float,
    cta: Volume,
    ncct: Volume,
    reg: RegistrationResult,
) -> AxialProfile:
    """The profile of one candidate (voxel centres ``points``, its centerline, mean radius)."""
    path = _path(points, line)
    arc = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(path, axis=0), axis=1))])
    d = np.arange(0.0, arc[-1] + 1e-9, STEP_MM)
    centres = np.stack([np.interp(d, arc, path[:, k]) for k in range(3)], axis=1)
    tangent = np.gradient(centres, axis=0)
    tangent /= np.maximum(np.linalg.norm(tangent, axis=1, keepdims=True), 1e-9)
    r = max(1.0, 0.7 * radius_mm)
    discs = np.stack([c + disc_offsets(t, r) for c, t in zip(centres, tangent, strict=True)])
    flat = discs.reshape(-1, 3)
    c_hu = trilinear(cta.array, cta.geometry.lps_to_index(flat), default=AIR_HU)
    n_hu = sample_registered(ncct, flat, reg)
    start = float(arc[1])  # the first tip: MARGIN_MM along the path
    return AxialProfile(
        distance_mm=tuple(round(float(v) - start, 1) for v in d),
        cta_hu=tuple(round(float(v), 1) for v in c_hu.reshape(len(d), -1).mean(1)),
        ncct_hu=tuple(round(float(v), 1) for v in n_hu.reshape(len(d), -1).mean(1)),
    )
