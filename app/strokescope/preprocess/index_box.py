"""Voxel index lists (n, 3 z, y, x) and the boxes that hold them, the two ways round."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

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
