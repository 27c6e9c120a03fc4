"""A thrombus's outline moved out to its half-maximum NCCT boundary.

The networks put a clot's edge where the phantoms they were trained on put it. On scans
blurred or sampled otherwise they leave out its rim: on the second phantom family the
voxels they miss of the clots they find are the outer layer (median depth one voxel, CTA
34-51 HU: partial volume), and on the calibration phantoms too they fall 5-25 % short of
the true volume. Whatever the blur, a clot's edge lies where its NCCT falls halfway from
the clot's own HU to that of its surroundings (the half-maximum of an edge spread), so one
layer of neighbours at or above that level joins the clot: not opacified on CTA (lumen)
and not calcified. Where the clot does not stand out from its surroundings (blood round
it, an isodense clot) there is no edge to read and the outline stays as it is.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from strokescope.preprocess.index_box import ring_indices
from strokescope.preprocess.registration import RegistrationResult, sample_registered
from strokescope.thrombus import guardrails as gr
from strokescope.thrombus.candidate_features import shell_reading
from strokescope.thrombus.centerline import Centerline, centerline
from strokescope.thrombus.vessel_evidence import opacified_hu
from strokescope.volume import Volume

MAX_SPACING_MM = 1.0
"""The outline moves only on scans sampled at least this finely on every axis. On thicker
slices a clot 2-4 mm across is blurred over more than its width, so its half-maximum lies
outside it: on the calibration block's 2.5 mm heads a layer grown in 3-D lowered three of
four clots' Dice by 0.08-0.11, and one grown in-plane only still three by 0.03-0.08."""


def along_axis(points: npt.NDArray[np.float64], line: Centerline) -> npt.NDArray[np.float64]:
    """Position (mm) of each LPS point along ``line``: the arc length of its nearest
    centerline point plus its offset along that point's tangent."""
    arc = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(line.points, axis=0), axis=1))])
    near = np.argmin(((points[:, None, :] - line.points[None]) ** 2).sum(-1), axis=1)
    offset = ((points - line.points[near]) * line.tangents[near]).sum(-1)
    return np.asarray(arc[near] + offset)


def half_maximum_rim(
    index: npt.NDArray[np.int64],
    line: Centerline,
    cta: Volume,
    ncct: Volume,
    reg: RegistrationResult,
    min_contrast_hu: float,
) -> npt.NDArray[np.int64]:
    """``index`` (CTA grid) plus its neighbours beside its centerline ``line`` (within the
    clot's extent :func:`along_axis`) whose registered NCCT reaches halfway from the clot's
    median NCCT to that of its non-opacified 2 mm surroundings
    (:func:`strokescope.thrombus.candidate_features.shell_reading`), neither opacified nor
    calcified; ``index`` unchanged where the clot is less than ``min_contrast_hu`` above
    its surroundings or a scan is coarser than :data:`MAX_SPACING_MM`."""
    g = cta.geometry
    if max(*g.spacing, *ncct.geometry.spacing) > MAX_SPACING_MM:
        return index
    inside = g.index_to_lps(index.astype(float))
    core = float(np.median(sample_registered(ncct, inside, reg)))
    around = shell_reading(index, cta, ncct, reg).ncct_hu
    if around is None or core - around < min_contrast_hu:
        return index
    ring = ring_indices(index, (1, 1, 1), cta.shape)  # face and edge neighbours
    if not len(ring):
        return index
    extent = along_axis(inside, line)
    ring_lps = g.index_to_lps(ring.astype(float))
    at = along_axis(ring_lps, line)
    beside = (at >= extent.min()) & (at <= extent.max())
    ring = ring[beside]
    n_hu = sample_registered(ncct, ring_lps[beside], reg)
    c_hu = cta.array[tuple(ring.T)]
    take = (n_hu >= (core + around) / 2) & (n_hu < gr.CALCIFICATION_HU)
    take &= ~opacified_hu(c_hu, n_hu)
    return np.concatenate([index, ring[take]])


def outlined(
    index: npt.NDArray[np.int64],
    line: Centerline,
    ncct_hu: npt.NDArray[np.float32],
    cta: Volume,
    ncct: Volume,
    reg: RegistrationResult,
    min_contrast_hu: float,
) -> tuple[npt.NDArray[np.int64], Centerline, npt.NDArray[np.float32]]:
    """A kept thrombus's voxels at their :func:`half_maximum_rim`, with its centerline and
    registered NCCT (``ncct_hu`` at ``index``) read again where it grew."""
    grown = half_maximum_rim(index, line, cta, ncct, reg, min_contrast_hu)
    if len(grown) == len(index):
        return index, line, ncct_hu
    added = cta.geometry.index_to_lps(grown[len(index) :].astype(float))
    hu = np.concatenate([ncct_hu, sample_registered(ncct, added, reg)])
    return grown, centerline(grown, cta.geometry), hu
