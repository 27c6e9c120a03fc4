"""One family-C case: draw the options, build the scene, paint it, simulate both scans.

:func:`generate_case` is the entry point (a :class:`training.dataset.Case`);
:func:`render_case` also returns the ground truth the tests check against.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

import numpy as np

from strokescope.volume import Mask, SeriesMeta, Volume
from training.dataset import Case
from training.family_c.acquisition import add_streaks, field_box, label_on_output, simulate_scan
from training.family_c.arteries import Segment, build_tree, cisterns
from training.family_c.clot import (
    ClotPlacement,
    VesselValues,
    place_clot,
    upstream_points,
    vessel_values,
)
from training.family_c.fields import F32, F64, Grid, Pose, pv
from training.family_c.head import HeadShape, compose_head, head_box
from training.family_c.mimics import Mimics, draw_mimics
from training.family_c.options import Options, ScanOptions, draw_options
from training.family_c.render import blob, paint_dense, paint_sleeves
from training.family_c.skullbase import SkullBase, skull_base
from training.family_c.tissue import BrainTissue
from training.family_c.vessels import render_arteries

log = logging.getLogger(__name__)
NOTICE = "synthetic phantom (family C), research use only, not for diagnosis"


def case_id(seed: int, index: int) -> str:
    return f"FAMC_{seed}_{index:04d}"


@dataclass(frozen=True, eq=False)
class Rendered:
    """A case and its ground truth (LPS mm points; the clot's output-grid fraction)."""

    case: Case
    options: Options
    clot: ClotPlacement | None
    clot_lps: F64
    proximal_lps: F64
    mimic_lps: F64
    clot_fraction: F32
    clot_fraction_start: tuple[int, int, int]
    seconds: float


@dataclass(frozen=True, eq=False)
class _Scene:
    grid: Grid
    out: Grid
    ncct: F32
    cta: F32
    clot_idx: np.ndarray
    clot_frac: F32
    band: tuple[np.ndarray, F32]
    dense_lps: F64


@dataclass(frozen=True, eq=False)
class Parts:
    """The structures of a case in the head frame, and the pose that places them."""

    head: HeadShape
    segments: list[Segment]
    clot: ClotPlacement | None
    values: VesselValues
    tissue: BrainTissue
    base: SkullBase
    mimics: Mimics
    pose: Pose
    clot_head: F64


def _meta(opts: Options, scan: ScanOptions, name: str, contrast: str) -> SeriesMeta:
    return SeriesMeta(
        description=f"{name} {NOTICE}",
        kernel=scan.kernel,
        contrast_agent=contrast,
        slice_thickness_mm=opts.acquisition.slice_mm,
        source=f"training.family_c seed {opts.seed} index {opts.index}",
    )


def _scene(opts: Options, parts: Parts) -> _Scene:
    """Paint everything on the internal grid."""
    head, pose, base, mimics = parts.head, parts.pose, parts.base, parts.mimics
    acq, h = opts.acquisition, opts.spacing_mm
    clot_world = pose.to_world(parts.clot_head.mean(axis=0)) if len(parts.clot_head) else None
    lo, hi = field_box(acq, head.scale, pose.centre, head.radii, clot_world)
    margin = 3.0 + 2 * h
    _, grid = head_box(Grid.covering(lo - margin, hi + margin, (h, h, h)), head, pose)
    out = Grid.covering(lo, hi, (acq.slice_mm, acq.pixel_mm, acq.pixel_mm))
    enhancement = opts.vessels.parenchyma_enhancement_hu
    ncct, cta = compose_head(head, parts.tissue, opts.head, pose, grid, enhancement)
    fn, fc = ncct.reshape(-1), cta.reshape(-1)
    paint_sleeves(fn, fc, grid, pose, base.ridges)
    paint_dense(fn, fc, grid, pose, base.air)
    paint_sleeves(fn, fc, grid, pose, mimics.sinuses)
    paint_dense(fn, fc, grid, pose, mimics.dense)
    paint_sleeves(fn, fc, grid, pose, mimics.sleeves)
    clot_idx, clot_frac = render_arteries(
        fn, fc, grid, pose, parts.segments, parts.values, opts.vessels, mimics
    )
    band_idx, band_sd = blob(grid, pose, base.band)
    dense = pose.to_world(base.dense_points)
    return _Scene(grid, out, ncct, cta, clot_idx, clot_frac, (band_idx, pv(band_sd, 2 * h)), dense)


def build_parts(opts: Options) -> Parts:
    """The head, tree, clot, tissue, skull base and mimics of a case (head frame)."""
    h, s = opts.spacing_mm, opts.head.scale
    step = h / 3
    head = HeadShape(opts.head, opts.detail_rng(1))
    segments = build_tree(opts.vessels, head, opts.detail_rng(2), step)
    clot = place_clot(
        opts.clot, segments, opts.detail_rng(3), scale=s, min_length=max(3.0 * s, 3.0 * h)
    )
    values = vessel_values(segments, clot, opts.vessels, opts.clot, opts.detail_rng(4), scale=s)
    cist = cisterns(segments, s)
    tissue = BrainTissue(opts.head, head, opts.detail_rng(5), cist)
    basilar = next(seg for seg in segments if seg.kind == "basilar")
    base = skull_base(head, opts.head, basilar, opts.detail_rng(6), step)
    mimics = draw_mimics(
        opts.mimics,
        opts.vessels,
        head,
        segments,
        values,
        (cist, tissue.csf_blobs[:2]),
        opts.detail_rng(7),
        step,
    )
    acq = opts.acquisition
    pose = Pose.from_angles(acq.rotation_deg, np.asarray(acq.shift_mm) * s)
    clot_pts = np.zeros((0, 3))
    if clot is not None:
        arc = segments[clot.segment].arc
        clot_pts = segments[clot.segment].points[(arc >= clot.start_mm) & (arc <= clot.end_mm)]
    return Parts(head, segments, clot, values, tissue, base, mimics, pose, clot_pts)


def render_case(seed: int, index: int, *, tiny: bool = False) -> Rendered:
    """Case ``index`` of ``seed`` with its ground truth."""
    t0 = time.perf_counter()
    opts = draw_options(seed, index, tiny=tiny)
    parts = build_parts(opts)
    scene = _scene(opts, parts)
    acq = opts.acquisition
    scans = []
    for k, (scan, array) in enumerate(((acq.ncct, scene.ncct), (acq.cta, scene.cta))):
        rng = opts.detail_rng(8 + k)
        img = simulate_scan(array, scene.grid, scene.out, scan, acq.slice_mm, rng, scene.band)
        if scan.streak_hu > 0:
            add_streaks(img, scene.out, scene.dense_lps, scan.streak_hu, rng)
        scans.append(img)
    label, fraction, start = label_on_output(
        scene.clot_idx, scene.clot_frac, scene.grid, scene.out, acq.slice_mm
    )
    geom = scene.out.geometry()
    cid = case_id(seed, index)
    case = Case(
        cid,
        Volume(scans[0], geom, _meta(opts, acq.ncct, "NCCT", "")),
        Volume(scans[1], geom, _meta(opts, acq.cta, "CTA", "iodine (synthetic)")),
        Mask(label, geom, "thrombus"),
    )
    seconds = time.perf_counter() - t0
    log.info("%s generated in %.1f s", cid, seconds)
    pose, clot = parts.pose, parts.clot
    proximal = upstream_points(parts.segments, clot, opts.head.scale) if clot else parts.clot_head
    return Rendered(
        case,
        opts,
        clot,
        pose.to_world(parts.clot_head),
        pose.to_world(proximal),
        pose.to_world(parts.mimics.hyperdense_centres()),
        fraction,
        start,
        seconds,
    )


def generate_case(seed: int, index: int, *, tiny: bool = False) -> Case:
    """Case ``index`` of ``seed``: aligned NCCT and CTA (HU) and the thrombus label."""
    return render_case(seed, index, tiny=tiny).case
