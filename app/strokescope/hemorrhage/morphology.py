"""In-plane binary morphology for ROI crops: closing with a disc and per-slice hole filling.

The closing reproduces SimpleITK ``BinaryMorphologicalClosing(image, [r, r, 0],
sitkBall, safeBorder=True)`` exactly: ITK's ball of radius ``r`` is the disc
``dy^2 + dx^2 <= (r + 0.5)^2`` (69 pixels for r = 4), and the safe border means the ROI edge
neither erodes nor dilates the segment. Done with shifted numpy ORs/ANDs it is about ten times
faster than the ITK filter on a small crop, which matters for the 100 ms per-ROI budget.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import numpy.typing as npt
import SimpleITK as sitk

from strokescope.io.sitk_convert import mask_to_sitk
from strokescope.volume import Geometry, Mask

BoolArray = npt.NDArray[np.bool_]


@cache
def disc_offsets(radius: int) -> tuple[tuple[int, int], ...]:
    """(dy, dx) offsets of ITK's ball of ``radius`` in 2-D: dy^2 + dx^2 <= (radius + 0.5)^2."""
    r = int(radius)
    yy, xx = np.mgrid[-r : r + 1, -r : r + 1]
    keep = yy**2 + xx**2 <= (r + 0.5) ** 2
    return tuple((int(dy), int(dx)) for dy, dx in zip(yy[keep], xx[keep], strict=True))


def close_in_plane(mask: BoolArray, radius: int) -> BoolArray:
    """Binary closing of each axial slice of ``mask`` (z, y, x) with a disc of ``radius``."""
    if radius <= 0 or not mask.any():
        return mask.copy()
    r = int(radius)
    n, h, w = mask.shape
    offsets = disc_offsets(r)
    # canvas with 2r of background around the crop: dilation may grow r into it
    src = np.zeros((n, h + 4 * r, w + 4 * r), bool)
    src[:, 2 * r : 2 * r + h, 2 * r : 2 * r + w] = mask
    dil = np.zeros((n, h + 2 * r, w + 2 * r), bool)
    for dy, dx in offsets:
        dil |= src[:, r + dy : r + dy + h + 2 * r, r + dx : r + dx + w + 2 * r]
    # erosion: beyond the dilated canvas counts as foreground (ITK's boundary condition)
    pad = np.ones((n, h + 4 * r, w + 4 * r), bool)
    pad[:, r : r + h + 2 * r, r : r + w + 2 * r] = dil
    out = np.ones((n, h, w), bool)
    for dy, dx in offsets:
        out &= pad[:, 2 * r + dy : 2 * r + dy + h, 2 * r + dx : 2 * r + dx + w]
    return out


def fill_holes_in_plane(mask: BoolArray) -> BoolArray:
    """Fill holes of each axial slice (background not connected to the slice edge).

    One 3-D SimpleITK call: all-foreground slices between the data slices stop background
    from connecting across slices, so only each slice's own edge counts as outside.
    """
    if not mask.any():
        return mask.copy()
    n, h, w = mask.shape
    stack = np.ones((2 * n + 1, h, w), bool)
    stack[1::2] = mask
    geom = Geometry((2 * n + 1, h, w), (1.0, 1.0, 1.0))
    filled = sitk.BinaryFillhole(mask_to_sitk(Mask(stack, geom)), False, 1)
    return sitk.GetArrayViewFromImage(filled)[1::2] > 0
