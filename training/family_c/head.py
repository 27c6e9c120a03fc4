"""The head: an irregular closed shape, scalp, skull tables and diploe, skull base, brain.

:class:`HeadShape` answers geometric questions in the head frame (mm, origin at the head
centre): the radial depth below the scalp surface, the skull thickness there, the height of
the skull-base floor. :func:`compose_head` turns it and :class:`~.tissue.BrainTissue` into
NCCT and CTA arrays on the internal grid: smooth fields are evaluated on a coarse grid
(2 mm), interpolated to the internal grid, and every boundary gets a one-voxel
partial-volume ramp.
"""

from __future__ import annotations

import numpy as np

from training.family_c.fields import F32, F64, Grid, Pose, SmoothField, resample
from training.family_c.options import HeadOptions
from training.family_c.tissue import BrainTissue

COARSE_MM = 2.0
AIR_HU = -1000.0


def _unit(p: F64) -> tuple[F64, F64]:
    r = np.linalg.norm(p, axis=-1)
    return r, p / np.maximum(r, 1e-6)[..., None]


class HeadShape:
    """Geometry of one head in its own frame (x left, y posterior, z up; mm)."""

    def __init__(self, opts: HeadOptions, rng: np.random.Generator) -> None:
        s = opts.scale
        self.scale = s
        self.radii = np.array([opts.width_mm, opts.length_mm, opts.height_mm]) * s / 2
        self.wobble = opts.wobble
        self.scalp_mm = opts.scalp_mm * s
        self.skull_mm = opts.skull_mm * s
        self.floor_mm = opts.floor_mm * s
        self._shape = SmoothField(rng, 1.6, 12)
        self._scalp = SmoothField(rng, 1.3, 8)
        self._skull = SmoothField(rng, 1.0, 8)
        self._floor = SmoothField(rng, 50.0 * s, 10, dim=2)
        self.floor_z0 = float(self.radii[2] * (2 * opts.base_fraction - 1))
        self.floor_slope = float(rng.uniform(0.1, 0.3))
        # the posterior fossa: the floor sinks behind the clivus
        self.fossa_y = float(rng.uniform(20, 35)) * s
        self.fossa_depth = float(rng.uniform(15, 30)) * s
        self.fossa_sigma = np.array([rng.uniform(25, 35), rng.uniform(20, 30)]) * s

    def rho(self, u: F64) -> F64:
        """Distance from the centre to the scalp surface along unit directions ``u``."""
        ellipsoid = 1.0 / np.sqrt(np.sum((u / self.radii) ** 2, axis=-1))
        return ellipsoid * (1.0 + self.wobble * np.clip(self._shape(u), -2.5, 2.5))

    def scalp(self, u: F64) -> F64:
        return self.scalp_mm * (1.0 + 0.25 * np.clip(self._scalp(u), -2, 2))

    def skull(self, u: F64) -> F64:
        return self.skull_mm * (1.0 + 0.3 * np.clip(self._skull(u), -2, 2))

    def depth(self, p: F64) -> F64:
        """Radial depth below the scalp surface (negative outside the head)."""
        r, u = _unit(np.asarray(p, float))
        return self.rho(u) - r

    def inner_depth(self, p: F64) -> F64:
        """Radial depth below the inner table of the skull (positive in the cranial cavity)."""
        r, u = _unit(np.asarray(p, float))
        return self.rho(u) - r - self.scalp(u) - self.skull(u)

    def floor(self, p: F64) -> F64:
        """Height of the skull-base floor under (x, y): higher in front, lower behind."""
        xy = np.asarray(p, float)[..., :2]
        wave = 3.0 * self.scale * self._floor(xy)
        rel = (xy - np.array([0.0, self.fossa_y])) / self.fossa_sigma
        fossa = self.fossa_depth * np.exp(-0.5 * np.sum(rel**2, axis=-1))
        return self.floor_z0 - self.floor_slope * xy[..., 1] + wave - fossa

    def brain_margin(self, p: F64) -> F64:
        """How deep inside the brain compartment a point lies (mm; negative outside)."""
        q = np.asarray(p, float)
        return np.minimum(self.inner_depth(q), q[..., 2] - self.floor(q))

    def reach(self, start: F64, direction: F64, length: float, margin: float) -> float:
        """How far from ``start`` along ``direction`` the brain margin stays >= ``margin``."""
        d = np.asarray(direction, float) / np.linalg.norm(direction)
        steps = np.arange(0.0, length + 1e-9, 0.5 * self.scale)
        ok = self.brain_margin(np.asarray(start)[None, :] + steps[:, None] * d) >= margin
        bad = np.flatnonzero(~ok)
        if len(bad) == 0:
            return float(length)
        return float(steps[bad[0] - 1]) if bad[0] > 0 else 0.0


def _coarse_grid(grid: Grid) -> Grid:
    if grid.spacing[0] >= 0.75 * COARSE_MM:
        return grid
    lo = np.asarray(grid.origin) - COARSE_MM
    hi = lo + np.asarray(grid.shape[::-1]) * np.asarray(grid.spacing[::-1]) + 2 * COARSE_MM
    return Grid.covering(lo, hi, (COARSE_MM, COARSE_MM, COARSE_MM))


