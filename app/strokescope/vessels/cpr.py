"""Straightened curved planar reformat (CPR) along an artery of the labelled tree.

The one image that shows a clot whole: the artery from its root through the segment the
clot lies on and on into its first branch, straightened so that its centerline runs along
the image's middle row; the columns are the arc length (mm), the rows the distance from
the centerline (mm) along a normal carried along the curve by parallel transport (it turns
with the artery but never spins about it), so the lumen, the clot's filling defect and the
distal filling read left to right. Sampled trilinearly every ``STEP_MM``; the points are
laid out once (:class:`Reformat`) and read from the CTA, the clot mask and, through the
registration, the NCCT in its own space. Qt-free.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

import numpy as np
import numpy.typing as npt

from strokescope.preprocess.registration import move_points, trilinear
from strokescope.vessels.paths import arc_mm
from strokescope.vessels.result import ArterialTree, ArterySegment
from strokescope.volume import Geometry

F64 = npt.NDArray[np.float64]
F32 = npt.NDArray[np.float32]
STEP_MM = 0.5
HALF_WIDTH_MM = 10.0


@dataclass(frozen=True, eq=False)
class Reformat:
    """Where a straightened CPR samples, computed once and read from any image."""

    points_lps: F64
    """(rows, columns, 3) LPS mm: rows -half width .. +half width from the centerline,
    columns along the artery."""
    along_mm: F64
    """Arc length of each column from the path's start."""
    title: str = ""
    """The segments it runs through, e.g. "left ICA infraclinoid - ... - M2 superior"."""

    def sample(
        self,
        array: npt.NDArray[np.generic],
        geometry: Geometry,
        *,
        moved: F64 | None = None,
        default: float = -1024.0,
    ) -> npt.NDArray[np.float32]:
        """``array`` (on ``geometry``) trilinearly at the points, (rows, columns); ``moved``
        (4 x 4, LPS) first carries the points into ``array``'s space (the NCCT through
        the registration's ``cta_to_ncct``)."""
        p = self.points_lps.reshape(-1, 3)
        if moved is not None:
            p = move_points(moved, p)
        # trilinear reads any numeric array: a clot mask is sampled as it is, not copied
        values = trilinear(cast(F32, array), geometry.lps_to_index(p), default=default)
        return values.reshape(self.points_lps.shape[:2])


def artery_path(tree: ArterialTree, segment: ArterySegment) -> list[ArterySegment]:
    """``segment`` with its parents back to the root, then its first child (the distal
    filling), in order from the root."""
    index = {id(s): k for k, s in enumerate(tree.segments)}
    parent = {child: par for par, child in tree.edges}
    k = index[id(segment)]
    chain = [k]
    while chain[-1] in parent and parent[chain[-1]] not in chain:
        chain.append(parent[chain[-1]])
    chain.reverse()
    children = [c for p, c in tree.edges if p == k and c not in chain]
    if children:
        chain.append(children[0])
    return [tree.segments[c] for c in chain]


def resample_path(points: F64, step_mm: float = STEP_MM) -> F64:
    """``points`` (n, 3) resampled every ``step_mm`` along their arc (duplicates dropped)."""
    keep = np.concatenate([[True], np.linalg.norm(np.diff(points, axis=0), axis=1) > 1e-6])
    pts = points[keep]
    s = arc_mm(pts)
    if len(pts) < 2 or s[-1] <= 0:
        return pts
    where = np.arange(0.0, s[-1] + 1e-9, step_mm)
    return np.stack([np.interp(where, s, pts[:, a]) for a in range(3)], axis=1)


def _normals(pts: F64) -> F64:
    """A unit normal per point, carried along by parallel transport."""
    tangent = np.gradient(pts, axis=0)
    tangent /= np.maximum(np.linalg.norm(tangent, axis=1, keepdims=True), 1e-9)
    axis = np.eye(3)[int(np.argmin(np.abs(tangent[0])))]
    n = np.cross(tangent[0], axis)
    out = np.empty_like(pts)
    for k, t in enumerate(tangent):
        n = n - np.dot(n, t) * t
        n /= max(float(np.linalg.norm(n)), 1e-9)
        out[k] = n
    return out


def straighten(
    path_lps: F64,
    *,
    half_width_mm: float = HALF_WIDTH_MM,
    step_mm: float = STEP_MM,
    title: str = "",
) -> Reformat:
    """The straightened CPR along ``path_lps`` (n, 3), empty when the path has no length."""
    pts = resample_path(np.asarray(path_lps, dtype=float), step_mm)
    if len(pts) < 2:
        return Reformat(np.zeros((0, 0, 3)), np.zeros(0), title)
    offsets = np.arange(-half_width_mm, half_width_mm + 1e-9, step_mm)
    grid = pts[None, :, :] + offsets[:, None, None] * _normals(pts)[None, :, :]
    return Reformat(grid, arc_mm(pts), title)


def reformat(tree: ArterialTree, segment: ArterySegment) -> Reformat:
    """The CPR along ``segment``'s artery (:func:`artery_path`)."""
    chain = artery_path(tree, segment)
    title = f"{segment.side} " + " - ".join(s.label for s in chain)
    return straighten(np.concatenate([s.points for s in chain]), title=title)
