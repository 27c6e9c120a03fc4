"""The arterial tree drawn as a mask on the CTA grid, for the viewer's overlay.

Each labelled segment's centerline, every point widened to its lumen radius (at least one
voxel), on the grid of the thrombus result's mask (the CTA). Qt-free.
"""

from __future__ import annotations

import numpy as np

from strokescope.thrombus.result import ThrombusResult
from strokescope.volume import Mask

MIN_RADIUS_MM = 0.6
"""Drawn radius of a centerline point whose lumen radius is smaller (visible at 0.5 mm)."""


def tree_mask(result: ThrombusResult | None) -> Mask | None:
    """The tree of ``result`` as a mask on its CTA grid; ``None`` without a tree."""
    if result is None or result.arteries is None:
        return None
    g = result.mask.geometry
    out = np.zeros(g.shape, bool)
    shape = np.asarray(g.shape)
    spacing = np.asarray(g.spacing, dtype=float)  # (z, y, x) mm
    for seg in result.arteries.tree.segments:
        if len(seg.points) == 0:
            continue
        idx = np.asarray(g.lps_to_index(seg.points))
        radius = np.maximum(np.asarray(seg.radius_mm, dtype=float), MIN_RADIUS_MM)
        for centre, r in zip(idx, radius, strict=True):
            half = np.ceil(r / spacing).astype(int)
            lo = np.maximum(np.round(centre).astype(int) - half, 0)
            hi = np.minimum(np.round(centre).astype(int) + half + 1, shape)
            if np.any(hi <= lo):
                continue
            axes = [np.arange(a, b) for a, b in zip(lo, hi, strict=True)]
            kk, jj, ii = np.meshgrid(*axes, indexing="ij")
            d2 = sum(((c - centre[n]) * spacing[n]) ** 2 for n, c in enumerate((kk, jj, ii)))
            out[lo[0] : hi[0], lo[1] : hi[1], lo[2] : hi[2]] |= d2 <= r * r
    return Mask(out, g, "arteries")
