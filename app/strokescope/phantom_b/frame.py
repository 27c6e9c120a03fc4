"""Head frame, patient pose and voxel boxes for family B.

The head frame is a patient-aligned LPS frame in mm whose origin is the centre of the circle
of Willis (x to patient left, y posterior, z superior). A :class:`Pose` places it in the
scanner: ``p = translation + rotation @ (scale * h)``. All grids here are axial LPS grids, so
voxel ``(k, j, i)`` lies at ``origin + (i*sx, j*sy, k*sz)`` and boxes can be cut by index.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from strokescope.volume import Geometry

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
Box = tuple[slice, slice, slice]


def rotation_matrix(axis: npt.ArrayLike, angle_deg: float) -> F64:
    """Right-handed rotation about ``axis`` (Rodrigues)."""
    a = np.asarray(axis, dtype=float)
    a = a / np.linalg.norm(a)
    t = np.deg2rad(angle_deg)
    k = np.array([[0.0, -a[2], a[1]], [a[2], 0.0, -a[0]], [-a[1], a[0], 0.0]])
    return np.eye(3) + np.sin(t) * k + (1.0 - np.cos(t)) * (k @ k)


@dataclass(frozen=True)
class Pose:
    """Where the head frame sits in patient (scanner) LPS coordinates."""

    rotation: F64
    translation: F64
    scale: float

    def to_world(self, h: npt.ArrayLike) -> F64:
        return np.asarray(self.translation) + (self.scale * np.asarray(h, float)) @ self.rotation.T

    def moved(self, rotation: F64, shift: F64) -> Pose:
        """The same head after a rigid motion about its own origin."""
        return Pose(rotation @ self.rotation, self.translation + shift, self.scale)


def axes_mm(geom: Geometry) -> tuple[F64, F64, F64]:
    """World z, y, x coordinates (mm) of the slice, row and column indices of an axial grid."""
    nz, ny, nx = geom.shape
    sz, sy, sx = geom.spacing
    ox, oy, oz = geom.origin
    z = oz + sz * np.arange(nz, dtype=np.float64)
    y = oy + sy * np.arange(ny, dtype=np.float64)
    return z, y, ox + sx * np.arange(nx, dtype=np.float64)


def index_box(geom: Geometry, lo: npt.ArrayLike, hi: npt.ArrayLike) -> Box | None:
    """Index slices (z, y, x) of the voxels whose centres lie in the world box [lo, hi]."""
    lo3, hi3 = np.asarray(lo, float), np.asarray(hi, float)
    org = np.asarray(geom.origin)[::-1]  # (z, y, x)
    sp = np.asarray(geom.spacing)
    a = np.ceil((lo3[::-1] - org) / sp).astype(int)
    b = np.floor((hi3[::-1] - org) / sp).astype(int) + 1
    a = np.maximum(a, 0)
    b = np.minimum(b, np.asarray(geom.shape))
    if np.any(b <= a):
        return None
    return (slice(a[0], b[0]), slice(a[1], b[1]), slice(a[2], b[2]))


def world_box(geom: Geometry, box: Box) -> tuple[F32, F32, F32]:
    """Broadcastable world (x, y, z) mm of a box: shapes (1, 1, n), (1, n, 1), (n, 1, 1)."""
    z, y, x = axes_mm(geom)
    return (
        x[box[2]].astype(np.float32)[None, None, :],
        y[box[1]].astype(np.float32)[None, :, None],
        z[box[0]].astype(np.float32)[:, None, None],
    )


def head_coords(geom: Geometry, pose: Pose, box: Box) -> tuple[F32, F32, F32]:
    """Head-frame (x, y, z) mm of every voxel in ``box``, each a full (nz, ny, nx) array.

    The map is affine, so each component is a 2-D in-plane term plus one offset per slice.
    """
    z, y, x = axes_mm(geom)
    xs, ys, zs = x[box[2]], y[box[1]], z[box[0]]
    m = pose.rotation / pose.scale  # h = m.T @ (p - t)
    t = np.asarray(pose.translation)
    out = []
    for a in range(3):
        plane = (m[0, a] * (xs[None, :] - t[0]) + m[1, a] * (ys[:, None] - t[1])).astype(np.float32)
        off = (m[2, a] * (zs - t[2])).astype(np.float32)
        out.append(plane[None, :, :] + off[:, None, None])
    return out[0], out[1], out[2]


def head_box(geom: Geometry, pose: Pose, center: npt.ArrayLike, radius: float) -> Box | None:
    """Index box holding a head-frame sphere (mm, before scaling) of ``radius`` at ``center``."""
    c = pose.to_world(center)
    r = radius * pose.scale + 1.5 * max(geom.spacing)
    return index_box(geom, c - r, c + r)
