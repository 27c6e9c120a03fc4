"""Dural venous sinuses and cortical veins: drawn on the cerebrum's surface, rendered as tubes.

The superior sagittal sinus runs in the midline just outside the cerebrum from the frontal
pole over the vertex to the torcula; the straight sinus joins it there from the vein of
Galen; the transverse sinuses run laterally from the torcula and turn down as the sigmoid
sinuses to the jugular bulbs. A few cortical veins climb the convexity to the sagittal
sinus. Blood HU on NCCT, blood HU plus ``venous_hu`` on CTA.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from strokescope.phantom.anatomy import Anatomy
from strokescope.phantom.shapes import F32, ramp
from strokescope.phantom.splines import catmull_rom
from strokescope.phantom.tubes import TreePoints, render_tubes
from strokescope.phantom.vessels import Segment
from strokescope.volume import Geometry

Point = tuple[float, float, float]


def _surface(anatomy: Anatomy, azimuth: float, elevation: float, out_mm: float) -> Point:
    """Point ``out_mm`` outside the cerebrum in the direction (azimuth from posterior
    towards the left, elevation), both in degrees."""
    c, a = anatomy.cerebrum.center, anatomy.cerebrum.axes
    az, el = math.radians(azimuth), math.radians(elevation)
    u = (math.sin(az) * math.cos(el), math.cos(az) * math.cos(el), math.sin(el))
    return (
        c[0] + (a[0] + out_mm) * u[0],
        c[1] + (a[1] + out_mm) * u[1],
        c[2] + (a[2] + out_mm) * u[2],
    )


def _tube(name: str, control: list[Point], radii: list[float]) -> Segment:
    pts, _ = catmull_rom(control)
    s = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(pts, axis=0), axis=1))])
    r = np.interp(s / s[-1], np.linspace(0, 1, len(radii)), radii)
    return Segment(
        name, "mid", pts, r, r + 0.05, np.full(len(s), 45.0), s, np.zeros(len(s), np.int8)
    )


def draw_veins(rng: np.random.Generator, anatomy: Anatomy) -> list[Segment]:
    """The sinuses and 2-4 cortical veins per side of ``anatomy`` (seeded by ``rng``)."""
    sc, out = anatomy.scale, anatomy.csf_gap_mm * 0.5

    def jit(v: float, mm: float = 1.5) -> float:
        return float(v + rng.normal(scale=mm))

    sss_el = np.linspace(-35.0, 90.0, 6)  # elevation over the anterior then posterior half
    sss = [_surface(anatomy, 180.0, jit(e, 2.0), out + 1.0) for e in sss_el[:-1]]
    sss += [_surface(anatomy, 0.0, jit(e, 2.0), out + 1.5) for e in (80.0, 45.0, 10.0)]
    torcula = _surface(anatomy, 0.0, jit(-26.0, 2.0), out + 2.0)
    sss = [(0.0, y, z) for _, y, z in sss] + [(0.0, torcula[1], torcula[2])]
    r_sss = float(rng.uniform(3.0, 4.0))
    veins = [_tube("superior sagittal sinus", sss, [0.35 * r_sss, 0.8 * r_sss, r_sss])]
    galen = (0.0, jit(28.0 * sc), jit(14.0 * sc))
    mid = (0.0, 0.5 * (galen[1] + torcula[1]), 0.5 * (galen[2] + torcula[2]) + 3.0)
    veins.append(_tube("straight sinus", [galen, mid, (0.0, torcula[1], torcula[2])], [2.0, 2.6]))
    r_tr = float(rng.uniform(3.0, 4.5))
    for sg, side in ((1.0, "left"), (-1.0, "right")):
        el = -26.0 + float(rng.normal(scale=2.0))
        transverse = [(0.0, torcula[1], torcula[2])]
        transverse += [_surface(anatomy, sg * az, el, out + 2.0) for az in (25.0, 50.0, 72.0)]
        x, y, z = transverse[-1]
        sigmoid = [
            (x - sg * 4.0, y - 4.0, z - 14.0),
            (x - sg * 10.0, y - 6.0, z - 30.0),
            (x - sg * 16.0, y - 12.0, z - 44.0),
        ]
        name = f"transverse-sigmoid sinus {side}"
        veins.append(_tube(name, transverse + sigmoid, [r_tr, r_tr, 0.9 * r_tr]))
        for k in range(int(rng.integers(2, 5))):
            az = sg * float(rng.uniform(40.0, 150.0))
            el0 = float(rng.uniform(-5.0, 30.0))
            climb = [_surface(anatomy, az, e, out) for e in np.linspace(el0, 78.0, 4)]
            ends = _nearest(climb[-1], veins[0])
            cortical = [*climb, ends]
            radius = float(rng.uniform(0.7, 1.3))
            veins.append(_tube(f"cortical vein {side} {k}", cortical, [radius, radius * 1.2]))
    return veins


def _nearest(p: Point, g: Segment) -> Point:
    k = int(np.argmin(np.linalg.norm(g.points - np.asarray(p), axis=1)))
    return tuple(float(v) for v in g.points[k])  # type: ignore[return-value]


def overlay_veins(
    tree: TreePoints,
    fine: Geometry,
    pose: npt.NDArray[np.float64],
    images: dict[str, F32],
    width: float,
    blood_hu: float,
    venous_hu: float,
) -> None:
    """Paint the veins (in place, partial volume by distance) into every phase image."""
    field = render_tubes(tree, fine, pose)
    if field is None:
        return
    near = np.nonzero(field.sd < np.float32(width))
    cover = ramp(-field.sd[near], width)
    for phase, image in images.items():
        hu = np.float32(blood_hu + (venous_hu if phase == "cta" else 0.0))
        vals = image[field.slices][near]
        vals += cover * (hu - vals)
        image[field.slices][near] = vals
