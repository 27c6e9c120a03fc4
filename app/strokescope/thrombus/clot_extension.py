"""Extend an under-segmented thrombus along its own axis through the rest of its clot.

Independent checks found true clots segmented at a third to an eighth of their
volume (an ICA clot 5 of 16 mm long): a network that stops inside a clot leaves hyperdense,
non-opacified clot beyond its ends, along the vessel. From each end of a component
(:func:`strokescope.thrombus.vessel_evidence.tips`) the clot is followed along the end
tangent as long as it lasts (:func:`strokescope.thrombus.vessel_evidence.clot_end_mm`, at
most ``max_mm``), and the voxels inside that cylinder (radius ``RADIUS_FACTOR`` x the
component's mean radius, at least ``MIN_RADIUS_MM``) that are clot on their own - registered
NCCT >= ``VOXEL_NCCT_HU``, CTA below the rules' patent-lumen limit, CTA minus NCCT below
their perviousness limit, NCCT below the calcification cut - join it where they connect to
it. Physics only, no network: the clot's HU, not the generator's look, decide.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from strokescope.preprocess.index_box import box_indices, mask_box
from strokescope.preprocess.morphology import components
from strokescope.preprocess.registration import RegistrationResult, sample_registered
from strokescope.thrombus import guardrails as gr
from strokescope.thrombus.centerline import Centerline, mean_radius_mm
from strokescope.thrombus.rules import Rules
from strokescope.thrombus.vessel_evidence import MARCH_STEP_MM, clot_end_mm, tips
from strokescope.volume import Volume

RADIUS_FACTOR = 1.2
MIN_RADIUS_MM = 1.0
VOXEL_NCCT_HU = 40.0
"""A voxel of acute clot (50-80 HU, docs/CLINICAL_VALUES.md) minus noise; parenchyma is 20-40 HU."""


def _cylinder_voxels(
    tip: npt.NDArray[np.float64],
    t: npt.NDArray[np.float64],
    length_mm: float,
    radius_mm: float,
    cta: Volume,
) -> npt.NDArray[np.int64]:
    """CTA-grid indices whose centres lie in the cylinder from ``tip`` along ``t``."""
    g = cta.geometry
    ends = np.array([tip, tip + length_mm * t])
    corners = np.concatenate([ends + radius_mm * s for s in np.vstack([np.eye(3), -np.eye(3)])])
    bounds = g.index_bounds(corners)
    if bounds is None:
        return np.zeros((0, 3), np.int64)
    grid = box_indices(*bounds)
    rel = g.index_to_lps(grid.astype(float)) - tip
    along = rel @ t
    across = np.linalg.norm(rel - along[:, None] * t, axis=1)
    inside = (along > 0.0) & (along <= length_mm) & (across <= radius_mm)
    return np.asarray(grid[inside])


def extend_along_axis(
    index: npt.NDArray[np.int64],
    line: Centerline,
    rules: Rules,
    cta: Volume,
    ncct: Volume,
    reg: RegistrationResult,
) -> npt.NDArray[np.int64]:
    """``index`` (a component's CTA-grid voxels, (n, 3)) with the rest of its clot added
    along both ends, at most ``rules.extend_along_axis_mm`` each (0: unchanged)."""
    max_mm = rules.extend_along_axis_mm
    if max_mm <= 0:
        return index
    g = cta.geometry
    points = g.index_to_lps(index.astype(float))
    volume = len(index) * g.voxel_volume_mm3
    radius = mean_radius_mm(volume, line)
    reach = max(MIN_RADIUS_MM, RADIUS_FACTOR * radius)
    added = []
    for tip, t in tips(points, line):
        # the clot ends between the last disc that was clot and the first that was not
        far = clot_end_mm(tip, t, radius, cta, ncct, reg, limit_mm=max_mm) - MARCH_STEP_MM / 2
        if far <= 0.0:
            continue
        cand = _cylinder_voxels(tip, t, far, reach, cta)
        if len(cand) == 0:
            continue
        n_hu = sample_registered(ncct, g.index_to_lps(cand.astype(float)), reg)
        c_hu = cta.array[tuple(cand.T)]
        clot = (
            (n_hu >= VOXEL_NCCT_HU)
            & (n_hu < gr.CALCIFICATION_HU)
            & (c_hu <= rules.max_cta_mean_hu)
            & (c_hu - n_hu <= rules.max_perviousness_hu)
        )
        added.append(cand[clot])
    if not added or not sum(len(a) for a in added):
        return index
    union = np.unique(np.concatenate([index, *added]), axis=0)
    lo, box = mask_box(union)
    labels, _ = components(box)
    keep = np.unique(labels[tuple((index - lo).T)])
    keep = keep[keep > 0]
    connected = np.isin(labels[tuple((union - lo).T)], keep)
    return np.asarray(union[connected])
