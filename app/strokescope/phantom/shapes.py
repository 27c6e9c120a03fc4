"""Analytic solids evaluated on head-frame coordinates, and partial-volume ramps.

The head frame is patient LPS before the head pose is applied: x to the patient's left,
y posterior, z superior, origin at the circle of Willis. Signed distances are approximate
(negative inside, in mm) and exact enough for layers a few mm thick.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]
ArrayF = npt.NDArray[np.floating]


def ramp(value: ArrayF, width: float) -> F32:
    """Partial-volume coverage of a voxel ``width`` mm wide whose centre lies ``value`` mm
    inside a surface: 0.5 on the surface, 0 and 1 beyond half a width."""
    out = np.asarray(value, dtype=np.float32) * np.float32(1.0 / width)
    out += np.float32(0.5)
    return np.clip(out, 0.0, 1.0, out=out)


def smooth_min(a: F32, b: F32, k: float) -> F32:
    """Polynomial smooth union of two signed distances (blend radius ``k`` mm)."""
    h = np.clip(np.float32(k) - np.abs(a - b), 0.0, None) * np.float32(1.0 / k)
    return np.minimum(a, b) - h * h * np.float32(k / 4.0)


def rotation(ax: float = 0.0, ay: float = 0.0, az: float = 0.0) -> npt.NDArray[np.float64]:
    """Rotation matrix R = Rz @ Ry @ Rx for angles in radians about the head axes."""
    cx, sx, cy, sy, cz, sz = np.cos(ax), np.sin(ax), np.cos(ay), np.sin(ay), np.cos(az), np.sin(az)
    rx = np.array([[1, 0, 0], [0, cx, -sx], [0, sx, cx]])
    ry = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    rz = np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]])
    return rz @ ry @ rx


@dataclass(frozen=True, eq=False)
class Ellipsoid:
    """An ellipsoid with semi-axes ``axes`` along the columns of ``frame`` (head frame, mm)."""

    center: tuple[float, float, float]
    axes: tuple[float, float, float]
    frame: npt.NDArray[np.float64] | None = None

    @property
    def extent(self) -> npt.NDArray[np.float64]:
        """Half-size of the axis-aligned box holding the ellipsoid."""
        a = np.asarray(self.axes)
        if self.frame is None:
            return a
        return np.sqrt((np.asarray(self.frame) ** 2) @ (a**2))

    def bounds(
        self, margin: float = 0.0
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        c = np.asarray(self.center)
        e = self.extent + margin
        return c - e, c + e

    def sd(self, x: ArrayF, y: ArrayF, z: ArrayF) -> F32:
        """Approximate signed distance (mm) at head-frame coordinates."""
        c = self.center
        inv = [np.float32(1.0 / a) for a in self.axes]
        d = (x - np.float32(c[0]), y - np.float32(c[1]), z - np.float32(c[2]))
        if self.frame is None:
            u = [d[i] * inv[i] for i in range(3)]
        else:
            f = np.asarray(self.frame, dtype=np.float32)
            u = [(d[0] * f[0, i] + d[1] * f[1, i] + d[2] * f[2, i]) * inv[i] for i in range(3)]
        r2 = u[0] * u[0]
        r2 += u[1] * u[1]
        r2 += u[2] * u[2]
        r = np.sqrt(r2, out=r2)
        r -= np.float32(1.0)
        r *= np.float32(min(self.axes) * 0.5 + float(np.mean(self.axes)) * 0.5)
        return np.asarray(r, dtype=np.float32)


@dataclass(frozen=True, eq=False)
class Waves:
    """A sum of random plane waves: smooth, seeded, rotation-independent texture."""

    k: npt.NDArray[np.float64]  # (m, 3) wave vectors, rad/mm
    phase: npt.NDArray[np.float64]  # (m,)
    amp: npt.NDArray[np.float64]  # (m,)

    @classmethod
    def random(
        cls, rng: np.random.Generator, *, count: int, wavelength_mm: tuple[float, float]
    ) -> Waves:
        direction = rng.normal(size=(count, 3))
        direction /= np.linalg.norm(direction, axis=1, keepdims=True)
        lam = rng.uniform(*wavelength_mm, size=count)
        k = direction * (2 * np.pi / lam)[:, None]
        amp = np.full(count, np.sqrt(2.0 / count))
        return cls(k, rng.uniform(0, 2 * np.pi, size=count), amp)

    def __call__(self, x: ArrayF, y: ArrayF, z: ArrayF) -> F32:
        """Unit-variance texture at head-frame coordinates."""
        out: F32 | None = None
        for (kx, ky, kz), ph, a in zip(self.k, self.phase, self.amp, strict=True):
            arg = x * np.float32(kx) + y * np.float32(ky)
            arg += z * np.float32(kz) + np.float32(ph)
            term = np.cos(arg, out=arg) * np.float32(a)
            out = term if out is None else out + term
        assert out is not None
        return np.asarray(out, dtype=np.float32)
