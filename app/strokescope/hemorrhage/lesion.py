"""The lesion a reader means: 3-D connected components of a segment, and the one at a point.

Arrays are (z, y, x). Components are 26-connected in 3-D (voxels touching by a face, an edge
or a corner). Pieces of one bleed that thresholding split apart (patchy HI2 blood) count as
one lesion when the in-plane gap between them is at most ``bridge_mm``: components are taken
of the mask dilated in-plane by half that gap (a Euclidean distance map in mm), then cut back
to the mask. The lesion at a point is the component that contains it, else the nearest one
(smallest distance in mm from the point to a voxel centre); a tie goes to the larger one.

:func:`keep_lesion` keeps the lesion at a click or ROI centre and drops the rest (stray
voxels along the inner skull and skull base); :func:`main_lesion` picks the lesion that
ABC/2 measures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import SimpleITK as sitk

from strokescope.preprocess.morphology import bounding_box, components

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
Point = tuple[int, int, int]

_NO_Z_MM = 1.0e6
DEFAULT_BRIDGE_MM = 8.0
"""Default in-plane gap bridged between pieces of one lesion (mm)."""


@dataclass(frozen=True, eq=False)
class KeptLesion:
    """A segment reduced to one lesion, and what was dropped."""

    mask: BoolArray
    dropped_voxels: int
    dropped_components: int


def lesion_labels(
    mask: BoolArray, spacing: tuple[float, float, float], *, bridge_mm: float = 0.0
) -> tuple[IntArray, int]:
    """Label the lesions of ``mask``: (labels 1..n on the mask, 0 elsewhere; n)."""
    found, n = components(mask)
    labels = found.astype(np.int64)
    if n <= 1 or bridge_mm <= 0:
        return labels, n
    # bridge on the mask's bounding box (plus the reach of the dilation) only
    pad = (0, *(math.ceil(bridge_mm / 2.0 / s) + 1 for s in spacing[1:]))
    box = bounding_box(mask, pad)
    sub = mask[box]
    image = sitk.GetImageFromArray(sub.astype(np.uint8))
    # in-plane Euclidean dilation: a huge slice spacing keeps distances within slices
    image.SetSpacing((spacing[2], spacing[1], _NO_Z_MM))
    dist = sitk.SignedMaurerDistanceMap(
        image, insideIsPositive=False, squaredDistance=False, useImageSpacing=True
    )
    grown = components(sitk.GetArrayFromImage(dist <= bridge_mm / 2.0).astype(bool))[0]
    grown[~sub] = 0
    labels = np.zeros(mask.shape, np.int64)
    labels[box] = grown
    return labels, int(grown.max())


def lesion_at(
    labels: IntArray,
    n: int,
    point: Point,
    spacing: tuple[float, float, float],
    *,
    in_plane_only: bool = False,
    min_fraction: float = 0.0,
) -> int:
    """Label of the lesion containing ``point`` (k, j, i), else the nearest one (0 if none).

    ``in_plane_only`` measures distances within the slice plane only (for an ROI over every
    slice, whose centre slice means nothing). Lesions smaller than ``min_fraction`` of the
    largest are not candidates (a speck next to an ROI centre is not what the box is on).
    """
    if n == 0:
        return 0
    idx = np.nonzero(labels)
    axes = (1, 2) if in_plane_only else (0, 1, 2)
    d2 = sum(((idx[a] - point[a]) * spacing[a]) ** 2 for a in axes)
    nearest = np.full(n + 1, np.inf)
    np.minimum.at(nearest, labels[idx], np.asarray(d2, dtype=np.float64))
    sizes = np.bincount(labels[idx], minlength=n + 1)
    nearest[sizes < min_fraction * sizes.max()] = np.inf
    nearest[0] = np.inf
    return int(np.lexsort((-sizes, np.round(nearest, 6)))[0])


def keep_lesion(
    mask: BoolArray,
    spacing: tuple[float, float, float],
    point: Point,
    *,
    bridge_mm: float = DEFAULT_BRIDGE_MM,
    in_plane_only: bool = False,
    min_fraction: float = 0.0,
) -> KeptLesion:
    """Keep the lesion of ``mask`` at ``point`` (see :func:`lesion_at`); drop the others."""
    labels, n = lesion_labels(mask, spacing, bridge_mm=bridge_mm)
    if n <= 1:
        return KeptLesion(mask, 0, 0)
    label = lesion_at(
        labels, n, point, spacing, in_plane_only=in_plane_only, min_fraction=min_fraction
    )
    kept = labels == label
    return KeptLesion(kept, int(np.count_nonzero(mask)) - int(np.count_nonzero(kept)), n - 1)


def main_lesion(
    mask: BoolArray,
    spacing: tuple[float, float, float],
    *,
    point: Point | None = None,
    bridge_mm: float = DEFAULT_BRIDGE_MM,
) -> BoolArray:
    """The lesion at ``point`` when given, else the largest lesion (empty if ``mask`` is)."""
    labels, n = lesion_labels(mask, spacing, bridge_mm=bridge_mm)
    if n <= 1:
        return mask
    if point is not None:
        return labels == lesion_at(labels, n, point, spacing)
    sizes = np.bincount(labels.ravel(), minlength=n + 1)
    sizes[0] = 0
    return labels == int(np.argmax(sizes))
