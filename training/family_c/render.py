"""Rendering tubes and blobs in their own bounding regions, with partial volume.

Nothing here touches the whole volume: a tube looks only at the voxels within its reach of
its centreline samples, a blob only at its bounding box. Results are flat (C order) voxel
indices of the internal grid with a signed distance; :func:`paint` composites a fraction of
a value over what is there, :func:`add` adds an offset.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from training.family_c.fields import F32, F64, Ellipsoid, Grid, Pose, pv

I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Tube:
    """Voxels near a centreline: flat index, distance to it (mm), nearest sample."""

    idx: I64
    dist: F32
    nearest: npt.NDArray[np.intp]


BLOCK_MM = 2.4
"""Candidate voxels are gathered in cubic blocks of about this side."""


def near_voxels(grid: Grid, centres: F64, reach: float) -> I64:
    """Flat indices of the voxels of every block that may hold a voxel within ``reach`` mm
    of a centre (a superset: callers filter by their own distance)."""
    h = grid.spacing[0]
    b = max(1, round(BLOCK_MM / h))
    shape = np.asarray(grid.shape)
    cont = grid.to_index(centres)
    lo = np.floor((cont - reach / h) / b).astype(np.int64)
    hi = np.floor((cont + reach / h) / b).astype(np.int64)
    nblocks = -(-shape // b)
    lo, hi = np.maximum(lo, 0), np.minimum(hi, nblocks - 1)
    ok = np.all(hi >= lo, axis=1)
    lo, hi = lo[ok], hi[ok]
    if len(lo) == 0:
        return np.zeros(0, np.int64)
    span = int((hi - lo).max()) + 1
    r = np.arange(span)
    offs = np.stack(np.meshgrid(r, r, r, indexing="ij"), axis=-1).reshape(-1, 3)
    blocks = (lo[:, None, :] + offs[None]).reshape(-1, 3)
    blocks = blocks[np.all(blocks <= np.repeat(hi, len(offs), axis=0), axis=1)]
    blocks = np.unique(np.ravel_multi_index(blocks.T, tuple(nblocks)))
    blocks = np.stack(np.unravel_index(blocks, tuple(nblocks)), axis=1)
    v = np.arange(b)
    inner = np.stack(np.meshgrid(v, v, v, indexing="ij"), axis=-1).reshape(-1, 3)
    vox = (blocks[:, None, :] * b + inner[None]).reshape(-1, 3)
    vox = vox[np.all(vox < shape, axis=1)]
    return np.ravel_multi_index(vox.T, grid.shape).astype(np.int64)


def tube(grid: Grid, samples: F64, reach: float) -> Tube:
    """Voxels within ``reach`` mm of a densely sampled world-space centreline."""
    h = grid.spacing[0]
    step = float(np.linalg.norm(samples[1] - samples[0])) if len(samples) > 1 else h
    every = max(1, int(h / max(step, 1e-6)))
    centres = np.concatenate([samples[::every], samples[-1:]])
    idx = near_voxels(grid, centres, reach)
    if len(idx) == 0:
        return Tube(idx, np.zeros(0, np.float32), np.zeros(0, np.intp))
    dist, nearest = cKDTree(samples).query(grid.flat_points(idx), distance_upper_bound=reach)
    keep = np.isfinite(dist)
    return Tube(idx[keep], dist[keep].astype(np.float32), nearest[keep].astype(np.intp))


def blob(grid: Grid, pose: Pose, ell: Ellipsoid) -> tuple[I64, F32]:
    """Voxels of the ellipsoid's bounding box and their signed distance (mm, + inside)."""
    h = grid.spacing[0]
    idx = near_voxels(grid, pose.to_world(ell.centre)[None, :], float(ell.axes.max()) + h)
    if len(idx) == 0:
        return idx, np.zeros(0, np.float32)
    signed = ell.signed_mm(pose.to_head(grid.flat_points(idx)))
    keep = signed > -h
    return idx[keep], signed[keep].astype(np.float32)


def paint(flat: F32, idx: I64, frac: F32, value: npt.ArrayLike) -> None:
    """Composite ``frac`` of ``value`` over the voxels ``idx`` of a flat view."""
    if len(idx) == 0:
        return
    current = flat[idx]
    flat[idx] = current + frac * (np.asarray(value, np.float32) - current)


def add(flat: F32, idx: I64, frac: F32, value: float) -> None:
    """Add ``frac * value`` to the voxels ``idx`` of a flat view."""
    if len(idx) > 0:
        flat[idx] += frac * np.float32(value)


@dataclass(frozen=True)
class Dense:
    """An ellipsoid (head frame) painted with its own HU on each scan."""

    shape: Ellipsoid
    ncct: float
    cta: float


@dataclass(frozen=True)
class Sleeve:
    """A tube (head-frame centreline, radius per point) painted with its own HU."""

    points: F64
    radius: F64
    ncct: float
    cta: float


def paint_dense(ncct: F32, cta: F32, grid: Grid, pose: Pose, items: list[Dense]) -> None:
    """Paint ellipsoids onto flat NCCT and CTA views."""
    h = grid.spacing[0]
    for item in items:
        idx, signed = blob(grid, pose, item.shape)
        frac = pv(signed, h)
        paint(ncct, idx, frac, item.ncct)
        paint(cta, idx, frac, item.cta)


def paint_sleeves(ncct: F32, cta: F32, grid: Grid, pose: Pose, items: list[Sleeve]) -> None:
    """Paint tubes onto flat NCCT and CTA views."""
    h = grid.spacing[0]
    for item in items:
        if len(item.points) < 2:
            continue
        found = tube(grid, pose.to_world(item.points), float(item.radius.max()) + h)
        frac = pv(item.radius[found.nearest] - found.dist, h)
        paint(ncct, found.idx, frac, item.ncct)
        paint(cta, found.idx, frac, item.cta)
