"""Collateral filling beyond an anterior-circulation occlusion, from attenuation alone.

Tan et al. (2009) grade the collaterals of an MCA occlusion on CTA by how much of the
occluded MCA territory fills with contrast, against the other hemisphere: 0 absent,
1 > 0 and <= 50 %, 2 > 50 % and < 100 %, 3 100 %. Without a labelled arterial tree the
territory here is a box in the clot's hemisphere: from ``GAP_MM`` beyond the clot's most
lateral voxel out to ``LATERAL_MM`` from the midsagittal plane, ``AP_MM`` before and behind
the clot and from ``BELOW_MM`` below to ``ABOVE_MM`` above it - the sylvian and convexity
branches the clot cuts off - and its mirror image across the plane. Each side's filling is
its summed contrast, CTA minus the registered NCCT over the voxels with at least
``COLLATERAL_HU`` of it (NCCT below the calcification cut), so a faintly filled branch
counts for less than a normally filled one and bolus timing cancels in the ratio; bone and
calcium drop out. ``COLLATERAL_HU`` is lower than the opacified-lumen rule of
:mod:`strokescope.thrombus.vessel_evidence` (60 HU) because collateral filling is faint: on
the calibration block (``benchmarks/eval_collaterals.py``, family A seeds 830000+) arteries
filled to a fifth of normal gave ratios of 0.00-0.06 at 60 HU and 0.10-0.17 at 30 HU.
The *collateral ratio* is the affected side's filling over the other's
(capped at 1.5); :func:`collateral_grade` maps it onto Tan's grades with the cut-offs
``GRADE_CUTS``.

Only ICA and M1 clots on one side are graded: a posterior or midline clot has no MCA
territory to compare, and beyond an M2 clot the box also holds the patent M2 branches
(on quick family-A phantoms without any distal filling, M2 clots gave ratios of 0.9 and
1.5).
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
from strokescope.thrombus import guardrails as gr
from strokescope.thrombus.anatomy import Plane
from strokescope.volume import Volume

GAP_MM = 3.0
LATERAL_MM = 68.0
AP_MM = 45.0
BELOW_MM = 10.0
ABOVE_MM = 55.0
STEP_MM = 2.0
"""Sampling step of the boxes (trilinear): 2 mm gives the 1 mm ratios within 0.1 on the
calibration block (one case 0.35) in a tenth of the time (0.1 s against 1 s)."""
COLLATERAL_HU = 30.0
MAX_RATIO = 1.5
MIN_CONTRAST = 500.0
"""Summed contrast (HU x mm^3) the other side must show for a ratio: below it the box holds
no opacified artery to compare with (a field of view cut, no bolus)."""
GRADED_SEGMENTS = ("ICA", "M1")
GRADE_CUTS = (0.1, 0.5, 0.9)
"""Ratio cut-offs between grades 0|1, 1|2 and 2|3: Tan's "absent", "<= 50 %" and "100 %",
with 0.1 of room at both ends for noise and for arteries in the box that the clot does not
feed (deep perforators, the other circulations' branches)."""


def _axes(plane: Plane, sign: float) -> npt.NDArray[np.float64]:
    x = sign * np.asarray(plane.normal, dtype=float)
    z = np.array([0.0, 0.0, 1.0]) - x[2] * x
    z /= np.linalg.norm(z)
    return np.stack([x, np.cross(z, x), z])


def _filling(
    points: npt.NDArray[np.float64], cta: Volume, ncct: Volume, reg: RegistrationResult
) -> float:
    c = trilinear(cta.array, cta.geometry.lps_to_index(points), default=AIR_HU)
    n = sample_registered(ncct, points, reg)
    contrast = c - n
    filled = (contrast >= COLLATERAL_HU) & (n < gr.CALCIFICATION_HU)
    return float(contrast[filled].sum())


def collateral_ratio(
    points: npt.NDArray[np.float64],
    side: str,
    segment: str,
    plane: Plane,
    cta: Volume,
    ncct: Volume,
    reg: RegistrationResult,
) -> float | None:
    """Filling of the territory beyond a clot (voxel centres ``points``, LPS) over its
    mirror image (see the module); None when the clot is not an ICA or M1 clot on one
    side, or the other side shows no opacified artery there."""
    if side not in ("left", "right") or segment not in GRADED_SEGMENTS:
        return None
    sign = 1.0 if side == "left" else -1.0
    axes = _axes(plane, sign)
    foot = np.asarray(plane.point, dtype=float)
    head = (points - foot) @ axes.T  # lateral (towards the clot's side), posterior, up
    centre = head.mean(0)
    lateral = np.arange(max(float(head[:, 0].max()) + GAP_MM, GAP_MM), LATERAL_MM, STEP_MM)
    ap = np.arange(centre[1] - AP_MM, centre[1] + AP_MM + 1e-9, STEP_MM)
    up = np.arange(centre[2] - BELOW_MM, centre[2] + ABOVE_MM + 1e-9, STEP_MM)
    if len(lateral) == 0:
        return None
    grid = np.stack(np.meshgrid(lateral, ap, up, indexing="ij"), axis=-1).reshape(-1, 3)
    own = foot + grid @ axes
    other = plane.mirror(own)
    reference = _filling(other, cta, ncct, reg)
    if reference * STEP_MM**3 < MIN_CONTRAST:
        return None
    return round(min(_filling(own, cta, ncct, reg) / reference, MAX_RATIO), 3)


def collateral_grade(ratio: float) -> int:
    """Tan's grade (0-3) of a :func:`collateral_ratio` (cut-offs :data:`GRADE_CUTS`; a
    ratio on a cut-off takes the lower grade)."""
    return int(np.searchsorted(np.asarray(GRADE_CUTS), ratio, side="left"))
