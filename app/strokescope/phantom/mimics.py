"""Extra thrombus mimics: dural / choroid-plexus / pineal calcifications and an aneurysm.

Both are small solids painted with partial volume after the vessels. Calcifications have
the same HU on every scan; the saccular aneurysm holds blood (NCCT) that enhances like the
arterial lumen on CTA. Each gets its own mask on the vessel grid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from strokescope.phantom.anatomy import Anatomy
from strokescope.phantom.options import PhantomOptions
from strokescope.phantom.shapes import F32, Ellipsoid, ramp
from strokescope.phantom.tissue import HeadMapping
from strokescope.phantom.vessels import Segment
from strokescope.volume import Geometry

if TYPE_CHECKING:
    from strokescope.phantom.render import MaskAccumulator


@dataclass(frozen=True, eq=False)
class Blob:
    """A solid with its HU on NCCT (and follow-up) and on CTA, and the mask it joins."""

    shape: Ellipsoid
    hu: float
    hu_cta: float
    mask: str


def _calcifications(rng: np.random.Generator, anatomy: Anatomy) -> list[Blob]:
    s = anatomy.scale
    out: list[Blob] = []
    want = rng.uniform(size=3) < 0.7
    if not want.any():
        want[int(rng.integers(0, 3))] = True
    if want[0]:  # falx: thin midline plaques
        for _ in range(int(rng.integers(1, 4))):
            c = (float(rng.normal(scale=0.3)), rng.uniform(-25, 45) * s, rng.uniform(35, 65) * s)
            flat = (rng.uniform(0.6, 1.2), rng.uniform(3.0, 10.0), rng.uniform(2.0, 5.0))
            out.append(_solid(c, flat, float(rng.uniform(300, 900)), "dural_calcification"))
    if want[1]:  # choroid plexus in both atria
        for sg in (1.0, -1.0):
            c = (sg * rng.uniform(12, 16) * s, rng.uniform(26, 32) * s, rng.uniform(16, 22) * s)
            axes = rng.uniform(1.5, 3.5, 3)
            out.append(_solid(c, axes, float(rng.uniform(150, 500)), "dural_calcification"))
    if want[2]:  # pineal gland
        c = (0.0, rng.uniform(23, 27) * s, rng.uniform(7, 11) * s)
        axes = rng.uniform(1.5, 3.0, 3)
        out.append(_solid(c, axes, float(rng.uniform(150, 600)), "dural_calcification"))
    return out


def _ellipsoid(center: npt.ArrayLike, axes: npt.ArrayLike) -> Ellipsoid:
    c, a = np.asarray(center, dtype=float), np.asarray(axes, dtype=float)
    return Ellipsoid(
        (float(c[0]), float(c[1]), float(c[2])), (float(a[0]), float(a[1]), float(a[2]))
    )


def _solid(center: npt.ArrayLike, axes: npt.ArrayLike, hu: float, mask: str) -> Blob:
    return Blob(_ellipsoid(center, axes), hu, hu, mask)


def _aneurysm(rng: np.random.Generator, anatomy: Anatomy, segments: list[Segment]) -> Blob:
    """A 3-7 mm sac on the basilar tip (pointing up) or the AComm (pointing forward-up)."""
    radius = float(rng.uniform(1.5, 3.5))
    by_name = {g.name: g for g in segments}
    if rng.uniform() < 0.5:
        g = by_name["basilar"]
        neck, direction = g.points[-1], g.points[-1] - g.points[-6]
        r_vessel = float(g.radius[-1])
    else:
        g = by_name["AComm"]
        neck, direction = g.points[len(g.points) // 2], np.array([0.0, -0.5, 0.85])
        r_vessel = float(g.radius.mean())
    direction = direction / np.linalg.norm(direction)
    center = neck + direction * (0.8 * radius + 0.5 * r_vessel)
    axes = radius * rng.uniform(0.9, 1.15, 3)
    hu = anatomy.hu
    return Blob(
        _ellipsoid(center, axes), hu.blood, hu.blood + 0.95 * (hu.lumen - hu.blood), "aneurysm"
    )


def plan_mimics(
    rng: np.random.Generator, options: PhantomOptions, anatomy: Anatomy, segments: list[Segment]
) -> tuple[Blob, ...]:
    """The mimics requested by ``options`` (positions, sizes and HU from ``rng``)."""
    blobs: list[Blob] = []
    if options.dural_calcification:
        blobs += _calcifications(rng, anatomy)
    if options.aneurysm:
        blobs.append(_aneurysm(rng, anatomy, segments))
    return tuple(blobs)


def overlay_mimics(
    blobs: tuple[Blob, ...],
    fine: Geometry,
    mapping: HeadMapping,
    images: dict[str, F32],
    masks: MaskAccumulator,
    width: float,
) -> None:
    """Paint ``blobs`` into the phase images (in place) and add their masks."""
    fractions: dict[str, npt.NDArray[np.float32]] = {}
    a, b = mapping.a.astype(np.float32), mapping.b.astype(np.float32)
    for blob in blobs:
        frac_all = fractions.setdefault(blob.mask, np.zeros(fine.shape, np.float32))
        box = mapping.index_box(*blob.shape.bounds(2 * width), fine.shape)
        if box is None:
            continue
        view = tuple(slice(lo, hi) for lo, hi in box)
        k, j, i = np.meshgrid(
            *(np.arange(lo, hi, dtype=np.float32) for lo, hi in box), indexing="ij"
        )
        x, y, z = (k * a[m, 0] + j * a[m, 1] + i * a[m, 2] + b[m] for m in range(3))
        frac = ramp(-blob.shape.sd(x, y, z), width)
        for phase, image in images.items():
            hu = np.float32(blob.hu_cta if phase == "cta" else blob.hu)
            image[view] += frac * (hu - image[view])
        frac_all[view] = np.maximum(frac_all[view], frac)
    for name, frac_all in fractions.items():
        masks.dense(name, frac_all)
