"""ABC/2 (Kothari 1996) computed from a segmentation, to report beside the volumetric value.

A is the longest diameter on the axial slice with the largest bleed area, B the extent
perpendicular to A on that slice, C the number of slices containing blood times the slice
spacing. Diameters are caliper widths over 180 directions in 1 degree steps between pixel
centres, plus one pixel's width in that direction (pixels counted as ellipses of the pixel
size), so a single pixel measures one pixel across in every direction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from strokescope.volume import Mask

_ANGLES = np.deg2rad(np.arange(180.0))


@dataclass(frozen=True)
class Abc2:
    """ABC/2 estimate; lengths in mm, volume in mL."""

    a_mm: float
    b_mm: float
    c_mm: float
    slice_index: int
    """The slice of largest area, where A and B were measured."""
    slice_count: int
    volume_ml: float


def abc2(mask: Mask) -> Abc2 | None:
    """ABC/2 of ``mask`` (None if empty). In-plane distances use the row/column spacing."""
    counts = mask.array.reshape(mask.array.shape[0], -1).sum(axis=1)
    if not counts.any():
        return None
    k = int(np.argmax(counts))
    rows, cols = np.nonzero(mask.array[k])
    sz, sy, sx = mask.geometry.spacing
    y = rows * sy
    x = cols * sx
    cos, sin = np.cos(_ANGLES), np.sin(_ANGLES)
    proj = np.outer(x, cos) + np.outer(y, sin)  # (pixels, angles)
    footprint = np.hypot(cos * sx, sin * sy)
    width = proj.max(axis=0) - proj.min(axis=0) + footprint
    best = int(np.argmax(width))
    perp = (best + 90) % 180
    a_mm, b_mm = float(width[best]), float(width[perp])
    n_slices = int(np.count_nonzero(counts))
    c_mm = n_slices * sz
    return Abc2(a_mm, b_mm, c_mm, k, n_slices, a_mm * b_mm * c_mm / 2.0 / 1000.0)
