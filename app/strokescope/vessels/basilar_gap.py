"""A second look at the basilar artery: stretches of its centerline that contrast does not fill.

The networks read a clot by its NCCT hyperdensity beside a CTA filling defect. A basilar
clot in a prepontine cistern full of subarachnoid blood is no denser than the blood round
it, and the shipped networks give it probability 0, even with the clot itself as the
coarse prior (development block 1000000-1000014, basilar clots with subarachnoid blood: 0
of 8 found; the same heads without the blood: 4 of 4 tried). A physician reads the CTA instead:
followed up from the vertebral arteries, the basilar artery is not opacified.

:func:`basilar_gaps` traces the basilar (:func:`strokescope.vessels.trace.trace_posterior`)
and reads its contrast profile (:mod:`strokescope.vessels.profile`); each non-opacified
stretch of at least ``GAP_MIN_MM`` that reaches within ``REACH_MM`` of the basilar tip and
lies within ``MIDLINE_MM`` of the midsagittal plane is a gap, returned with the CTA-grid
voxels that fill the lumen there: within ``LUMEN_RADIUS_MM`` of the centerline, not
opacified, NCCT in the clot range. The thrombus analysis reads each gap as a candidate
under the rules every candidate meets (:func:`strokescope.thrombus.analysis.analyze`). A
head whose basilar is not traced gives no gap: the second look never calls an occlusion on
a tree it could not follow, nor on a traced basilar shorter than ``BASILAR_MIN_MM``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from strokescope.preprocess.index_box import box_indices
from strokescope.preprocess.registration import RegistrationResult, sample_registered
from strokescope.thrombus import guardrails as gr
from strokescope.thrombus.anatomy import Plane
from strokescope.thrombus.vessel_evidence import opacified_hu
from strokescope.vessels.frame import find_roots
from strokescope.vessels.grid import build_grid
from strokescope.vessels.paths import arc_mm
from strokescope.vessels.profile import STEP_MM, profile, resample, unfilled_runs
from strokescope.vessels.trace import trace_posterior
from strokescope.volume import Volume

log = logging.getLogger(__name__)

BASILAR_MIN_MM = 25.0
"""Shortest traced basilar read: the adult basilar is 25-35 mm long and the traced path
runs on below it down a vertebral artery (56-152 mm on the development and calibration
heads but one, a P1 clot's 7 mm). A shorter shared stretch of the two posterior cerebral
paths is a shortcut, not the artery: across the skull base where kernels and motion leave
CTA bone beside NCCT air, or between the P1s."""
GAP_MIN_MM = 4.0
"""Shortest non-opacified stretch read as a gap (clots are 3-40 mm; the profile's own
status needs 3 mm)."""
REACH_MM = 40.0
"""A gap must come within this distance of the basilar tip along the artery: the basilar
is 25-35 mm long, and the traced path below it runs on down a vertebral artery."""
MIDLINE_MM = 10.0
"""A gap's median distance from the midsagittal plane must not exceed this: the basilar runs
in the midline (an ectatic one up to ~10 mm off it). Where the basilar is occluded, the
path from a root mistaken for a vertebral artery may reach the posterior cerebral arteries
through a carotid and a Pcom instead."""
LUMEN_RADIUS_MM = 1.75
"""Radius of the lumen a gap's voxels are taken within: the adult basilar is 3-4 mm wide.
The lumen's distance map along the traced path is no measure of it (median 0-0.5 mm on the
development heads: the path runs beside thin lumen and through the clot)."""
GAP_MIN_NCCT_HU = 40.0
"""Lowest NCCT HU of a gap voxel: acute clot is 40-90 HU, brainstem and CSF are below."""

SLAB_MM = 55.0
"""Half-width of the slab about the midsagittal plane the working grid is built on."""

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class BasilarGap:
    """One non-opacified stretch of the basilar: its distance below the basilar tip (mm,
    nearer end first) and the CTA voxels (n, 3 z, y, x) of the lumen there."""

    below_tip_mm: tuple[float, float]
    index: I64


def basilar_gaps(
    ncct: Volume, cta: Volume, reg: RegistrationResult, plane: Plane
) -> tuple[BasilarGap, ...]:
    """The gaps of the basilar artery of an NCCT + CTA pair (see the module); ``plane``:
    the midsagittal plane (LPS)."""
    grid = build_grid(ncct, _midline_slab(cta, plane), reg)
    traced = trace_posterior(grid, plane, find_roots(grid, plane))
    path = next((p for label, _, p in traced.paths if label == "BA"), None)
    if path is None:
        log.info("basilar second look: the basilar artery was not traced")
        return ()
    points = resample(grid.geometry.index_to_lps(path.astype(float)))
    length = float(arc_mm(points)[-1])
    if length < BASILAR_MIN_MM:
        log.info("basilar second look: the traced basilar is %.0f mm long, too short", length)
        return ()
    read = profile(points, -length, "basilar tip", cta, ncct, reg)
    gaps = []
    for a, b in unfilled_runs(read):
        far, near = float(read.distance_mm[a]), float(read.distance_mm[b])
        if near - far + STEP_MM < GAP_MIN_MM or near < -REACH_MM:
            continue
        if np.median(np.abs(plane.signed_distance(points[a : b + 1]))) > MIDLINE_MM:
            continue  # not the basilar: a path round it, through a carotid and a Pcom
        index = lumen_voxels(points[a : b + 1], LUMEN_RADIUS_MM, cta, ncct, reg)
        below = (abs(near), abs(far))  # distances run from -length to 0 at the tip
        log.info("basilar second look: unfilled %.0f-%.0f mm below the tip", *below)
        gaps.append(BasilarGap(below, index))
    return tuple(gaps)


def _midline_slab(cta: Volume, plane: Plane) -> Volume:
    """``cta`` cropped to the index box of the voxels within ``SLAB_MM`` of ``plane``: the
    carotids (10-40 mm from the midline), the vertebral arteries, the basilar and the P2
    regions lie in it, and the working grid costs half as much."""
    g = cta.geometry
    step = max(1, min(g.shape) // 16)
    lattice = np.stack(
        np.meshgrid(*(np.r_[np.arange(0, n, step), n - 1] for n in g.shape), indexing="ij"),
        axis=-1,
    ).reshape(-1, 3)
    inside = lattice[
        np.abs(plane.signed_distance(g.index_to_lps(lattice.astype(float)))) <= SLAB_MM
    ]
    if len(inside) == 0:
        return cta
    lo = np.maximum(inside.min(0) - step, 0)
    hi = np.minimum(inside.max(0) + step + 1, g.shape)
    box = tuple(slice(a, b) for a, b in zip(lo, hi, strict=True))
    return Volume(cta.array[box], g.crop(lo.tolist(), (hi - lo).tolist()))


def lumen_voxels(
    points: F64, radius_mm: float, cta: Volume, ncct: Volume, reg: RegistrationResult
) -> I64:
    """CTA-grid voxels within ``radius_mm`` of the centerline ``points`` (LPS mm) that are
    not opacified and whose registered NCCT lies in the clot range."""
    g = cta.geometry
    reach = radius_mm + max(g.spacing)
    bounds = g.index_bounds(np.concatenate([points - reach, points + reach]))
    if bounds is None:
        return np.zeros((0, 3), np.int64)
    vox = box_indices(*bounds)
    lps = g.index_to_lps(vox.astype(float))
    near = np.zeros(len(vox), dtype=bool)
    for p in points:  # points every STEP_MM: the nearest is within STEP_MM / 2 of the line
        near |= np.sum((lps - p) ** 2, axis=1) <= radius_mm**2
    vox, lps = vox[near], lps[near]
    c = cta.array[tuple(vox.T)]
    n = sample_registered(ncct, lps, reg)
    clot = (n >= GAP_MIN_NCCT_HU) & (n < gr.CALCIFICATION_HU) & ~opacified_hu(c, n)
    return vox[clot].astype(np.int64)
