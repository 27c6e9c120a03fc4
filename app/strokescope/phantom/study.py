"""Generate a seeded paired NCCT + CTA study (and follow-up NCCT) with exact ground truth."""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from strokescope.phantom.anatomy import Anatomy, draw_anatomy
from strokescope.phantom.artifacts import add_noise, noise_rng
from strokescope.phantom.grids import (
    acquisition_geometry,
    default_slices,
    fov_cut_shift,
    head_pose,
    motion_transform,
    without_lowest,
)
from strokescope.phantom.kernels import add_scan_noise, apply_kernel, apply_offset
from strokescope.phantom.lesions import plan_lesions
from strokescope.phantom.mimics import plan_mimics
from strokescope.phantom.options import PhantomOptions
from strokescope.phantom.render import Rendered, Scene, render_grid
from strokescope.phantom.truth import SYNTHETIC, PhantomTruth, study_truth
from strokescope.phantom.tubes import TreePoints
from strokescope.phantom.veins import draw_veins
from strokescope.phantom.vessel_variants import vary_vessels
from strokescope.phantom.vessels import draw_vessels
from strokescope.volume import Geometry, Mask, SeriesMeta, Volume

log = logging.getLogger(__name__)

__all__ = ["SYNTHETIC", "PhantomStudy", "PhantomTruth", "generate_study"]
FOLLOWUP_COVERAGE_MM = 160.0
BLOOD_HU_AT_0, BLOOD_HU_PER_PCT = 6.0, 0.9
"""Blood HU on NCCT = 6 + 0.9 x haematocrit (%): 42 HU at 40 %, 55.5 HU at 55 %."""
VESSEL_GRID_MASKS = ("lumen", "thrombus", "calcification", "dural_calcification", "aneurysm")


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


