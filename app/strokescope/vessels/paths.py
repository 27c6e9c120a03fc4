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
_STEP = np.linalg.norm(_OFFSETS, axis=1)
BRANCH_STOP = 60.0
"""Arrival-time limit of the march on from a distal target: a branch's lumen (about 0.1-0.3
per mm), up to ~18 mm of clot, never 1 mm of tissue (100)."""
DOWNSTREAM_TOL = 0.05
"""Relative slack of "the root's route runs through the target" (discrete marching)."""


def arrival_times(speed: F32, seeds: I64, *, stop: float) -> F32:
    """Arrival time from the ``seeds`` (m, 3 indices z, y, x) up to ``stop``; beyond it
    (and where never reached) ``UNREACHED``."""
    img = sitk.GetImageFromArray(speed.astype(np.float32, copy=False))
    fm = sitk.FastMarchingImageFilter()
    fm.SetTrialPoints([(int(i), int(j), int(k)) for k, j, i in seeds])
    fm.SetStoppingValue(float(stop))
    raw = sitk.GetArrayFromImage(fm.Execute(img))
    return np.where(raw < stop, raw, UNREACHED).astype(np.float32)


def descend(times: F32, start: npt.ArrayLike, *, max_steps: int = 5000) -> I64:
    """Steepest-descent path from voxel ``start`` to the seed (time 0), seed first."""
    shape = np.asarray(times.shape)
    p = np.asarray(start, dtype=np.int64)
    path = [p]
    for _ in range(max_steps):
        nb = p + _OFFSETS
        ok = np.all((nb >= 0) & (nb < shape), axis=1)
        t = np.full(len(nb), np.inf)
        t[ok] = times[tuple(nb[ok].T)]
        k = int(np.argmin((t - times[tuple(p)]) / _STEP))
        if not t[k] < times[tuple(p)]:
            break
        p = nb[k]
        path.append(p)
    return np.asarray(path[::-1], dtype=np.int64)


def downstream(
    speed: F32, times: F32, target: npt.ArrayLike, *, stop: float, lumen: npt.NDArray[np.bool_]
) -> I64:
    """The path from ``target`` (reached with arrival ``times`` from the root) on to the
    end of its branch, ``target`` first: the ``lumen`` voxel farthest from it (arrival
    within ``stop`` of a march from it) among those whose best route from the root runs
    through it (``times`` there equals ``times`` at ``target`` plus the march from it,
    within ``DOWNSTREAM_TOL``); just ``target`` when none lies beyond it."""
    t0 = np.asarray(target, dtype=np.int64)
    beyond = arrival_times(speed, t0[None], stop=stop)
    via = times[tuple(t0)] + beyond
    reached = (beyond < UNREACHED) & (times < UNREACHED)  # not past the root's own limit
    ahead = lumen & reached & (times >= via - DOWNSTREAM_TOL * beyond - 1e-3)
    if not ahead.any():
        return t0[None]
    end = np.unravel_index(int(np.argmax(np.where(ahead, beyond, -1.0))), times.shape)
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
