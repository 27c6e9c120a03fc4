"""Voxel index lists (n, 3 z, y, x), the boxes that hold them and the masks they fill."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from strokescope.preprocess.morphology import dilate_ball

I64 = npt.NDArray[np.int64]


def mask_box(index: I64) -> tuple[I64, npt.NDArray[np.bool_]]:
    """The smallest box holding the voxels ``index``: its first index and the voxels as a
    mask of it."""
    lo = index.min(0)
    box = np.zeros(tuple(index.max(0) - lo + 1), dtype=bool)
    box[tuple((index - lo).T)] = True
    return lo, box


def box_indices(lo: npt.ArrayLike, hi: npt.ArrayLike) -> I64:
    """Every index of the half-open box ``lo:hi``, in C order (x fastest)."""
    axes = (np.arange(a, b) for a, b in zip(np.asarray(lo), np.asarray(hi), strict=True))
    return np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, 3).astype(np.int64)


def index_mask(index: list[I64], shape: tuple[int, ...]) -> npt.NDArray[np.bool_]:
    """The voxels of every index list in ``index`` as one mask of a grid of ``shape``."""
    out = np.zeros(shape, dtype=bool)
    out[tuple(np.concatenate(index or [np.zeros((0, 3), np.int64)]).T)] = True
    return out


def ring_indices(index: I64, radius: Sequence[int], shape: tuple[int, ...]) -> I64:
    """The voxels within the ball of ``radius`` (z, y, x voxels) round the voxels ``index``
    and outside them, inside a grid of ``shape``, in C order."""
    pad = np.asarray(radius) + 1
    lo = index.min(0) - pad
    box = np.zeros(tuple(index.max(0) - lo + pad + 1), dtype=bool)
    box[tuple((index - lo).T)] = True
    ring = np.argwhere(dilate_ball(box, radius) & ~box) + lo
    return ring[np.all((ring >= 0) & (ring < np.asarray(shape)), axis=1)]
