"""Grids, head pose, smooth random fields and separable linear resampling for family C.

Every array is (z, y, x); world positions are LPS (x, y, z) mm, as in
:mod:`strokescope.volume`. The head frame has the same axes as LPS (x to the patient's
left, y posterior, z up) with its origin at the head centre; ``Pose`` maps it to the world.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from strokescope.volume import AXIAL_LPS, Geometry

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]


def pv(signed_mm: npt.ArrayLike, h: float) -> F32:
    """Partial-volume fraction from a signed distance (positive inside), smooth over 1 voxel."""
    out = np.asarray(signed_mm, dtype=np.float32) * np.float32(1.0 / h) + np.float32(0.5)
    return np.clip(out, 0.0, 1.0, out=out)


@dataclass(frozen=True)
class Grid:
    """An axis-aligned voxel grid; ``origin`` is the LPS (x, y, z) of voxel [0, 0, 0]."""

    origin: tuple[float, float, float]
    spacing: tuple[float, float, float]
    shape: tuple[int, int, int]

    @classmethod
    def covering(cls, lo: F64, hi: F64, spacing: tuple[float, float, float]) -> Grid:
        """Voxels of ``spacing`` (z, y, x) filling the LPS box ``lo``..``hi`` (x, y, z)."""
        size = np.asarray(hi, float) - np.asarray(lo, float)
        step = np.asarray(spacing[::-1], float)
        n = np.maximum(np.floor(size / step + 1e-6).astype(int), 1)
        origin = np.asarray(lo, float) + (size - (n - 1) * step) / 2
        return cls(
            (float(origin[0]), float(origin[1]), float(origin[2])),
            (float(spacing[0]), float(spacing[1]), float(spacing[2])),
            (int(n[2]), int(n[1]), int(n[0])),
        )

    def axis_mm(self, axis: int) -> F64:
        """World coordinate of every voxel along array axis ``axis`` (0 z, 1 y, 2 x)."""
        return np.asarray(
            self.origin[2 - axis] + self.spacing[axis] * np.arange(self.shape[axis]), float
        )

    def points(self) -> F64:
        """(z*y*x, 3) LPS positions of all voxel centres, in C order."""
        z, y, x = np.meshgrid(self.axis_mm(0), self.axis_mm(1), self.axis_mm(2), indexing="ij")
        return np.stack([x.ravel(), y.ravel(), z.ravel()], axis=1)

    def to_index(self, lps: npt.ArrayLike) -> F64:
        """Continuous (k, j, i) indices of (..., 3) LPS points."""
        p = np.asarray(lps, float) - np.asarray(self.origin)
        return (p / np.asarray(self.spacing[::-1]))[..., ::-1]

    def flat_points(self, flat: npt.NDArray[np.int64]) -> F64:
        """LPS positions of voxels given by flat (C order) indices."""
        k, j, i = np.unravel_index(flat, self.shape)
        idx = np.stack([i, j, k], axis=-1).astype(float)
        return np.asarray(self.origin) + idx * np.asarray(self.spacing[::-1])

    def geometry(self) -> Geometry:
        return Geometry(self.shape, self.spacing, self.origin, AXIAL_LPS)


@dataclass(frozen=True)
class Pose:
    """Head frame to world: ``world = centre + rotation @ p``."""

    rotation: F64
    centre: F64

    @classmethod
    def from_angles(cls, degrees: tuple[float, float, float], shift: npt.ArrayLike) -> Pose:
        ax, ay, az = np.radians(degrees)
        rx = np.array([[1, 0, 0], [0, np.cos(ax), -np.sin(ax)], [0, np.sin(ax), np.cos(ax)]])
        ry = np.array([[np.cos(ay), 0, np.sin(ay)], [0, 1, 0], [-np.sin(ay), 0, np.cos(ay)]])
        rz = np.array([[np.cos(az), -np.sin(az), 0], [np.sin(az), np.cos(az), 0], [0, 0, 1]])
        return cls(rz @ ry @ rx, np.asarray(shift, float))

    def to_world(self, p: npt.ArrayLike) -> F64:
        return np.asarray(p, float) @ self.rotation.T + self.centre

    def to_head(self, w: npt.ArrayLike) -> F64:
        return (np.asarray(w, float) - self.centre) @ self.rotation

    def head_axis_on_grid(self, grid: Grid, axis: int) -> F32:
        """Head-frame coordinate ``axis`` (0 x, 1 y, 2 z) of every voxel, by broadcasting."""
        r = self.rotation[:, axis]
        x = (grid.axis_mm(2) - self.centre[0]) * r[0]
        y = (grid.axis_mm(1) - self.centre[1]) * r[1]
        z = (grid.axis_mm(0) - self.centre[2]) * r[2]
        out = z.astype(np.float32)[:, None, None] + y.astype(np.float32)[None, :, None]
        return out + x.astype(np.float32)[None, None, :]


class SmoothField:
    """A smooth random scalar field of unit variance: a sum of random plane waves."""

    def __init__(self, rng: np.random.Generator, wavelength: float, n: int = 16, dim: int = 3):
        dirs = rng.normal(size=(n, dim))
        dirs /= np.linalg.norm(dirs, axis=1, keepdims=True)
        k = 2 * np.pi / (wavelength * rng.uniform(0.7, 1.4, n))
        self.waves = dirs * k[:, None]
        self.phase = rng.uniform(0, 2 * np.pi, n)
        self.amplitude = np.sqrt(2.0 / n)
        self.wavelength = wavelength

    def __call__(self, p: npt.ArrayLike) -> F64:
        given = np.asarray(p, np.float32)
        pts = given.reshape(-1, given.shape[-1])
        out = np.zeros(len(pts), np.float32)
        for wave, phase in zip(self.waves.astype(np.float32), self.phase, strict=True):
            arg = pts @ wave
            arg += np.float32(phase)
            out += np.cos(arg, out=arg)
        out *= np.float32(self.amplitude)
        return out.astype(float).reshape(given.shape[:-1])

    def in_mm(self, p: npt.ArrayLike) -> F64:
        """The field divided by its typical gradient: about the distance to its zero set."""
        return self(p) * (self.wavelength / (2 * np.pi))


def linear_weights(positions: F64, n: int) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float32]]:
    """Lower neighbour and weight of the upper one for linear interpolation at positions."""
    pos = np.clip(np.asarray(positions, float), 0.0, n - 1.0)
    low = np.minimum(np.floor(pos).astype(np.intp), max(n - 2, 0))
    weight = (pos - low).astype(np.float32) if n > 1 else np.zeros(pos.shape, np.float32)
    return low, weight


def interp_axis(arr: F32, positions: F64, axis: int) -> F32:
    """Linear interpolation of ``arr`` along ``axis`` at continuous index ``positions``."""
    n = arr.shape[axis]
    low, weight = linear_weights(positions, n)
    shape = [1, 1, 1]
    shape[axis] = len(low)
    w = weight.reshape(shape)
    a = np.take(arr, low, axis=axis)
    if n == 1:
        return a
    b = np.take(arr, low + 1, axis=axis)
    b -= a
    b *= w
    b += a
    return b


def resample(arr: F32, src: Grid, dst: Grid) -> F32:
    """Separable linear resampling between axis-aligned grids (values clamp at the edges)."""
    out = arr
    for axis in (0, 1, 2):
        pos = (dst.axis_mm(axis) - src.origin[2 - axis]) / src.spacing[axis]
        same = src.shape[axis] == dst.shape[axis] and np.allclose(pos, np.arange(len(pos)))
        if not same:
            out = interp_axis(out, pos, axis)
    return np.asarray(out, dtype=np.float32)


def frame_along(direction: npt.ArrayLike, rng: np.random.Generator | None = None) -> F64:
    """A rotation whose first column is ``direction`` (normalised); the others are random
    (or fixed when ``rng`` is None) unit vectors perpendicular to it."""
    a = np.asarray(direction, float)
    a = a / np.linalg.norm(a)
    trial = rng.normal(size=3) if rng is not None else np.array([0.3, -0.5, 0.8])
    b = trial - a * (trial @ a)
    if np.linalg.norm(b) < 1e-6:
        b = np.cross(a, [1.0, 0.0, 0.0])
    b = b / np.linalg.norm(b)
    return np.stack([a, b, np.cross(a, b)], axis=1)


@dataclass(frozen=True)
class Ellipsoid:
    """An ellipsoid in the head frame: semi-axes ``axes`` along the columns of ``rotation``."""

    centre: F64
    axes: F64
    rotation: F64

    @classmethod
    def make(
        cls, centre: npt.ArrayLike, axes: npt.ArrayLike, rotation: npt.ArrayLike | None = None
    ) -> Ellipsoid:
        rot = np.eye(3) if rotation is None else np.asarray(rotation, float)
        return cls(np.asarray(centre, float), np.asarray(axes, float), rot)

    def norm(self, p: npt.ArrayLike) -> F64:
        """1 on the surface, < 1 inside."""
        d = np.asarray(p, float) - self.centre
        q2 = np.zeros(d.shape[:-1])
        for k in range(3):
            q2 += (d @ (self.rotation[:, k] / self.axes[k])) ** 2
        return np.sqrt(q2)

    def signed_mm(self, p: npt.ArrayLike) -> F64:
        """Approximate distance to the surface in mm, positive inside."""
        local = (np.asarray(p, float) - self.centre) @ self.rotation
        q = np.sqrt(np.sum((local / self.axes) ** 2, axis=-1))
        grad = np.linalg.norm(local / self.axes**2, axis=-1) / np.maximum(q, 1e-6)
        grad = np.maximum(grad, 1.0 / self.axes.max())
        return (1.0 - q) / grad
