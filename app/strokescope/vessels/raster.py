"""The arterial tree drawn on the CTA grid: one code per TopCoW class, coloured by
:data:`strokescope.colors.SEGMENT_COLORS`, for the viewer's overlay, and the whole tree as
one mask for the SEG's "Arterial tree" segment.

Each labelled segment's centerline, every point widened to its lumen radius (at least one
voxel), on the grid of the thrombus result's mask (the CTA); where two segments meet, the
later in the tree's order is drawn. Qt-free.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from strokescope.colors import RGB, SEGMENT_COLORS
from strokescope.thrombus.result import ThrombusResult
from strokescope.volume import Geometry, Mask

MIN_RADIUS_MM = 0.6
"""Drawn radius of a centerline point whose lumen radius is smaller (visible at 0.5 mm)."""
CLASSES = tuple(SEGMENT_COLORS)
"""Code ``n`` (1-based) of the drawn array is the TopCoW class ``CLASSES[n - 1]``."""


@dataclass(frozen=True, eq=False)
class TreeLabels:
    """The drawn tree: ``array`` (z, y, x) holds 0 outside, else a class code."""

    array: npt.NDArray[np.uint8]
    geometry: Geometry

    @property
    def palette(self) -> dict[int, RGB]:
        """Colour of each code."""
        return {n: SEGMENT_COLORS[c] for n, c in enumerate(CLASSES, start=1)}


def _paint(
    out: npt.NDArray[np.uint8],
    code: int,
    idx: npt.NDArray,
    radius: npt.NDArray,
    spacing: npt.NDArray,
) -> None:
    shape = np.asarray(out.shape)
    for centre, r in zip(idx, radius, strict=True):
        half = np.ceil(r / spacing).astype(int)
        lo = np.maximum(np.round(centre).astype(int) - half, 0)
        hi = np.minimum(np.round(centre).astype(int) + half + 1, shape)
        if np.any(hi <= lo):
            continue
        axes = [np.arange(a, b) for a, b in zip(lo, hi, strict=True)]
        kk, jj, ii = np.meshgrid(*axes, indexing="ij")
        d2 = sum(((c - centre[n]) * spacing[n]) ** 2 for n, c in enumerate((kk, jj, ii)))
        block = out[lo[0] : hi[0], lo[1] : hi[1], lo[2] : hi[2]]
        block[d2 <= r * r] = code


def tree_labels(result: ThrombusResult | None) -> TreeLabels | None:
    """The tree of ``result`` drawn on its CTA grid; ``None`` without a tree."""
    if result is None or result.arteries is None:
        return None
    g = result.mask.geometry
    out = np.zeros(g.shape, np.uint8)
    spacing = np.asarray(g.spacing, dtype=float)  # (z, y, x) mm
    for seg in result.arteries.tree.segments:
        if len(seg.points) == 0 or seg.topcow_class not in CLASSES:
            continue
        idx = np.asarray(g.lps_to_index(seg.points))
        radius = np.maximum(np.asarray(seg.radius_mm, dtype=float), MIN_RADIUS_MM)
        _paint(out, CLASSES.index(seg.topcow_class) + 1, idx, radius, spacing)
    return TreeLabels(out, g)


def tree_mask(result: ThrombusResult | None) -> Mask | None:
    """Every drawn segment of the tree of ``result`` as one mask on its CTA grid (the SEG's
    "Arterial tree" segment); ``None`` without a tree or when nothing of it was drawn."""
    labels = tree_labels(result)
    if labels is None or not labels.array.any():
        return None
    return Mask(labels.array > 0, labels.geometry, "arteries")
