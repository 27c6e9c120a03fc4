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
    deep: npt.NDArray[np.bool_] | None = None,
) -> list[tuple[int, int, int]]:
    """Non-overlapping fine-grid tiles whose footprint holds at least ``min_voxels``
    coarse voxels of enhancing vessel (CTA >= ``OPACIFIED_HU``, NCCT < ``CALCIFICATION_HU``),
    the ``max_tiles`` with most first: a thrombus sits in an artery, next to opacified
    lumen, and the large arteries lie where the lumen is densest (the cap bounds the time).

    With ``deep`` (coarse-grid voxels deep inside the brain's outline), the tiles are taken
    in turn from two rankings, each skipping what the other took: tiles with at least
    ``min_voxels`` such deep vessel voxels, most first, and all tiles as above. The densest
    lumen of a CTA is often the dural venous sinuses against the inner table, while the
    arteries where M1 and M2 clots lodge run deep in the cisterns and the sylvian fissure
    (and the clot's own tile holds less lumen than its mirror image); the basilar artery
    and the skull-base ICA lie against bone at the brain's edge, and keep their place in
    the second ranking."""
    vessel = (coarse_hu[1] >= gr.OPACIFIED_HU) & (coarse_hu[0] < gr.CALCIFICATION_HU)
    tiles = tile_starts(np.zeros(3), np.asarray(fine_grid.shape) - 1, size, overlap=0.0)

    def ranked(mask: npt.NDArray[np.bool_]) -> list[int]:
        """Tiles with >= ``min_voxels`` of ``mask``, most first (ties in tile order)."""
        counts = _tile_counts(mask, tiles, fine_grid, coarse_grid, size)
        return [k for _, k in sorted((-n, k) for k, n in enumerate(counts) if n >= min_voxels)]

    picked = ranked(vessel) if deep is None else _in_turn(ranked(vessel & deep), ranked(vessel))
    return [tiles[k] for k in picked[:max_tiles]]


def _in_turn(a: list[int], b: list[int]) -> list[int]:
    """Items of ``a`` and ``b`` taken in turn (``a`` first), each list passing over what
    the other already took; when one runs out the other goes on."""
    out: list[int] = []
    taken: set[int] = set()
    rest = [iter(a), iter(b)]
    turn = 0
    while rest:
        it = rest[turn % len(rest)]
        k = next((k for k in it if k not in taken), None)
        if k is None:
            rest.remove(it)
            continue
        out.append(k)
        taken.add(k)
        turn += 1
    return out


def _tile_counts(
    vessel: npt.NDArray[np.bool_],
    tiles: list[tuple[int, int, int]],
    fine_grid: Geometry,
    coarse_grid: Geometry,
    size: Sequence[int],
) -> list[int]:
    """The number of ``vessel`` voxels (coarse grid) in each fine-grid tile's footprint."""
    counts = np.cumsum(np.cumsum(np.cumsum(np.pad(vessel, ((1, 0),) * 3), 0), 1), 2)
    shape = np.asarray(coarse_grid.shape)
    out = []
    for start in tiles:
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
        out.append(int(n))
    return out
