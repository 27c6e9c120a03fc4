"""One click on the bleed proposes an ROI the user can then adjust (dragging is the fallback).

From the clicked voxel (or the nearest 50-80 HU voxel within ``search_mm`` on that slice),
the 50-80 HU brain voxels of the prepared image are grown as one connected region (after a
small in-plane closing that bridges heterogeneous HI2 blood) inside a box of ``radius_mm``
around the click. The ROI is that region's bounding box over its slices, widened in-plane by
``margin_mm``. The click travels with the ROI as its ``seed`` (the lesion kept inside it).
"""

from __future__ import annotations

import math

import numpy as np
import SimpleITK as sitk

from strokescope.errors import InputError
from strokescope.hemorrhage.prepare import PreparedStudy
from strokescope.hemorrhage.roi import Roi
from strokescope.hemorrhage.rules import INITIAL_WINDOW_HU
from strokescope.io.sitk_convert import mask_to_sitk
from strokescope.preprocess.morphology import components
from strokescope.volume import Geometry, Mask


def _check(name: str, value: float, lo: float, hi: float) -> None:
    if not lo <= value <= hi:
        raise InputError(f"propose_roi {name} must be in {lo}..{hi} mm, got {value}")


def propose_roi(
    study: PreparedStudy,
    point: tuple[int, int, int],
    *,
    radius_mm: float = 40.0,
    margin_mm: float = 5.0,
    search_mm: float = 5.0,
    bridge_vox: int = 2,
) -> Roi:
    """Propose an ROI around a clicked voxel ``point = (k, j, i)``.

    Raises
    ------
    InputError
        If the click is outside the image or the brain, or no 50-80 HU voxel is near it.
    """
    _check("radius_mm", radius_mm, 5.0, 150.0)
    _check("margin_mm", margin_mm, 0.0, 50.0)
    _check("search_mm", search_mm, 0.0, 30.0)
    g = study.geometry
    if not all(0 <= p < n for p, n in zip(point, g.shape, strict=True)):
        raise InputError(f"click {point} is outside the image {g.shape}")
    if not study.brain.array[point]:
        raise InputError(f"click {point} is outside the brain")
    reach = [max(1, math.ceil(radius_mm / sp)) for sp in g.spacing]
    lo = [max(p - r, 0) for p, r in zip(point, reach, strict=True)]
    hi = [min(p + r + 1, n) for p, r, n in zip(point, reach, g.shape, strict=True)]
    sl = tuple(slice(a, b) for a, b in zip(lo, hi, strict=True))
    f = study.filtered[sl]
    cand = study.brain.array[sl] & (f >= INITIAL_WINDOW_HU[0]) & (f <= INITIAL_WINDOW_HU[1])
    geom = Geometry(cand.shape, g.spacing)
    image = mask_to_sitk(Mask(cand, geom))
    if bridge_vox > 0:
        image = sitk.BinaryMorphologicalClosing(image, [bridge_vox, bridge_vox, 0])
    cand = sitk.GetArrayFromImage(image) > 0
    seed = tuple(p - a for p, a in zip(point, lo, strict=True))
    if not cand[seed]:
        rows, cols = np.nonzero(cand[seed[0]])
        d2 = ((rows - seed[1]) * g.spacing[1]) ** 2 + ((cols - seed[2]) * g.spacing[2]) ** 2
        if d2.size == 0 or d2.min() > search_mm**2:
            raise InputError(
                f"click {point}: no 50-80 HU voxel within {search_mm:g} mm; drag a box instead"
            )
        best = int(np.argmin(d2))
        seed = (seed[0], int(rows[best]), int(cols[best]))
    labels, _ = components(cand)
    region = labels == labels[seed]
    zs, ys, xs = (np.flatnonzero(region.any(axis=other)) for other in ((1, 2), (0, 2), (0, 1)))
    my = math.ceil(margin_mm / g.spacing[1])
    mx = math.ceil(margin_mm / g.spacing[2])
    return Roi(
        z=(lo[0] + int(zs[0]), lo[0] + int(zs[-1])),
        y=(max(lo[1] + int(ys[0]) - my, 0), min(lo[1] + int(ys[-1]) + my, g.shape[1] - 1)),
        x=(max(lo[2] + int(xs[0]) - mx, 0), min(lo[2] + int(xs[-1]) + mx, g.shape[2] - 1)),
        seed=point,
    )
