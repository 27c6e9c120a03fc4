"""Minimal paths on the working grid: fast marching and steepest descent back to a seed.

Arrival times come from SimpleITK's fast marching ([Sethian1996]) from one or more seed
voxels over a speed image; a path from any reached voxel back to the nearest seed follows
the steepest discrete descent of the arrival time over the 26-neighbourhood
([Deschamps2001]). Paths are (n, 3) voxel indices (z, y, x), seed first.
"""

from __future__ import annotations

import itertools

import numpy as np
import numpy.typing as npt
import SimpleITK as sitk

F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]
UNREACHED = np.float32(1e30)
_OFFSETS = np.array(
    [o for o in itertools.product((-1, 0, 1), repeat=3) if o != (0, 0, 0)], dtype=np.int64
)
_OFFSET_TUPLES = [tuple(int(v) for v in o) for o in _OFFSETS]
_STEP = np.linalg.norm(_OFFSETS, axis=1)
BRANCH_STOP = 60.0
"""Arrival-time limit of the march on from a distal target: a branch's lumen (about 0.1-0.3
per mm), up to ~18 mm of clot, never 1 mm of tissue (100)."""
BRANCH_BOX = 24
"""How far (voxels) past its seed the first box of a branch-end march reaches
(:func:`arrival_times`)."""
DOWNSTREAM_TOL = 0.05
"""Relative slack of "the root's route runs through the target" (discrete marching)."""


def _march(speed: F32, seeds: I64, stop: float) -> F32:
    img = sitk.GetImageFromArray(speed)
    fm = sitk.FastMarchingImageFilter()
    fm.SetTrialPoints([(int(i), int(j), int(k)) for k, j, i in seeds])
    fm.SetStoppingValue(float(stop))
    out = sitk.GetArrayFromImage(fm.Execute(img))
    out[~(out < stop)] = UNREACHED
    return out


def _touched_faces(reached: npt.NDArray[np.bool_], lo: I64, hi: I64, shape: I64) -> I64:
    """Per axis (rows) and side (columns: low, high), 1 where ``reached`` (a box ``lo:hi``
    of a grid of ``shape``) holds a voxel on that face of the box and the face is not the
    grid's own."""
    out = np.zeros((3, 2), dtype=np.int64)
    for axis in range(3):
        moved = np.moveaxis(reached, axis, 0)
        out[axis, 0] = lo[axis] > 0 and moved[0].any()
        out[axis, 1] = hi[axis] < shape[axis] and moved[-1].any()
    return out


def arrival_times(speed: F32, seeds: I64, *, stop: float, box: int | None = None) -> F32:
    """Arrival time from the ``seeds`` (m, 3 indices z, y, x) up to ``stop``; beyond it
    (and where never reached) ``UNREACHED``.

    ``box``: march first on the box reaching this many voxels beyond the seeds, and again
    on a box grown twice as far past each face the march reached, until it reaches no face
    of the box inside the grid. The voxels reached and their times are then the whole
    grid's (to rounding, ~1e-6): a voxel's time comes from neighbours reached before it, so
    a march that never reached the box's faces never used what lies beyond them. A short
    march (a branch's end) then costs what it reaches, not the grid's size."""
    speed = speed.astype(np.float32, copy=False)
    shape = np.asarray(speed.shape, dtype=np.int64)
    seeds = np.asarray(seeds, dtype=np.int64)
    if box is not None:
        reach = np.full((3, 2), box, dtype=np.int64)  # voxels beyond the seeds, per face
        while True:
            lo = np.maximum(seeds.min(0) - reach[:, 0], 0)
            hi = np.minimum(seeds.max(0) + reach[:, 1] + 1, shape)
            if not (np.any(lo > 0) or np.any(hi < shape)):
                break
            window = tuple(slice(int(a), int(b)) for a, b in zip(lo, hi, strict=True))
            local = _march(np.ascontiguousarray(speed[window]), seeds - lo, stop)
            touched = _touched_faces(local < UNREACHED, lo, hi, shape)
            if not touched.any():
                out = np.full(speed.shape, UNREACHED, np.float32)
                out[window] = local
                return out
            reach += touched * reach
    return _march(speed, seeds, stop)


