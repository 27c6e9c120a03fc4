"""CTA evidence that a candidate occludes an artery, read from attenuation alone (no network).

A thrombus lies inside an artery that is opacified up to it, so on CTA at least one of two
signs goes with it (the "filling defect" of docs/CLINICAL_VALUES.md):

* **cut-off in line** (``inline_lumen``): beyond one end of the clot, along the candidate's
  centerline, the lumen is opacified - the stump before the clot, or collateral filling after
  it. Measured as the opacified fraction of a cylinder (radius 0.7 x the candidate's mean
  radius, at least 1 mm) from 0.25 to 2.75 mm beyond each end; the better end counts. A
  candidate that covers only part of a clot is followed along its axis through the rest of
  the clot (hyperdense, not opacified; up to ``MARCH_MM``) before the cylinder is placed.
* **missing artery** (``mirrored_lumen`` - ``own_lumen``): mirrored across the midsagittal
  plane, the candidate lands on an opacified contralateral artery while its own place holds
  none. Each is the fraction of (sub-sampled) candidate voxels within ``NEAR_MM`` of
  opacified lumen.

Hyperdense blood beside a patent artery (subarachnoid blood, the commonest false thrombus)
touches lumen along its side, not in line, and its mirror image has no more lumen than it.

"Opacified" means contrast, not brightness: CTA minus the registered NCCT >= ``ENHANCEMENT_HU``
with CTA >= ``MIN_LUMEN_CTA_HU`` and NCCT < the calcification cut. Contrast inside a clot is
0-30 HU (docs/CLINICAL_VALUES.md) and a weak bolus of 150 HU still lies ~110 HU above blood,
so the cut holds across bolus timing; bone and calcium, bright on both scans, drop out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from strokescope.preprocess.registration import (
    AIR_HU,
    RegistrationResult,
    sample_registered,
    trilinear,
)
from strokescope.thrombus import guardrails as gr
from strokescope.thrombus.anatomy import Plane
from strokescope.thrombus.centerline import Centerline, mean_radius_mm
from strokescope.volume import Volume

SIGN_FRACTION = 0.12
"""Below this on both fractions a thrombus has no CTA sign of an occluded artery, and the
result warns (a manifest may also drop such candidates: ``Rules.min_inline_lumen`` and
``Rules.min_missing_artery``). On the calibration block
(seeds 800000-800019) every clot the shipped models segment reaches 0.15 or more on one of
the two (the lowest: a partly segmented ICA clot, in line 0.15, missing artery 0.09)."""
ENHANCEMENT_HU = 60.0
MIN_LUMEN_CTA_HU = 100.0
NEAR_MM = 1.5
CLOT_NCCT_HU = 45.0
"""A disc whose mean NCCT reaches this (acute clot: 50-80 HU, docs/CLINICAL_VALUES.md) and
that is not opacified is still clot."""
MARCH_MM = 8.0
RING_GAP_MM = 1.5
MARCH_STEP_MM = 0.5
END_CHORD_MM = 2.0
MAX_SAMPLED_VOXELS = 600
_CAP_DEPTHS_MM = np.arange(0.25, 3.0, 0.5)
_DISC = np.array(
    [(u, v) for u in np.linspace(-1, 1, 5) for v in np.linspace(-1, 1, 5) if u * u + v * v <= 1]
)
_NEAR_OFFSETS = NEAR_MM * np.vstack([np.zeros(3), np.eye(3), -np.eye(3)])


@dataclass(frozen=True)
class VesselEvidence:
    """CTA signs of an occluded artery at one candidate (fractions 0-1, see the module)."""

    inline_lumen: float
    own_lumen: float
    mirrored_lumen: float

    @property
    def missing_artery(self) -> float:
        """Opacified lumen at the mirror image minus at the candidate's own place."""
        return self.mirrored_lumen - self.own_lumen


def opacified(
    points_lps: npt.NDArray[np.float64], cta: Volume, ncct: Volume, reg: RegistrationResult
) -> npt.NDArray[np.bool_]:
    """Whether each CTA-space point (n, 3) lies in contrast-filled lumen (see the module)."""
    c = trilinear(cta.array, cta.geometry.lps_to_index(points_lps), default=AIR_HU)
    return opacified_hu(c, sample_registered(ncct, points_lps, reg))


def opacified_hu(cta_hu: npt.ArrayLike, ncct_hu: npt.ArrayLike) -> npt.NDArray[np.bool_]:
    """The opacified-lumen rule (see the module) on CTA and registered NCCT values."""
    c, n = np.asarray(cta_hu), np.asarray(ncct_hu)
    return (c - n >= ENHANCEMENT_HU) & (c >= MIN_LUMEN_CTA_HU) & (n < gr.CALCIFICATION_HU)


def perpendicular(t: npt.NDArray[np.float64]) -> tuple[npt.NDArray[np.float64], ...]:
    """Two unit vectors normal to the unit vector ``t`` and to each other."""
    a = np.cross(t, [1.0, 0.0, 0.0]) if abs(t[0]) < 0.9 else np.cross(t, [0.0, 1.0, 0.0])
    a /= np.linalg.norm(a)
    return a, np.cross(t, a)


