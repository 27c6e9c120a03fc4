"""Generate a seeded paired NCCT + CTA study (and follow-up NCCT) with exact ground truth."""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from strokescope import RESEARCH_ONLY
from strokescope.phantom.anatomy import draw_anatomy
from strokescope.phantom.artifacts import add_noise, noise_rng
from strokescope.phantom.grids import (
    acquisition_geometry,
    default_slices,
    head_pose,
    motion_transform,
)
from strokescope.phantom.lesions import plan_lesions
from strokescope.phantom.options import PhantomOptions
from strokescope.phantom.render import Rendered, Scene, render_grid
from strokescope.phantom.tubes import TreePoints
from strokescope.phantom.vessels import draw_vessels
from strokescope.volume import Geometry, Mask, SeriesMeta, Volume

log = logging.getLogger(__name__)

SYNTHETIC = (
    "Synthetic phantom: computer-generated anatomy, not patient data; all identifiers are "
    "synthetic."
)
FOLLOWUP_COVERAGE_MM = 160.0


@dataclass(frozen=True)
class PhantomTruth:
    """Ground truth of a generated study (lengths mm, volumes mm^3 or mL, points LPS mm).

    ``thrombus_*`` are ``None`` without occlusion. ``thrombus_hu_ncct``/``_cta`` are the
    clot's material attenuations; ``thrombus_volume_mm3`` is the analytic clot volume
    (integral of the lumen cross-section along the clot), ``thrombus_mask_volume_mm3`` the
    volume of the CTA-grid mask. ``ncct_to_cta`` maps NCCT patient coordinates to CTA
    patient coordinates (4x4, the simulated motion).
    """

    seed: int
    options: dict[str, Any]
    occlusion_site: str
    occlusion_class: str
    side: str
    thrombus_length_mm: float | None
    thrombus_volume_mm3: float | None
    thrombus_mask_volume_mm3: float | None
    thrombus_hu_ncct: float | None
    thrombus_hu_cta: float | None
    perviousness_hu: float | None
    distal_enhancement_fraction: float | None
    thrombus_centroid_lps: tuple[float, float, float] | None
    calcification_present: bool
    sah_present: bool
    hemorrhage_type: str
    hemorrhage_target_ml: float
    hemorrhage_volume_ml: float
    hemorrhage_mean_hu: float | None
    lumen_hu_cta: float
    blood_hu_ncct: float
    ncct_to_cta: tuple[tuple[float, ...], ...]
    generation_seconds: float = 0.0
    research_use: str = RESEARCH_ONLY
    synthetic: str = SYNTHETIC

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in self.__dict__.items():
            if isinstance(value, tuple):
                value = [list(v) if isinstance(v, tuple) else v for v in value]
            out[key] = value
        return out


@dataclass(frozen=True, eq=False)
class PhantomStudy:
    """The generated volumes, masks (keyed by name) and truth.

    Masks: ``brain`` on the NCCT grid; ``lumen`` (opacified arterial lumen), ``thrombus``
    and ``calcification`` on the CTA grid (NCCT grid without CTA); ``sah`` on the NCCT
    grid; ``hemorrhage`` on the follow-up grid.
    """

    ncct: Volume
    cta: Volume | None
    followup: Volume | None
    masks: dict[str, Mask]
    truth: PhantomTruth
    options: PhantomOptions = field(default_factory=PhantomOptions)


def _geometries(o: PhantomOptions) -> tuple[Geometry, Geometry, Geometry]:
    slices = o.slices or default_slices(o.slice_mm)
    ncct = acquisition_geometry(
        matrix=o.matrix,
        inplane_mm=o.inplane_mm,
        slice_mm=o.slice_mm,
        slices=slices,
        tilt_deg=o.tilt_deg,
    )
    cta_slice = o.cta_slice_mm or o.slice_mm
    cta = acquisition_geometry(
        matrix=o.cta_matrix or o.matrix,
        inplane_mm=o.cta_inplane_mm or o.inplane_mm,
        slice_mm=cta_slice,
        slices=o.cta_slices or (slices if o.cta_slice_mm is None else default_slices(cta_slice)),
        tilt_deg=o.tilt_deg,
    )
    fu_slices = max(1, round(FOLLOWUP_COVERAGE_MM / o.followup_slice_mm))
    followup = acquisition_geometry(
        matrix=o.followup_matrix or o.matrix,
        inplane_mm=o.inplane_mm,
        slice_mm=o.followup_slice_mm,
        slices=fu_slices,
    )
    return ncct, cta, followup


def _meta(o: PhantomOptions, kind: str, slice_mm: float, **extra: Any) -> SeriesMeta:
    descriptions = {"ncct": "NCCT HEAD", "cta": "CTA HEAD", "followup": "NCCT HEAD FOLLOW-UP"}
    return SeriesMeta(
        description=f"{descriptions[kind]} (synthetic phantom seed {o.seed})",
        patient_id=f"SS-PHANTOM-{o.seed:06d}",
        patient_name=f"PHANTOM^SEED{o.seed}",
        contrast_agent="Iohexol 350 mgI/mL (synthetic)" if kind == "cta" else "",
        slice_thickness_mm=slice_mm,
        gantry_tilt_deg=o.tilt_deg if kind != "followup" else 0.0,
        source="strokescope.phantom",
        extra={"phase": kind, **extra},
    )


