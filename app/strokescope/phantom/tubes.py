"""Distance fields of the vessel tree on a grid, computed only near the centerlines.

Each centerline is cut into chunks of a few mm; for every chunk only the voxels of its
bounding box are measured against the chunk's line pieces. The nearest vessel wins per
voxel, so a voxel knows its signed distance to the lumen surface and which centerline
point (global index, fractional) it belongs to. Partial-volume coverage then follows from
the distance (a linear ramp one voxel wide).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from strokescope.phantom.tissue import HeadMapping
from strokescope.phantom.vessels import Segment
from strokescope.volume import Geometry

CHUNK_POINTS = 12  # centerline points per box (6 mm)
PIECE_POINTS = 2  # points per straight piece (1 mm)
Box = tuple[tuple[int, int], tuple[int, int], tuple[int, int]]


@dataclass(frozen=True, eq=False)
class TreePoints:
    """All centerline points of a tree concatenated, with per-point attributes."""

    points: npt.NDArray[np.float64]
    radius: npt.NDArray[np.float64]
    sheath: npt.NDArray[np.float64]
    sheath_hu: npt.NDArray[np.float64]
    s: npt.NDArray[np.float64]
    segment: npt.NDArray[np.int32]
    offsets: npt.NDArray[np.int64]

    @classmethod
    def of(cls, segments: list[Segment]) -> TreePoints:
        cat = np.concatenate
        return cls(
            cat([g.points for g in segments]),
            cat([g.radius for g in segments]),
            cat([g.sheath for g in segments]),
            cat([g.sheath_hu for g in segments]),
            cat([g.s for g in segments]),
            cat([np.full(len(g.s), i, np.int32) for i, g in enumerate(segments)]),
            np.cumsum([0] + [len(g.s) for g in segments]),
        )


@dataclass(frozen=True, eq=False)
class TubeField:
    """Per-voxel distance to the nearest lumen surface inside ``box`` of the grid.

    ``sd`` is distance to the centerline minus the lumen radius (mm, negative inside),
    ``point`` the fractional global centerline index of the nearest point.
    """

    box: Box
    sd: npt.NDArray[np.float32]
    dist: npt.NDArray[np.float32]
    point: npt.NDArray[np.float32]

    @property
    def slices(self) -> tuple[slice, slice, slice]:
        return tuple(slice(a, b) for a, b in self.box)  # type: ignore[return-value]


def render_tubes(
    tree: TreePoints, geom: Geometry, pose: npt.NDArray[np.float64]
) -> TubeField | None:
    """Distances of the grid's voxels near ``tree`` (within each point's sheath + 1 voxel)."""
    mapping = HeadMapping.of(geom, pose)
    pad = float(max(geom.spacing)) * 1.5
    lo = tree.points.min(axis=0) - tree.sheath.max() - pad
    hi = tree.points.max(axis=0) + tree.sheath.max() + pad
    box = mapping.index_box(lo, hi, geom.shape)
    if box is None:
        return None
    shape = tuple(b - a for a, b in box)
    sd = np.full(shape, np.float32(1e3), dtype=np.float32)
    dist = np.full(shape, np.float32(1e3), dtype=np.float32)
    point = np.zeros(shape, dtype=np.float32)
    origin = np.array([a for a, _ in box], dtype=float)
    for g0, g1 in zip(tree.offsets[:-1], tree.offsets[1:], strict=True):
        for c0 in range(int(g0), int(g1) - 1, CHUNK_POINTS):
            c1 = min(c0 + CHUNK_POINTS, int(g1) - 1)
            _chunk(tree, mapping, c0, c1, pad, origin, shape, sd, dist, point)
    return TubeField(box, sd, dist, point)  # type: ignore[arg-type]


def _chunk(
    tree: TreePoints,
    mapping: HeadMapping,
    c0: int,
    c1: int,
    pad: float,
    origin: npt.NDArray[np.float64],
    shape: tuple[int, ...],
    sd: npt.NDArray[np.float32],
    dist: npt.NDArray[np.float32],
    point: npt.NDArray[np.float32],
) -> None:
    """Update the fields with the line pieces between points c0..c1 (inclusive)."""
    pts = tree.points[c0 : c1 + 1]
    reach = float(tree.sheath[c0 : c1 + 1].max()) + pad
    box = mapping.index_box(pts.min(axis=0) - reach, pts.max(axis=0) + reach, (10**9,) * 3)
    if box is None:
        return
    start = np.maximum(np.array([a for a, _ in box]) - origin, 0).astype(int)
    stop = np.minimum(np.array([b for _, b in box]) - origin, shape).astype(int)
    if np.any(stop <= start):
        return
    kk, jj, ii = (
        np.arange(a, b, dtype=np.float32) + np.float32(o)
        for a, b, o in zip(start, stop, origin, strict=True)
    )
    a = mapping.a.astype(np.float32)
    base = mapping.b.astype(np.float32)
    # head-frame coordinates of the box voxels, one flat array per axis
    v = [
        (
            kk[:, None, None] * a[m, 0]
            + jj[None, :, None] * a[m, 1]
            + ii[None, None, :] * a[m, 2]
            + base[m]
        ).ravel()
        for m in range(3)
    ]
    anchors = list(range(c0, c1, PIECE_POINTS)) + [c1]
    best_d2 = np.full(v[0].shape, np.float32(np.inf), dtype=np.float32)
    best_g = np.zeros(v[0].shape, dtype=np.float32)
    for p0, p1 in zip(anchors[:-1], anchors[1:], strict=True):
        q0, q1 = tree.points[p0], tree.points[p1]
        seg = (q1 - q0).astype(np.float32)
        inv_len2 = np.float32(1.0 / max(float(seg @ seg), 1e-9))
        rel = [v[m] - np.float32(q0[m]) for m in range(3)]
        t = rel[0] * seg[0]
        t += rel[1] * seg[1]
        t += rel[2] * seg[2]
        t *= inv_len2
        np.clip(t, 0.0, 1.0, out=t)
        d2 = np.zeros_like(t)
        for m in range(3):
            e = rel[m] - t * seg[m]
            d2 += e * e
        better = d2 < best_d2
        best_d2[better] = d2[better]
        best_g[better] = t[better] * np.float32(p1 - p0) + np.float32(p0)
    d = np.sqrt(best_d2)
    gidx = best_g
    r = np.interp(gidx, np.arange(len(tree.radius)), tree.radius).astype(np.float32)
    new_sd = (d - r).reshape(tuple(stop - start))
    view = tuple(slice(a, b) for a, b in zip(start, stop, strict=True))
    better = new_sd < sd[view]
    sd[view][better] = new_sd[better]
    dist[view][better] = d.reshape(new_sd.shape)[better]
    point[view][better] = gidx.reshape(new_sd.shape)[better]
