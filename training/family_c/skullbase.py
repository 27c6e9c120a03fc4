"""Dense bony masses of the skull base: petrous-like ridges, a clivus-like block, air cells.

The floor band itself comes from :func:`~.head.compose_head`; here are the irregular masses
that rise above it into the cranial cavity (the sources of streaks and of the beam-hardening
band between them) and the air cells carved into the bone.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from training.family_c.arteries import Segment, smooth_curve
from training.family_c.fields import F64, Ellipsoid, frame_along
from training.family_c.head import HeadShape
from training.family_c.options import HeadOptions
from training.family_c.render import Dense, Sleeve


@dataclass(frozen=True)
class SkullBase:
    """What to paint (bone ridges, then air cells) and where the dense bone is."""

    ridges: list[Sleeve]
    air: list[Dense]
    band: Ellipsoid
    """The region between the petrous ridges where beam hardening darkens the image."""
    dense_points: F64
    """Head-frame centres of the densest bone (streak sources)."""


def _ridge(head: HeadShape, side: int, hu: float, rng: np.random.Generator, step: float) -> Sleeve:
    s, u = head.scale, rng.uniform
    lateral = np.array([side * head.radii[0] * u(0.45, 0.6), u(8, 22) * s, 0.0])
    apex = np.array([side * u(7, 13) * s, u(-6, 4) * s, 0.0])
    mid = (lateral + apex) / 2 + np.array([0, u(-3, 3) * s, 0])
    ctrl = np.stack([lateral, mid, apex])
    ctrl[:, 2] = head.floor(ctrl) + np.array([u(0, 3), u(2, 5), u(1, 4)]) * s
    pts = smooth_curve(ctrl, step, rng, 1.0 * s)
    radius = np.linspace(u(4, 8), u(2, 4), len(pts)) * s
    return Sleeve(pts, radius, hu, hu)


def _clivus(
    head: HeadShape, basilar: Segment, hu: float, rng: np.random.Generator, step: float
) -> Sleeve:
    s = head.scale
    r = float(rng.uniform(4, 7)) * s
    pts = basilar.points[:: max(1, len(basilar.points) // 6)]
    gap = basilar.radius.max() + 2.0 * s + r
    ctrl = pts + np.array([0.0, -gap, 0.0])
    ctrl[:, 0] = 0.0
    ctrl[-1, 2] -= 2.0 * s
    line = smooth_curve(ctrl, step, rng, 0.0)
    return Sleeve(line, np.full(len(line), r), hu, hu)


def _air_cells(head: HeadShape, rng: np.random.Generator, ridges: list[Sleeve]) -> list[Dense]:
    s, u = head.scale, rng.uniform
    cells: list[Dense] = []
    if rng.random() < 0.7:  # a sphenoid-like sinus under the sella
        axes = np.array([u(6, 12), u(6, 10), u(5, 9)]) * s
        centre = np.array([0.0, u(-14, -6) * s, 0.0])
        centre[2] = head.floor(centre) - axes[2] - 1.0 * s
        cells.append(Dense(Ellipsoid.make(centre, axes), -1000.0, -1000.0))
    for ridge in ridges:  # mastoid-like cells at the lateral end of each ridge
        if rng.random() < 0.3:
            continue
        end = ridge.points[0]
        for _ in range(int(rng.integers(4, 12))):
            centre = end + rng.normal(0, 4.0 * s, 3) + np.array([0, 4 * s, -3 * s])
            axes = rng.uniform(0.8, 2.5, 3) * s
            cells.append(Dense(Ellipsoid.make(centre, axes), -1000.0, -1000.0))
    return cells


def skull_base(
    head: HeadShape,
    opts: HeadOptions,
    basilar: Segment,
    rng: np.random.Generator,
    step: float,
) -> SkullBase:
    """The ridges, clivus and air cells of one head."""
    s = head.scale
    hu = [opts.base_bone_hu * float(rng.uniform(0.8, 1.1)) for _ in range(3)]
    ridges = [_ridge(head, side, hu[i], rng, step) for i, side in enumerate((-1, 1))]
    clivus = _clivus(head, basilar, hu[2], rng, step)
    a, b = (
        ridges[0].points[len(ridges[0].points) // 2],
        ridges[1].points[len(ridges[1].points) // 2],
    )
    half = float(np.linalg.norm(b - a)) / 2
    band = Ellipsoid.make(
        (a + b) / 2 + np.array([0, 0, 2.0 * s]),
        [half, float(rng.uniform(3, 7)) * s, float(rng.uniform(2, 5)) * s],
        frame_along(b - a),
    )
    dense = np.stack([a, b, clivus.points[len(clivus.points) // 2]])
    return SkullBase(ridges + [clivus], _air_cells(head, rng, ridges), band, dense)