def _coarse_fields(
    head: HeadShape, tissue: BrainTissue, pose: Pose, coarse: Grid
) -> dict[str, F32]:
    pts = pose.to_head(coarse.points())
    r, u = _unit(pts)
    depth = head.rho(u) - r
    scalp = head.scalp(u)
    fields = {
        "depth": depth,
        "skull": (depth - scalp) / head.skull(u),
        "below_floor": head.floor(pts) - pts[:, 2],
        "brain": tissue.brain_hu(pts),
        "sulcus": tissue.sulcus_mm(pts),
    }
    if tissue.falx_hu > 0:
        fields["falx"] = tissue.falx_mm(pts)
    return {k: v.reshape(coarse.shape).astype(np.float32) for k, v in fields.items()}


def _pv_(x: F32, h: float) -> F32:
    """In-place partial-volume fraction (see :func:`~.fields.pv`)."""
    x *= np.float32(1.0 / h)
    x += np.float32(0.5)
    return np.clip(x, 0.0, 1.0, out=x)


def _skull_hu(skull: F32, opts: HeadOptions, thickness: float, h: float) -> F32:
    """Tables (outer ~30 %, inner ~25 % of the thickness) around the diploe."""
    table = _pv_((0.3 - skull) * np.float32(thickness), h)
    table += _pv_((skull - 0.75) * np.float32(thickness), h)
    np.minimum(table, 1.0, out=table)
    table *= np.float32(opts.table_hu - opts.diploe_hu)
    table += np.float32(opts.diploe_hu)
    return table


def head_box(grid: Grid, head: HeadShape, pose: Pose) -> tuple[tuple[slice, ...], Grid]:
    """The part of ``grid`` the head can occupy (the rest is air)."""
    radii = head.radii * (1 + 2.6 * head.wobble) + 2.0
    half = np.sqrt(((pose.rotation * radii[None, :]) ** 2).sum(axis=1))
    lo = np.floor(grid.to_index(pose.centre - half)).astype(int) - 1
    hi = np.ceil(grid.to_index(pose.centre + half)).astype(int) + 2
    shape = np.asarray(grid.shape)
    lo = np.clip(np.minimum(lo, hi), 0, shape - 1)
    hi = np.clip(np.maximum(lo, hi), lo + 1, shape)
    origin = np.asarray(grid.origin) + lo[::-1] * np.asarray(grid.spacing[::-1])
    sub = Grid(tuple(origin), grid.spacing, tuple(hi - lo))
    return tuple(slice(a, b) for a, b in zip(lo, hi, strict=True)), sub


def compose_head(
    head: HeadShape,
    tissue: BrainTissue,
    opts: HeadOptions,
    pose: Pose,
    grid: Grid,
    enhancement_hu: float,
) -> tuple[F32, F32]:
    """NCCT and CTA arrays of the head (no vessels) on ``grid``."""
    h, s, thick = grid.spacing[0], head.scale, head.skull_mm
    coarse = _coarse_grid(grid)
    c = _coarse_fields(head, tissue, pose, coarse)

    def up(name: str) -> F32:
        return resample(c.pop(name), coarse, grid)

    ncct = _pv_(up("depth"), h)
    ncct *= np.float32(opts.scalp_hu - AIR_HU)
    ncct += np.float32(AIR_HU)
    skull = up("skull")
    bone = _skull_hu(skull, opts, thick, h)
    over = bone - np.float32(opts.scalp_hu)
    over *= _pv_(skull * np.float32(thick), h)
    ncct += over  # now scalp and skull over air
    del over
    skull -= np.float32(1.0)
    skull *= np.float32(thick)  # depth below the inner table, mm
    brain = up("brain")
    cortex = np.clip((np.float32(14.0 * s) - skull) * np.float32(0.25 / s), 0.0, 1.0)
    sulcus = np.abs(up("sulcus"))
    np.subtract(np.float32(tissue.sulcus_width / 2), sulcus, out=sulcus)
    sulcus = _pv_(sulcus, h)
    sulcus *= cortex
    del cortex
    brain += sulcus * (np.float32(tissue.csf_hu) - brain)
    if "falx" in c:
        falx = np.abs(up("falx"))
        np.subtract(np.float32(tissue.falx_thickness / 2), falx, out=falx)
        falx = _pv_(falx, h)
        above = pose.head_axis_on_grid(grid, 2) - np.float32(tissue.falx_z)
        falx *= _pv_(above, 3.0 * s)
        del above
        falx *= np.float32(tissue.falx_hu)
        brain += falx
        del falx
    below = up("below_floor")
    band = _pv_(np.float32(head.floor_mm) - below, h)
    band *= np.float32(opts.base_bone_hu - opts.base_soft_hu)
    band += np.float32(opts.base_soft_hu)  # base HU
    f_base = _pv_(below, h)
    band -= brain
    band *= f_base
    brain += band  # inner HU: brain above the floor, base below
    del band
    brain -= bone
    f_in = _pv_(skull, h)
    brain *= f_in
    ncct += brain
    del brain, bone
    # parenchyma: inside the skull, above the floor, not in a sulcus
    np.subtract(np.float32(1.0), f_base, out=f_base)
    np.subtract(np.float32(1.0), sulcus, out=sulcus)
    f_in *= f_base
    f_in *= sulcus
    f_in *= np.float32(enhancement_hu)
    f_in += ncct
    return ncct, f_in
