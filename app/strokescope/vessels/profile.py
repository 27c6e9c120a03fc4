"""Contrast profile along a traced segment and its opacification status.

Each centerline point (resampled every ``STEP_MM``) gets the CTA HU, the enhancement
(CTA - registered NCCT) and whether contrast fills the lumen there: the rule of
:func:`strokescope.thrombus.vessel_evidence.opacified` at the point or at any of six
neighbours ``NEAR_MM`` away (a centerline off the axis of a thin artery still counts).
Status:

* **not opacified**: a run of non-opacified points at least ``MIN_RUN_MM`` long (a clot
  fills the lumen; a single calcified or partial-volume point does not), counted in
  points (:func:`long_runs`);
* **reduced**: opacified, but the median enhancement is below ``REDUCED_FRACTION`` of the
  reference (the same segment on the other side, when it enhances more): slow or
  collateral filling beyond an occlusion, read as an asymmetry so that a thin artery's
  partial volume does not count;
* **opacified** otherwise.
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
from strokescope.thrombus.vessel_evidence import opacified
from strokescope.vessels.paths import arc_mm
from strokescope.vessels.result import NOT_OPACIFIED, OPACIFIED, REDUCED, Profile
from strokescope.volume import Volume

STEP_MM = 0.5
NEAR_MM = 0.7
MIN_RUN_MM = 3.0
MIN_RUN_POINTS = round(MIN_RUN_MM / STEP_MM)
"""A run of this many points is ``MIN_RUN_MM`` long: the points lie ``STEP_MM`` apart, or a
little less where a segment's length is not a multiple of it (a run's span measured from
its distances then falls just short of the edge: 800016's six points spanned 2.98 mm)."""
REDUCED_FRACTION = 0.6
_OFFSETS = NEAR_MM * np.vstack([np.zeros(3), np.eye(3), -np.eye(3)])

F64 = npt.NDArray[np.float64]


def resample(points: F64, step: float = STEP_MM) -> F64:
    """The polyline ``points`` (n, 3 mm) resampled every ``step`` mm (ends kept)."""
    s = arc_mm(points)
    if len(points) < 2 or s[-1] <= 0:
        return points.copy()
    q = np.linspace(0.0, s[-1], max(2, int(np.ceil(s[-1] / step)) + 1))
    return np.stack([np.interp(q, s, points[:, a]) for a in range(3)], axis=1)


def profile(
    points: F64, start_mm: float, reference: str, cta: Volume, ncct: Volume, reg: RegistrationResult
) -> Profile:
    """Profile of the centerline ``points`` whose first point lies ``start_mm`` from the
    reference point along the tree (see :class:`~strokescope.vessels.result.Profile`)."""
    c = trilinear(cta.array, cta.geometry.lps_to_index(points), default=AIR_HU)
    n = sample_registered(ncct, points, reg)
    near = np.zeros(len(points), dtype=bool)
    for offset in _OFFSETS:
        near |= opacified(points + offset, cta, ncct, reg)
    return Profile(reference, start_mm + arc_mm(points), c, (c - n).astype(np.float32), near)


def unfilled_runs(p: Profile) -> list[tuple[int, int]]:
    """First and last point index of each run of non-opacified points of ``p``, in order."""
    off = np.concatenate([[False], ~p.opacified, [False]]).astype(int)
    starts = np.flatnonzero(np.diff(off) == 1)
    ends = np.flatnonzero(np.diff(off) == -1) - 1
    return [(int(a), int(b)) for a, b in zip(starts, ends, strict=True)]


def long_runs(p: Profile) -> list[tuple[int, int]]:
    """The runs of :func:`unfilled_runs` at least ``MIN_RUN_MM`` long (``MIN_RUN_POINTS``
    points or more)."""
    return [(a, b) for a, b in unfilled_runs(p) if b - a + 1 >= MIN_RUN_POINTS]


def status(p: Profile, reference_hu: float) -> tuple[str, float | None]:
    """Status of a profile and where its column drops (see the module docstring)."""
    if len(p.opacified) == 0:
        return NOT_OPACIFIED, None
    runs = long_runs(p)
    if runs:
        return NOT_OPACIFIED, float(p.distance_mm[runs[0][0]])
    if float(np.median(p.enhancement_hu)) < REDUCED_FRACTION * reference_hu:
        return REDUCED, None
    return OPACIFIED, None
