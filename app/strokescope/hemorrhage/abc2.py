"""ABC/2 (Kothari et al., Stroke 1996;27:1304) from a segmentation, beside the voxel volume.

Measured on the main lesion only: the 3-D connected lesion (:mod:`.lesion`) that contains a
given point, else the largest one, so scattered voxels elsewhere cannot stretch C.

- A: the longest diameter on the axial slice where the lesion's area is largest;
- B: the lesion's extent perpendicular to A on that slice;
- C: the slice spacing times a weighted slice count. Each slice of the lesion counts 1 when
  its area is more than 75 % of the largest slice's area, 0.5 when it is 25 % to 75 %
  (both ends included) and 0 below 25 % (Kothari's rule, which the paper gives as
  "approximately" 75 % and 25 %).

Volume = A x B x C / 2. Kothari's weighting counts the tapering ends of a bleed only partly,
so a perfect ellipsoid of semi-axes a, b, c cut into thin slices gets C = 1.37 c instead of
its height 2 c and ABC/2 = 0.65 of its volume; coarse slices and irregular bleeds push the
estimate up. Diameters are caliper widths over 180 directions in 1 degree steps
between pixel centres, plus one pixel's width in that direction (pixels counted as ellipses
of the pixel size), so a single pixel measures one pixel across in every direction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from strokescope.hemorrhage.lesion import DEFAULT_BRIDGE_MM, Point, main_lesion
from strokescope.volume import Mask

_ANGLES = np.deg2rad(np.arange(180.0))
FULL_SLICE_FRACTION = 0.75
"""A slice whose area is above this fraction of the largest counts 1 towards C."""
HALF_SLICE_FRACTION = 0.25
"""A slice whose area is at least this fraction (up to 75 %) counts 0.5."""


@dataclass(frozen=True)
class Abc2:
    """ABC/2 estimate of the main lesion; lengths in mm, volumes in mL."""

    a_mm: float
    b_mm: float
    c_mm: float
    slice_index: int
    """The slice of largest lesion area, where A and B were measured."""
    slice_count: float
    """Kothari's weighted slice count (1, 0.5 or 0 per slice); ``c_mm`` = this x spacing."""
    volume_ml: float
    lesion_ml: float
    """Voxel volume of the lesion measured (the main connected lesion, not the whole mask)."""


def slice_weights(areas: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Kothari's weight of each slice (1, 0.5 or 0) from its area (any unit)."""
    a = np.asarray(areas, dtype=np.float64)
    if a.size == 0 or a.max() <= 0:
        return np.zeros(a.shape)
    frac = a / a.max()
    return np.where(
        frac > FULL_SLICE_FRACTION, 1.0, np.where(frac >= HALF_SLICE_FRACTION, 0.5, 0.0)
    )


def abc2(
    mask: Mask, *, point: Point | None = None, bridge_mm: float = DEFAULT_BRIDGE_MM
) -> Abc2 | None:
    """ABC/2 of the main lesion of ``mask`` (None if empty).

    Parameters
    ----------
    mask
        The segmentation, (z, y, x); in-plane distances use the row/column spacing.
    point
        A voxel (k, j, i) on the lesion meant (a click, an ROI centre); without it the
        largest lesion is measured.
    bridge_mm
        In-plane gap still counted as one lesion (see :mod:`strokescope.hemorrhage.lesion`).
    """
    if not mask.array.any():
        return None
    sz, sy, sx = mask.geometry.spacing
    lesion = main_lesion(mask.array, mask.geometry.spacing, point=point, bridge_mm=bridge_mm)
    counts = lesion.reshape(lesion.shape[0], -1).sum(axis=1)
    k = int(np.argmax(counts))
    rows, cols = np.nonzero(lesion[k])
    y = rows * sy
    x = cols * sx
    cos, sin = np.cos(_ANGLES), np.sin(_ANGLES)
    proj = np.outer(x, cos) + np.outer(y, sin)  # (pixels, angles)
    footprint = np.hypot(cos * sx, sin * sy)
    width = proj.max(axis=0) - proj.min(axis=0) + footprint
    best = int(np.argmax(width))
    perp = (best + 90) % 180
    a_mm, b_mm = float(width[best]), float(width[perp])
    weighted = float(slice_weights(counts).sum())
    c_mm = weighted * sz
    lesion_ml = float(counts.sum()) * mask.geometry.voxel_volume_mm3 / 1000.0
    volume = a_mm * b_mm * c_mm / 2.0 / 1000.0
    return Abc2(a_mm, b_mm, c_mm, k, weighted, volume, lesion_ml)
