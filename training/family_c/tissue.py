"""Brain tissue in the SynthSeg manner: random regions, a bias field, CSF spaces, a falx.

The brain is cut into Voronoi cells of random seeds (cell walls warped by a smooth random
displacement and softened over a few mm), each with its own mean HU; a smooth bias field
is added. CSF fills ventricles (smooth blobs near the centre, larger with atrophy),
cisterns (blobs around the arteries' landmarks, passed in) and sulci (the zero set of a
smooth random field, kept near the cortex by :func:`~.head.compose_head`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from training.family_c.fields import F64, Ellipsoid, SmoothField
from training.family_c.options import HeadOptions

if TYPE_CHECKING:
    from training.family_c.head import HeadShape


def _seeds(head: HeadShape, n: int, rng: np.random.Generator) -> F64:
    d = rng.normal(size=(n, 3))
    d /= np.linalg.norm(d, axis=1, keepdims=True)
    r = rng.uniform(0, 1, n) ** (1 / 3)
    return d * r[:, None] * head.radii * 0.8


def _ventricles(head: HeadShape, atrophy: float, rng: np.random.Generator) -> list[Ellipsoid]:
    s, z0 = head.scale, head.floor_z0
    grow = 0.7 + 0.8 * atrophy
    blobs = []
    y = rng.uniform(-8, 8) * s
    for side in (-1, 1):
        tilt = np.radians(rng.uniform(-12, 12))
        rot = np.array(
            [[1, 0, 0], [0, np.cos(tilt), -np.sin(tilt)], [0, np.sin(tilt), np.cos(tilt)]]
        )
        x = side * (5 + 4 * atrophy + rng.uniform(0, 3)) * s
        centre = (x, y, z0 + rng.uniform(28, 40) * s)
        axes = np.array([rng.uniform(3, 6), rng.uniform(15, 26), rng.uniform(4, 8)]) * s * grow
        blobs.append(Ellipsoid.make(centre, axes, rot))
    extra = [
        Ellipsoid.make((0, y + 6 * s, z0 + 22 * s), np.array([1.5, 9, 6]) * s * grow),
        Ellipsoid.make((0, 30 * s, z0 - 4 * s), np.array([4, 3, 5]) * s * grow),
    ]
    keep = int(rng.integers(0, 3))
    return blobs + extra[:keep]


class BrainTissue:
    """HU of brain tissue and CSF at any point of the head frame."""

    def __init__(
        self,
        opts: HeadOptions,
        head: HeadShape,
        rng: np.random.Generator,
        cisterns: list[Ellipsoid],
    ) -> None:
        s = head.scale
        self.seeds = _seeds(head, opts.n_regions, rng)
        self.region_hu = rng.uniform(20, 48, opts.n_regions)
        self.softness = float(rng.uniform(1.5, 4.0)) * s
        self.warp = [SmoothField(rng, 45.0 * s, 8) for _ in range(3)]
        self.warp_mm = float(rng.uniform(3, 10)) * s
        self.bias = SmoothField(rng, 90.0 * s, 8)
        self.bias_hu = opts.bias_hu / 2.0  # the field is unit-variance: +-2 SD ~ +-bias_hu
        self.csf_hu = opts.csf_hu
        grow = 0.7 + 0.6 * opts.atrophy
        self.csf_blobs = _ventricles(head, opts.atrophy, rng) + [
            Ellipsoid(b.centre, b.axes * grow, b.rotation) for b in cisterns
        ]
        self.sulci = SmoothField(rng, float(rng.uniform(10, 18)) * s, 32)
        self.sulcus_width = float((0.6 + 1.6 * opts.atrophy) * max(s, 0.6))
        self.falx_hu = opts.falx_hu
        self.falx_warp = SmoothField(rng, 60.0 * s, 6, dim=2)
        self.falx_warp_mm = 2.0 * s
        self.falx_thickness = float(rng.uniform(0.7, 1.5))
        self.falx_z = head.floor_z0 + float(rng.uniform(25, 40)) * s

    def regions_hu(self, p: F64) -> F64:
        """Soft Voronoi regions of the warped point plus the bias field."""
        q = p + self.warp_mm * np.stack([w(p) for w in self.warp], axis=-1)
        dist = np.stack([np.linalg.norm(q - c, axis=-1) for c in self.seeds], axis=0)
        dist -= dist.min(axis=0, keepdims=True)
        weight = np.exp(-dist / self.softness)
        hu = (weight * self.region_hu[:, None]).sum(axis=0) / weight.sum(axis=0)
        return hu + self.bias_hu * self.bias(p)

    def csf_fraction(self, p: F64) -> F64:
        """Fraction of CSF in ventricles and cisterns (smooth union of the blobs)."""
        g = np.zeros(p.shape[:-1])
        for blob in self.csf_blobs:
            g += np.exp(-np.log(2.0) * blob.norm(p) ** 2)
        return np.clip((g - 0.5) / 0.3 + 0.5, 0.0, 1.0)

    def brain_hu(self, p: F64) -> F64:
        f = self.csf_fraction(p)
        return self.regions_hu(p) * (1 - f) + f * self.csf_hu

    def sulcus_mm(self, p: F64) -> F64:
        """Signed distance-like field whose zero set is the sulcal network."""
        return self.sulci.in_mm(p)

    def falx_mm(self, p: F64) -> F64:
        """Signed distance from the (gently warped) midsagittal plane."""
        return p[..., 0] - self.falx_warp_mm * self.falx_warp(p[..., 1:])