def descend(times: F32, start: npt.ArrayLike, *, max_steps: int = 5000) -> I64:
    """Steepest-descent path from voxel ``start`` to the seed (time 0), seed first."""
    nz, ny, nx = times.shape
    flat = times.ravel()
    flat_offsets = _OFFSETS @ np.array([ny * nx, nx, 1], dtype=np.int64)
    z, y, x = (int(v) for v in np.asarray(start))
    path = [(z, y, x)]
    for _ in range(max_steps):
        at = (z * ny + y) * nx + x
        here = flat[at]
        if 0 < z < nz - 1 and 0 < y < ny - 1 and 0 < x < nx - 1:  # 26 neighbours inside
            t = flat[at + flat_offsets].astype(np.float64)
        else:
            nb = np.array([z, y, x]) + _OFFSETS
            ok = np.all((nb >= 0) & (nb < (nz, ny, nx)), axis=1)
            t = np.full(len(nb), np.inf)
            t[ok] = times[tuple(nb[ok].T)]
        k = int(np.argmin((t - here) / _STEP))
        if not t[k] < here:
            break
        dz, dy, dx = _OFFSET_TUPLES[k]
        z, y, x = z + dz, y + dy, x + dx
        path.append((z, y, x))
    return np.asarray(path[::-1], dtype=np.int64).reshape(-1, 3)


def downstream(
    speed: F32, times: F32, target: npt.ArrayLike, *, stop: float, lumen: npt.NDArray[np.bool_]
) -> I64:
    """The path from ``target`` (reached with arrival ``times`` from the root) on to the
    end of its branch, ``target`` first: the ``lumen`` voxel farthest from it (arrival
    within ``stop`` of a march from it) among those whose best route from the root runs
    through it (``times`` there equals ``times`` at ``target`` plus the march from it,
    within ``DOWNSTREAM_TOL``); just ``target`` when none lies beyond it."""
    t0 = np.asarray(target, dtype=np.int64)
    beyond = arrival_times(speed, t0[None], stop=stop, box=BRANCH_BOX)
    idx = np.flatnonzero((beyond < UNREACHED).ravel())  # what the march reached
    b, t = beyond.ravel()[idx], times.ravel()[idx]
    via = times[tuple(t0)] + b
    ahead = lumen.ravel()[idx] & (t < UNREACHED) & (t >= via - DOWNSTREAM_TOL * b - 1e-3)
    if not ahead.any():
        return t0[None]
    end = np.unravel_index(int(idx[np.argmax(np.where(ahead, b, -1.0))]), times.shape)
    return descend(beyond, np.asarray(end, dtype=np.int64))


def best_in_region(times: F32, region: npt.NDArray[np.bool_]) -> I64 | None:
    """The reached voxel of ``region`` with the earliest arrival, or None."""
    t = np.where(region, times, UNREACHED)
    k = int(np.argmin(t))
    if not t.flat[k] < UNREACHED:
        return None
    return np.asarray(np.unravel_index(k, times.shape), dtype=np.int64)


def common_prefix(a: I64, b: I64, *, tol_vox: float = 1.8) -> int:
    """How many leading points of ``a`` lie within ``tol_vox`` of path ``b`` before the
    two paths part for good (the index in ``a`` of the branch point, plus one)."""
    if len(a) == 0 or len(b) == 0:
        return 0
    d = np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)).min(1)
    far = np.flatnonzero(d > tol_vox)
    return int(far[0]) if len(far) else len(a)


def arc_mm(points_mm: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Cumulative arc length (mm) of a polyline, 0 at its first point."""
    if len(points_mm) == 0:
        return np.zeros(0)
    seg = np.linalg.norm(np.diff(points_mm, axis=0), axis=1)
    return np.concatenate([[0.0], np.cumsum(seg)])


def to_branch_end(
    speed: F32, times: F32, target: npt.ArrayLike, *, lumen: npt.NDArray[np.bool_]
) -> I64:
    """The path from the seed to ``target`` and on along the target's branch to its end
    (:func:`downstream`, ``BRANCH_STOP``), seed first."""
    on = downstream(speed, times, target, stop=BRANCH_STOP, lumen=lumen)
    return np.concatenate([descend(times, target), on[1:]])
