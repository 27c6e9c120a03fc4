"""Calcified mimics of a clot: siphon plaques and optional falx, pineal and plexus deposits.

Plaques sit in the ICA wall along the cavernous siphon, half in the lumen edge, 200-700 HU
on both scans. None of them is thrombus: a calcification-only case has occlusion "none".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from strokescope.phantom_b.tubes import Tube, spline

F64 = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Deposit:
    """A small calcified capsule in the head frame."""

    name: str
    points: F64
    radii: F64
    hu: float


def _perpendicular(t: F64, rng: np.random.Generator) -> F64:
    v = rng.normal(size=3)
    v -= (v @ t) * t
    return v / np.linalg.norm(v)


def plan_deposits(
    arteries: dict[str, Tube], falx_x: float, rng: np.random.Generator
) -> list[Deposit]:
    """Siphon plaques on both ICAs (1-3 each) plus, each with even odds, falx/pineal/plexus."""
    out: list[Deposit] = []
    for x in ("L", "R"):
        ica = arteries[f"ICA_{x}"]
        n = len(ica.points)
        for k in range(int(rng.integers(1, 4))):
            i = int(rng.uniform(0.62, 0.9) * (n - 1))
            t = ica.points[min(i + 2, n - 1)] - ica.points[max(i - 2, 0)]
            t /= np.linalg.norm(t)
            c = ica.points[i] + _perpendicular(t, rng) * ica.radii[i] * rng.uniform(0.75, 1.0)
            half = rng.uniform(0.8, 2.2)
            pts = spline(np.array([c - half * t, c, c + half * t]))
            r = np.full(len(pts), rng.uniform(0.5, 1.0))
            out.append(Deposit(f"plaque_{x}{k}", pts, r, float(rng.uniform(200.0, 700.0))))
    if rng.random() < 0.5:
        y, z = rng.uniform(-20, 30), rng.uniform(26, 45)
        half = rng.uniform(2.0, 5.0)
        pts = spline(np.array([[falx_x, y - half, z], [falx_x, y, z + 0.5], [falx_x, y + half, z]]))
        out.append(Deposit("falx", pts, np.full(len(pts), 0.7), float(rng.uniform(300, 600))))
    if rng.random() < 0.5:
        c = np.array([0.0, 24.0, 5.0]) + rng.normal(0, 0.7, 3)
        pts = spline(np.array([c - [0, 0.6, 0], c, c + [0, 0.6, 0]]))
        r = np.full(len(pts), rng.uniform(1.2, 2.2))
        out.append(Deposit("pineal", pts, r, float(rng.uniform(150, 400))))
    if rng.random() < 0.5:
        for s in (1.0, -1.0):
            c = np.array([s * 17.0, 22.0, 13.0]) + rng.normal(0, 0.7, 3)
            pts = spline(np.array([c - [0, 1.0, 0], c, c + [0, 1.0, 0]]))
            r = np.full(len(pts), rng.uniform(1.0, 1.8))
            out.append(Deposit("plexus", pts, r, float(rng.uniform(100, 250))))
    return out
