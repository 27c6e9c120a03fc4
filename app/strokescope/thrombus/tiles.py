"""Tiles of the model grids: where the fine stage's patches go.

``tile_starts`` covers a box with overlapping patches (the sliding window);
``vessel_tiles`` picks the non-overlapping patches richest in opacified vessel, where the
scan network looks for clots the coarse stage missed.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from strokescope.thrombus import guardrails as gr
from strokescope.volume import Geometry

TILE_OVERLAP = 0.25


def tile_starts(
    lo: npt.ArrayLike, hi: npt.ArrayLike, size: Sequence[int], *, overlap: float = TILE_OVERLAP
) -> list[tuple[int, int, int]]:
    """Tile corners covering the inclusive box lo..hi (centred when one tile suffices)."""
    lo_a, hi_a = np.asarray(lo, dtype=np.int64), np.asarray(hi, dtype=np.int64)
    axes = []
    for a in range(3):
        extent = int(hi_a[a] - lo_a[a] + 1)
        if extent <= size[a]:
            axes.append([int(lo_a[a] - (size[a] - extent) // 2)])
            continue
        n = -(-(extent - size[a]) // max(1, int(size[a] * (1.0 - overlap)))) + 1
        step = (extent - size[a]) / (n - 1)
        axes.append([int(round(lo_a[a] + i * step)) for i in range(n)])
    return [(z, y, x) for z in axes[0] for y in axes[1] for x in axes[2]]


def vessel_tiles(
    fine_grid: Geometry,
    coarse_grid: Geometry,
    coarse_hu: npt.NDArray[np.float32],
    size: Sequence[int],
    min_voxels: int,
    max_tiles: int,
) -> list[tuple[int, int, int]]:
    """Non-overlapping fine-grid tiles whose footprint holds at least ``min_voxels``
    coarse voxels of enhancing vessel (CTA >= ``OPACIFIED_HU``, NCCT < ``CALCIFICATION_HU``),
    the ``max_tiles`` with most first: a thrombus sits in an artery, next to opacified
    lumen, and the large arteries lie where the lumen is densest (the cap bounds the time)."""
    vessel = (coarse_hu[1] >= gr.OPACIFIED_HU) & (coarse_hu[0] < gr.CALCIFICATION_HU)
    counts = np.cumsum(np.cumsum(np.cumsum(np.pad(vessel, ((1, 0),) * 3), 0), 1), 2)
    shape = np.asarray(coarse_grid.shape)
    found: list[tuple[int, tuple[int, int, int]]] = []
    for start in tile_starts(np.zeros(3), np.asarray(fine_grid.shape) - 1, size, overlap=0.0):
        corners = np.array([start, np.asarray(start) + np.asarray(size) - 1], dtype=float)
        c = coarse_grid.lps_to_index(fine_grid.index_to_lps(corners))
        lo = np.clip(np.floor(c.min(0)).astype(np.int64), 0, shape)
        hi = np.clip(np.ceil(c.max(0)).astype(np.int64) + 1, 0, shape)
        (a0, b0, c0), (a1, b1, c1) = lo, hi
        n = (
            counts[a1, b1, c1]
            - counts[a0, b1, c1]
            - counts[a1, b0, c1]
            - counts[a1, b1, c0]
            + counts[a0, b0, c1]
            + counts[a0, b1, c0]
            + counts[a1, b0, c0]
            - counts[a0, b0, c0]
        )
        if n >= min_voxels:
            found.append((int(n), start))
    found.sort(key=lambda item: -item[0])
    return [start for _, start in found[:max_tiles]]
