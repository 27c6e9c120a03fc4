"""Tubes with tapering radius: splines through waypoints and their analytic rendering.

A tube is a dense centreline (about 0.5 mm steps) with one radius per point. It is drawn
from its signed distance: the union of truncated cones between neighbouring points, each
evaluated exactly in a small index box, so partial volume at the wall comes from the
distance itself (a one-voxel ramp) rather than from supersampling. Ends may be flat caps,
which is how a clot's faces are drawn and how its truth mask is cut.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from strokescope.phantom_b.frame import index_box, world_box
from strokescope.volume import Geometry

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
STEP_MM = 0.5
_CHUNK = 8


def spline(waypoints: npt.ArrayLike, step: float = STEP_MM) -> F64:
    """Catmull-Rom curve through ``waypoints`` (n, 3), resampled every ``step`` mm."""
    p = np.asarray(waypoints, dtype=float)
    ext = np.vstack([2 * p[0] - p[1], p, 2 * p[-1] - p[-2]])
    t = np.linspace(0.0, 1.0, 24, endpoint=False)[:, None]
    pieces = []
    for i in range(1, len(ext) - 2):
        p0, p1, p2, p3 = ext[i - 1], ext[i], ext[i + 1], ext[i + 2]
        pieces.append(
            0.5
            * (
                2 * p1
                + (p2 - p0) * t
                + (2 * p0 - 5 * p1 + 4 * p2 - p3) * t**2
                + (3 * p1 - p0 - 3 * p2 + p3) * t**3
            )
        )
    pieces.append(p[-1:])
    dense = np.vstack(pieces)
    arc = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(dense, axis=0), axis=1))])
    n = max(int(np.ceil(arc[-1] / step)), 1)
    s = np.linspace(0.0, arc[-1], n + 1)
    return np.stack([np.interp(s, arc, dense[:, a]) for a in range(3)], axis=1)


def arc_length(points: F64) -> F64:
    """Cumulative length (mm) along a polyline, starting at 0."""
    seg = np.linalg.norm(np.diff(points, axis=0), axis=1)
    return np.concatenate([[0.0], np.cumsum(seg)])


@dataclass(frozen=True, eq=False)
class Tube:
    """A vessel segment in the head frame: centreline (n, 3) mm and radius (n,) mm."""

    name: str
    points: F64
    radii: F64
    parent: str = ""
    children: list[str] = field(default_factory=list)

    @property
    def length(self) -> float:
        return float(arc_length(self.points)[-1])

    def piece(self, s0: float, s1: float) -> tuple[F64, F64]:
        """Centreline and radii between arc positions ``s0`` and ``s1`` (mm), ends exact."""
        s = arc_length(self.points)
        s0, s1 = max(s0, 0.0), min(s1, s[-1])
        n = max(int(np.ceil((s1 - s0) / STEP_MM)), 1)
        q = np.linspace(s0, s1, n + 1)
        pts = np.stack([np.interp(q, s, self.points[:, a]) for a in range(3)], axis=1)
        return pts, np.interp(q, s, self.radii)


def _sdf_box(
    coords: tuple[F32, F32, F32], pts: F64, radii: F64, cap_start: bool, cap_end: bool
) -> F32:
    """Signed distance (mm, negative inside) of box voxels to a chain of cones."""
    x, y, z = coords
    best: F32 | None = None
    n = len(pts) - 1
    for i in range(n):
        p, d = pts[i], pts[i + 1] - pts[i]
        ln2 = float(d @ d) + 1e-12
        dx, dy, dz = x - np.float32(p[0]), y - np.float32(p[1]), z - np.float32(p[2])
        t = (dx * np.float32(d[0]) + dy * np.float32(d[1]) + dz * np.float32(d[2])) / ln2
        lo = -np.inf if (cap_start and i == 0) else 0.0
        hi = np.inf if (cap_end and i == n - 1) else 1.0
        tc = np.clip(t, lo, hi)
        ex = dx - tc * np.float32(d[0])
        ey = dy - tc * np.float32(d[1])
        ez = dz - tc * np.float32(d[2])
        r = radii[i] + np.clip(tc, 0.0, 1.0) * np.float32(radii[i + 1] - radii[i])
        sd = np.sqrt(ex * ex + ey * ey + ez * ez) - r
        ln = np.float32(np.sqrt(ln2))
        if cap_start and i == 0:
            sd = np.maximum(sd, -t * ln)
        if cap_end and i == n - 1:
            sd = np.maximum(sd, (t - 1) * ln)
        best = sd if best is None else np.minimum(best, sd)
    assert best is not None
    return best.astype(np.float32)


def tube_boxes(
    geom: Geometry,
    pts_world: F64,
    radii: F64,
    *,
    margin: float,
    cap_start: bool = False,
    cap_end: bool = False,
) -> list[tuple[tuple[slice, slice, slice], F32]]:
    """Signed distance of a world-space tube, as (index box, sdf) pieces covering it."""
    out = []
    n = len(pts_world)
    for a in range(0, n - 1, _CHUNK):
        b = min(a + _CHUNK, n - 1)
        p, r = pts_world[a : b + 1], radii[a : b + 1]
        pad = float(r.max()) + margin
        box = index_box(geom, p.min(axis=0) - pad, p.max(axis=0) + pad)
        if box is None:
            continue
        sdf = _sdf_box(world_box(geom, box), p, r, cap_start and a == 0, cap_end and b == n - 1)
        out.append((box, sdf))
    return out


def draw_tube(
    occ: F32,
    geom: Geometry,
    pts_world: F64,
    radii: F64,
    *,
    cap_start: bool = False,
    cap_end: bool = False,
) -> list[tuple[slice, slice, slice]]:
    """Max-accumulate the tube's partial-volume occupancy (0..1) into ``occ``; its boxes."""
    w = float(np.mean(geom.spacing))
    boxes = []
    for box, sdf in tube_boxes(
        geom, pts_world, radii, margin=w, cap_start=cap_start, cap_end=cap_end
    ):
        o = np.clip(np.float32(0.5) - sdf / np.float32(w), 0.0, 1.0)
        np.maximum(occ[box], o, out=occ[box])
        boxes.append(box)
    return boxes
