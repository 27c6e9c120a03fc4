"""Render one acquisition grid: tissues, vessels with clot, plaques, SAH, follow-up lesions.

Thick slices are rendered as about one sub-slice per mm and averaged (the slice-thickness
effect); thin slices get their partial volume from the analytic ramps. Masks are the voxels
whose averaged coverage is at least one half.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from strokescope.phantom.anatomy import Anatomy
from strokescope.phantom.artifacts import add_streaks
from strokescope.phantom.followup_lesions import render_followup_lesions
from strokescope.phantom.grids import average_subslices, fine_geometry, subslices
from strokescope.phantom.lesions import LesionPlan
from strokescope.phantom.mimics import Blob, overlay_mimics
from strokescope.phantom.shapes import F32, ramp
from strokescope.phantom.tissue import HeadMapping, TissueRenderer
from strokescope.phantom.tubes import TreePoints, render_tubes
from strokescope.phantom.veins import overlay_veins
from strokescope.volume import Geometry

BoolArray = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class Scene:
    """Everything a grid is rendered from (``veins`` None: no venous tree)."""

    anatomy: Anatomy
    tree: TreePoints
    plan: LesionPlan
    streaks: bool
    veins: TreePoints | None = None
    venous_hu: float = 0.0
    mimics: tuple[Blob, ...] = ()


@dataclass(eq=False)
class Rendered:
    """Noise-free images (by phase) and masks on the requested grid."""

    images: dict[str, F32]
    masks: dict[str, BoolArray] = field(default_factory=dict)


def render_grid(
    scene: Scene,
    geom: Geometry,
    pose: npt.NDArray[np.float64],
    *,
    phases: tuple[str, ...],
    slice_mm: float,
    threads: int = 1,
) -> Rendered:
    """Render ``phases`` (``"ncct"``, ``"cta"``, ``"followup"``) of ``scene`` on ``geom``."""
    n_sub = subslices(slice_mm)
    fine = fine_geometry(geom, n_sub)
    tissue = TissueRenderer(scene.anatomy, fine, pose)
    base, brain = tissue.render(threads=threads, enhanced="cta" in phases)
    images = {p: base["cta" if p == "cta" else "ncct"] for p in phases}
    masks = MaskAccumulator(fine.shape, n_sub)
    masks.dense("brain", brain)
    width = float(np.mean(fine.spacing))
    mapping = HeadMapping.of(fine, pose)
    if scene.veins is not None:
        blood = scene.anatomy.hu.blood
        overlay_veins(scene.veins, fine, pose, images, width, blood, scene.venous_hu)
    _overlay_vessels(scene, fine, pose, images, masks, width, mapping)
    if scene.mimics:
        overlay_mimics(scene.mimics, fine, mapping, images, masks, width)
    if "followup" in phases and scene.plan.hemorrhage is not None:
        render_followup_lesions(
            scene.plan.hemorrhage, images["followup"], masks, mapping, geom, width
        )
    if scene.streaks:
        for image in images.values():
            add_streaks(image, mapping, scene.anatomy)
    out = Rendered({p: average_subslices(a, n_sub) for p, a in images.items()})
    out.masks.update(masks.finish())
    return out


class MaskAccumulator:
    """Collects coverage fractions on the fine grid; :meth:`finish` thresholds their
    slice averages at one half (final masks can also be given directly)."""

    def __init__(self, fine_shape: tuple[int, int, int], n_sub: int) -> None:
        self.fine_shape, self.n_sub = fine_shape, n_sub
        self.final_shape = (fine_shape[0] // n_sub, fine_shape[1], fine_shape[2])
        self._dense: dict[str, npt.NDArray[np.generic]] = {}
        self._final: dict[str, BoolArray] = {}

    def dense(self, name: str, values: npt.NDArray[np.generic]) -> None:
        self._dense[name] = values

    def sparse(
        self, name: str, view: tuple[slice, ...], near: tuple[np.ndarray, ...], values: F32
    ) -> None:
        if self.n_sub == 1:
            out = np.zeros(self.fine_shape, bool)
            out[view][near] = values >= np.float32(0.5)
            self._final[name] = out
        else:
            dense = np.zeros(self.fine_shape, np.float32)
            dense[view][near] = values
            self._dense[name] = dense

    def final(self, name: str, mask: BoolArray) -> None:
        self._final[name] = mask

    def fraction(self, name: str) -> npt.NDArray[np.generic] | None:
        return self._dense.get(name)

    def finish(self) -> dict[str, BoolArray]:
        out = dict(self._final)
        for name, values in self._dense.items():
            if self.n_sub == 1 and values.dtype == np.bool_:
                out[name] = values  # type: ignore[assignment]
            else:
                frac = average_subslices(values.astype(np.float32, copy=False), self.n_sub)
                out[name] = frac >= np.float32(0.5)
        return out


def _overlay_vessels(
    scene: Scene,
    fine: Geometry,
    pose: npt.NDArray[np.float64],
    images: dict[str, F32],
    masks: MaskAccumulator,
    width: float,
    mapping: HeadMapping,
) -> None:
    tree, plan, hu = scene.tree, scene.plan, scene.anatomy.hu
    field_ = render_tubes(tree, fine, pose)
    if field_ is None:
        return
    view = field_.slices
    near = np.nonzero(field_.dist - np.float32(tree.sheath.max() + width) < 0)
    dist, sd, gp = field_.dist[near], field_.sd[near], field_.point[near]
    ip = np.rint(gp).astype(np.int64)
    sheath = tree.sheath[ip].astype(np.float32)
    keep = dist - sheath < np.float32(width / 2)
    near = tuple(n[keep] for n in near)
    dist, sd, gp, ip, sheath = dist[keep], sd[keep], gp[keep], ip[keep], sheath[keep]
    f_sheath = ramp(sheath - dist, width)
    f_lumen = ramp(-sd, width)
    s = np.interp(gp, np.arange(len(tree.s)), tree.s).astype(np.float32)
    seg = tree.segment[ip]
    clot = np.zeros(len(s), np.float32)
    th = plan.thrombus
    if th is not None:
        on = seg == th.segment
        clot[on] = ramp(s[on] - np.float32(th.s0), width)[...] * ramp(
            np.float32(th.s1) - s[on], width
        )
    sheath_hu = tree.sheath_hu[ip].astype(np.float32)
    csf = sheath_hu < 0
    sheath_hu[csf] = hu.csf
    sah = np.zeros(len(s), np.float32)
    if plan.sah_points.any():
        idx = np.stack([n + v.start for n, v in zip(near, view, strict=True)], axis=1)
        pts = idx.astype(np.float32) @ mapping.a.T.astype(np.float32) + mapping.b.astype(np.float32)
        tex = plan.sah_texture(pts[:, 0], pts[:, 1], pts[:, 2])
        sah = (plan.sah_points[ip] & csf).astype(np.float32) * ramp(tex + np.float32(0.6), 0.4)
        sheath_hu += sah * (
            np.clip(np.float32(70.0) + tex * np.float32(7.0), 60.0, 80.0) - sheath_hu
        )
        masks.sparse("sah", view, near, f_sheath * (1 - f_lumen) * sah)
    flow = np.where(plan.distal_points[ip], th.distal_fraction if th else 1.0, 1.0)
    radius = (dist - sd).astype(np.float32)
    lumen_cta = np.float32(hu.blood) + (hu.lumen - hu.blood) * flow.astype(np.float32) * (
        np.float32(0.82) + np.float32(0.09) * np.minimum(radius, np.float32(2.0))
    )
    for phase, image in images.items():
        box = image[view]
        vals = box[near]
        vals += f_sheath * (sheath_hu - vals)
        if phase == "cta":
            lumen = lumen_cta + clot * (np.float32(th.hu_cta if th else 0.0) - lumen_cta)
        elif phase == "ncct":
            lumen = np.float32(hu.blood) + clot * np.float32((th.hu_ncct if th else 0.0) - hu.blood)
        else:
            lumen = np.full(len(s), np.float32(hu.blood))
        vals += f_lumen * (lumen - vals)
        box[near] = vals
    masks.sparse("lumen", view, near, f_lumen * (1 - clot))
    if th is not None:
        masks.sparse("thrombus", view, near, f_lumen * clot)
    if plan.plaques:
        _overlay_plaques(scene, fine, mapping, images, masks, width)


def _overlay_plaques(
    scene: Scene,
    fine: Geometry,
    mapping: HeadMapping,
    images: dict[str, F32],
    masks: MaskAccumulator,
    width: float,
) -> None:
    frac_all = np.zeros(fine.shape, np.float32)
    for plaque in scene.plan.plaques:
        box = mapping.index_box(*plaque.shape.bounds(2 * width), fine.shape)
        if box is None:
            continue
        view = tuple(slice(a, b) for a, b in box)
        k, j, i = np.meshgrid(*(np.arange(a, b, dtype=np.float32) for a, b in box), indexing="ij")
        a, b = mapping.a.astype(np.float32), mapping.b.astype(np.float32)
        x, y, z = (k * a[m, 0] + j * a[m, 1] + i * a[m, 2] + b[m] for m in range(3))
        frac = ramp(-plaque.shape.sd(x, y, z), width)
        for image in images.values():
            image[view] += frac * (np.float32(plaque.hu) - image[view])
        frac_all[view] = np.maximum(frac_all[view], frac)
    masks.dense("calcification", frac_all)