def _end_direction(
    line: Centerline, end: int, points: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """Outward unit direction at ``end`` (0 first, -1 last) of the centerline: the chord over
    its last ``END_CHORD_MM``, or the points' principal axis when the centerline is shorter
    (a short clot's bin centroids zig-zag more than they run)."""
    pts = line.points if end == -1 else line.points[::-1]
    seg = np.linalg.norm(np.diff(pts, axis=0), axis=1)
    back = np.concatenate([[0.0], np.cumsum(seg[::-1])])  # distance from the end, backwards
    if len(pts) >= 2 and back[-1] >= END_CHORD_MM:
        k = int(np.searchsorted(back, END_CHORD_MM))
        chord = pts[-1] - pts[len(pts) - 1 - k]
    else:
        centred = points - points.mean(0)
        axis = np.linalg.eigh(centred.T @ centred)[1][:, -1]
        outward = pts[-1] - points.mean(0) if len(pts) >= 2 else line.tangents[end]
        chord = axis if float(axis @ outward) >= 0 else -axis
    return np.asarray(chord / max(float(np.linalg.norm(chord)), 1e-9))


def tips(
    points: npt.NDArray[np.float64], line: Centerline
) -> list[tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]]:
    """Both ends of a candidate as (tip, outward unit direction, :func:`_end_direction`):
    the centerline's end points pushed out along it to the farthest voxel centre."""
    out = []
    for k, end in ((0, line.points[0]), (-1, line.points[-1])):
        t = _end_direction(line, k, points)
        out.append((end + t * max(0.0, float(((points - end) @ t).max())), t))
    return out


def disc_offsets(t: npt.NDArray[np.float64], radius_mm: float) -> npt.NDArray[np.float64]:
    """Offsets (n, 3) of a sampling disc of ``radius_mm`` perpendicular to unit ``t``."""
    a, b = perpendicular(t)
    return np.asarray(radius_mm * (_DISC[:, :1] * a + _DISC[:, 1:] * b))


def clot_end_mm(
    tip: npt.NDArray[np.float64],
    t: npt.NDArray[np.float64],
    radius_mm: float,
    cta: Volume,
    ncct: Volume,
    reg: RegistrationResult,
    *,
    limit_mm: float = MARCH_MM,
) -> float:
    """How far the clot of mean radius ``radius_mm`` goes on along ``t`` from ``tip`` (mm).

    In ``MARCH_STEP_MM`` steps up to ``limit_mm``, to the first disc (0.7 x the radius, at
    least 1 mm) whose mean NCCT is below ``CLOT_NCCT_HU`` or that is mostly opacified, or
    whose surroundings - a ring ``RING_GAP_MM`` outside the clot's radius - are as dense:
    blood in a cistern, not a clot in its vessel. A candidate that covers part of a clot
    ends inside it; the lumen lies beyond the rest of the clot, not beyond the candidate."""
    steps = np.arange(0.0, limit_mm + 1e-9, MARCH_STEP_MM)
    disc = disc_offsets(t, max(1.0, 0.7 * radius_mm))
    a, b = perpendicular(t)
    angles = np.linspace(0.0, 2 * np.pi, 12, endpoint=False)
    ring = (radius_mm + RING_GAP_MM) * (np.cos(angles)[:, None] * a + np.sin(angles)[:, None] * b)
    centres = tip + steps[:, None] * t
    pts = (centres[:, None] + disc[None]).reshape(-1, 3)
    n = sample_registered(ncct, pts, reg).reshape(len(steps), -1)
    lumen = opacified(pts, cta, ncct, reg).reshape(len(steps), -1)
    around = sample_registered(ncct, (centres[:, None] + ring[None]).reshape(-1, 3), reg)
    pooled = around.reshape(len(steps), -1).mean(1) >= CLOT_NCCT_HU
    clot = (n.mean(1) >= CLOT_NCCT_HU) & (lumen.mean(1) < 0.5) & ~pooled
    return float(steps[int(np.argmin(clot))] if not clot.all() else steps[-1])


def inline_lumen(
    points: npt.NDArray[np.float64],
    line: Centerline,
    radius_mm: float,
    cta: Volume,
    ncct: Volume,
    reg: RegistrationResult,
) -> float:
    """Opacified fraction of the cylinder beyond the better end of the clot the candidate
    lies in (:func:`clot_end_mm`)."""
    r = max(1.0, 0.7 * radius_mm)
    best = 0.0
    for tip, t in tips(points, line):
        disc = disc_offsets(t, r)
        start = tip + clot_end_mm(tip, t, radius_mm, cta, ncct, reg) * t
        samples = (start + _CAP_DEPTHS_MM[:, None, None] * t + disc[None]).reshape(-1, 3)
        best = max(best, float(opacified(samples, cta, ncct, reg).mean()))
    return best


def _near_lumen(
    points: npt.NDArray[np.float64], cta: Volume, ncct: Volume, reg: RegistrationResult
) -> float:
    hit = np.zeros(len(points), dtype=bool)
    for offset in _NEAR_OFFSETS:
        hit |= opacified(points + offset, cta, ncct, reg)
    return float(hit.mean())


def vessel_evidence(
    points: npt.NDArray[np.float64],
    line: Centerline,
    volume_mm3: float,
    plane: Plane,
    cta: Volume,
    ncct: Volume,
    reg: RegistrationResult,
) -> VesselEvidence:
    """Both signs for a candidate: its voxel centres ``points`` (n, 3 LPS) and centerline."""
    radius = mean_radius_mm(volume_mm3, line)
    sub = points[:: max(1, len(points) // MAX_SAMPLED_VOXELS)]
    return VesselEvidence(
        inline_lumen=round(inline_lumen(points, line, radius, cta, ncct, reg), 3),
        own_lumen=round(_near_lumen(sub, cta, ncct, reg), 3),
        mirrored_lumen=round(_near_lumen(plane.mirror(sub), cta, ncct, reg), 3),
    )