def generate_study(options: PhantomOptions, *, threads: int | None = None) -> PhantomStudy:
    """Render the study described by ``options`` (deterministic for a given seed).

    ``threads`` (default: up to 2) only changes speed, never the result.
    """
    start = time.perf_counter()
    o = options
    workers = threads or max(1, min(2, os.cpu_count() or 1))
    anatomy = draw_anatomy(np.random.default_rng([o.seed, 1]))
    segments = draw_vessels(np.random.default_rng([o.seed, 2]), anatomy)
    plan = plan_lesions(np.random.default_rng([o.seed, 3]), o, segments)
    scene = Scene(anatomy, TreePoints.of(segments), plan, o.streaks)
    motion = motion_transform(np.random.default_rng([o.seed, 4]), o.motion_mm)
    pose = head_pose(o.rotation_deg)
    g_ncct, g_cta, g_fu = _geometries(o)
    cta_slice = o.cta_slice_mm or o.slice_mm
    shared = o.cta and o.motion_mm == 0 and g_cta == g_ncct
    phases = ("ncct", "cta") if shared else ("ncct",)
    base = render_grid(scene, g_ncct, pose, phases=phases, slice_mm=o.slice_mm, threads=workers)
    log.info("ncct rendered in %.2f s", time.perf_counter() - start)
    cta_r: Rendered | None = None
    if o.cta:
        cta_r = (
            base
            if shared
            else render_grid(
                scene, g_cta, motion @ pose, phases=("cta",), slice_mm=cta_slice, threads=workers
            )
        )
    fu_r: Rendered | None = None
    if o.hemorrhage != "none":
        fu_r = render_grid(
            scene,
            g_fu,
            pose,
            phases=("followup",),
            slice_mm=o.followup_slice_mm,
            threads=workers,
        )
    ncct = Volume(base.images["ncct"], g_ncct, _meta(o, "ncct", o.slice_mm))
    add_noise(ncct.array, o.noise_hu, noise_rng(o.seed, "ncct"))
    masks = {"brain": Mask(base.masks["brain"], g_ncct, "brain")}
    if "sah" in base.masks:
        masks["sah"] = Mask(base.masks["sah"], g_ncct, "sah")
    vessel_src, vessel_geom = (cta_r, g_cta) if cta_r is not None else (base, g_ncct)
    for name in ("lumen", "thrombus", "calcification"):
        if name in vessel_src.masks:
            masks[name] = Mask(vessel_src.masks[name], vessel_geom, name)
    cta = None
    if cta_r is not None:
        meta = _meta(o, "cta", cta_slice, ncct_to_cta=motion.tolist())
        cta = Volume(cta_r.images["cta"], g_cta, meta)
        add_noise(cta.array, o.noise_hu, noise_rng(o.seed, "cta"))
    followup, hem_hu = None, None
    if fu_r is not None:
        followup = Volume(fu_r.images["followup"], g_fu, _meta(o, "followup", o.followup_slice_mm))
        hem = fu_r.masks["hemorrhage"]
        masks["hemorrhage"] = Mask(hem, g_fu, "hemorrhage")
        hem_hu = float(followup.array[hem].mean()) if hem.any() else None
        add_noise(followup.array, o.noise_hu, noise_rng(o.seed, "followup"))
    truth = _truth(o, scene, masks, motion, hem_hu, anatomy.hu.lumen, anatomy.hu.blood)
    truth = replace(truth, generation_seconds=round(time.perf_counter() - start, 3))
    return PhantomStudy(ncct, cta, followup, masks, truth, o)


def _truth(
    o: PhantomOptions,
    scene: Scene,
    masks: dict[str, Mask],
    motion: npt.NDArray[np.float64],
    hem_hu: float | None,
    lumen_hu: float,
    blood_hu: float,
) -> PhantomTruth:
    th = scene.plan.thrombus
    length = volume = mask_volume = centroid = None
    if th is not None:
        tree = scene.tree
        sl = slice(int(tree.offsets[th.segment]), int(tree.offsets[th.segment + 1]))
        s, r = tree.s[sl], tree.radius[sl]
        ds = np.linspace(th.s0, th.s1, 400)
        volume = float(np.trapezoid(np.pi * np.interp(ds, s, r) ** 2, ds))
        length = th.length_mm
        m = masks.get("thrombus")
        if m is not None and m.voxel_count:
            mask_volume = m.volume_mm3
            idx = np.argwhere(m.array).mean(axis=0)
            centroid = tuple(float(v) for v in m.geometry.index_to_lps(idx))
    hem = masks.get("hemorrhage")
    return PhantomTruth(
        seed=o.seed,
        options=o.to_dict(),
        occlusion_site=o.occlusion,
        occlusion_class=o.occlusion_class,
        side=o.side,
        thrombus_length_mm=None if length is None else round(length, 3),
        thrombus_volume_mm3=None if volume is None else round(volume, 2),
        thrombus_mask_volume_mm3=None if mask_volume is None else round(mask_volume, 2),
        thrombus_hu_ncct=None if th is None else round(th.hu_ncct, 2),
        thrombus_hu_cta=None if th is None else round(th.hu_cta, 2),
        perviousness_hu=None if th is None else round(th.hu_cta - th.hu_ncct, 2),
        distal_enhancement_fraction=None if th is None else round(th.distal_fraction, 3),
        thrombus_centroid_lps=centroid,  # type: ignore[arg-type]
        calcification_present=bool(scene.plan.plaques),
        sah_present=bool(scene.plan.sah_points.any()),
        hemorrhage_type=o.hemorrhage,
        hemorrhage_target_ml=o.hemorrhage_ml,
        hemorrhage_volume_ml=0.0 if hem is None else round(hem.volume_ml, 4),
        hemorrhage_mean_hu=None if hem_hu is None else round(hem_hu, 2),
        lumen_hu_cta=round(lumen_hu, 2),
        blood_hu_ncct=round(blood_hu, 2),
        ncct_to_cta=tuple(tuple(float(v) for v in row) for row in motion),
    )