def _geometries(o: PhantomOptions, anatomy: Anatomy) -> tuple[Geometry, Geometry, Geometry]:
    slices = o.slices or default_slices(o.slice_mm)
    half_width = anatomy.cerebrum.axes[0] + anatomy.csf_gap_mm
    half_width += anatomy.skull_mm + anatomy.scalp_mm

    def shift(matrix: int, inplane: float) -> float:
        if not o.partial_fov:
            return 0.0
        rng = np.random.default_rng([o.seed, 8])  # the same cut on both scans
        return fov_cut_shift(rng, matrix=matrix, inplane_mm=inplane, head_half_width_mm=half_width)

    ncct = acquisition_geometry(
        matrix=o.matrix,
        inplane_mm=o.inplane_mm,
        slice_mm=o.slice_mm,
        slices=slices,
        tilt_deg=o.tilt_deg,
        shift_x_mm=shift(o.matrix, o.inplane_mm),
    )
    cta_slice = o.cta_slice_mm or o.slice_mm
    cta_matrix, cta_inplane = o.cta_matrix or o.matrix, o.cta_inplane_mm or o.inplane_mm
    cta = acquisition_geometry(
        matrix=cta_matrix,
        inplane_mm=cta_inplane,
        slice_mm=cta_slice,
        slices=o.cta_slices or (slices if o.cta_slice_mm is None else default_slices(cta_slice)),
        tilt_deg=o.tilt_deg,
        shift_x_mm=shift(cta_matrix, cta_inplane),
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


def _with_blood(anatomy: Anatomy, o: PhantomOptions) -> Anatomy:
    """``anatomy`` with the blood and CTA lumen HU that ``o`` asks for."""
    hu = anatomy.hu
    if o.haematocrit_pct is not None:
        hu = replace(hu, blood=BLOOD_HU_AT_0 + BLOOD_HU_PER_PCT * o.haematocrit_pct)
    if o.cta_lumen_hu is not None:
        hu = replace(hu, lumen=float(o.cta_lumen_hu))
    return anatomy if hu is anatomy.hu else replace(anatomy, hu=hu)


def _scene(o: PhantomOptions) -> Scene:
    """Anatomy, arteries, lesions, veins and mimics, each from its own seeded stream."""
    anatomy = _with_blood(draw_anatomy(np.random.default_rng([o.seed, 1])), o)
    segments = draw_vessels(np.random.default_rng([o.seed, 2]), anatomy)
    if o.vessel_scale is not None or o.tortuosity > 0 or o.cow_variant != "normal":
        segments = vary_vessels(segments, o, np.random.default_rng([o.seed, 5]))
    plan = plan_lesions(np.random.default_rng([o.seed, 3]), o, segments)
    veins = None
    if o.draws_veins:
        veins = TreePoints.of(draw_veins(np.random.default_rng([o.seed, 6]), anatomy))
    mimics = plan_mimics(np.random.default_rng([o.seed, 7]), o, anatomy, segments)
    tree = TreePoints.of(segments)
    return Scene(anatomy, tree, plan, o.streaks, veins, o.venous_hu or 0.0, mimics)


def _finish_scan(volume: Volume, o: PhantomOptions, phase: str) -> None:
    """Calibration offset, reconstruction kernel and noise of the NCCT or CTA (in place)."""
    spacing = (volume.geometry.spacing[1], volume.geometry.spacing[2])
    kernel = o.cta_kernel if phase == "cta" and o.cta_kernel is not None else o.kernel
    apply_offset(volume.array, o.hu_offset)
    apply_kernel(volume.array, kernel, spacing)
    rng = noise_rng(o.seed, phase)
    texture = o.noise_texture_mm
    add_scan_noise(
        volume.array, o.noise_hu, rng, kernel=kernel, texture_mm=texture, spacing_ji=spacing
    )


def _cut_ncct(ncct: Volume, masks: dict[str, Mask], mm: float) -> tuple[Volume, dict[str, Mask]]:
    """``ncct`` and its ``masks`` (on its grid) without their lowest ``mm`` (at least one
    slice kept)."""
    cut, short = without_lowest(ncct.geometry, mm)
    out = {name: Mask(m.array[cut:], short, m.name) for name, m in masks.items()}
    return Volume(ncct.array[cut:], short, ncct.meta), out


def generate_study(options: PhantomOptions, *, threads: int | None = None) -> PhantomStudy:
    """Render the study described by ``options`` (deterministic for a given seed).

    ``threads`` (default: up to 2) only changes speed, never the result.
    """
    start = time.perf_counter()
    o = options
    workers = threads or max(1, min(2, os.cpu_count() or 1))
    scene = _scene(o)
    anatomy = scene.anatomy
    motion = motion_transform(np.random.default_rng([o.seed, 4]), o.motion_mm)
    pose = head_pose(o.rotation_deg)
    g_ncct, g_cta, g_fu = _geometries(o, anatomy)
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
    _finish_scan(ncct, o, "ncct")
    masks = {"brain": Mask(base.masks["brain"], g_ncct, "brain")}
    if "sah" in base.masks:
        masks["sah"] = Mask(base.masks["sah"], g_ncct, "sah")
    if o.ncct_short_mm > 0:  # before the vessel masks, which may share the NCCT's grid
        ncct, masks = _cut_ncct(ncct, masks, o.ncct_short_mm)
    vessel_src, vessel_geom = (cta_r, g_cta) if cta_r is not None else (base, g_ncct)
    for name in VESSEL_GRID_MASKS:
        if name in vessel_src.masks:
            masks[name] = Mask(vessel_src.masks[name], vessel_geom, name)
    cta = None
    if cta_r is not None:
        meta = _meta(o, "cta", cta_slice, ncct_to_cta=motion.tolist())
        cta = Volume(cta_r.images["cta"], g_cta, meta)
        _finish_scan(cta, o, "cta")
    followup, hem_hu = None, None
    if fu_r is not None:
        followup = Volume(fu_r.images["followup"], g_fu, _meta(o, "followup", o.followup_slice_mm))
        hem = fu_r.masks["hemorrhage"]
        masks["hemorrhage"] = Mask(hem, g_fu, "hemorrhage")
        hem_hu = float(followup.array[hem].mean()) if hem.any() else None
        add_noise(followup.array, o.noise_hu, noise_rng(o.seed, "followup"))
    truth = study_truth(o, scene, masks, motion, hem_hu, anatomy.hu.lumen, anatomy.hu.blood)
    truth = replace(truth, generation_seconds=round(time.perf_counter() - start, 3))
    return PhantomStudy(ncct, cta, followup, masks, truth, o)
