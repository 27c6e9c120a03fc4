"""Assemble one family B case: plan the anatomy, place it twice (NCCT, moved CTA), render.

Random streams are split by purpose, so the same seed gives the same head and arteries
whatever the occlusion, side or calcification option; only the clot or deposits change.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from strokescope.errors import InputError
from strokescope.phantom_b import clot as C
from strokescope.phantom_b.arteries import SIDES, build_arteries, build_sinuses
from strokescope.phantom_b.frame import Pose, rotation_matrix
from strokescope.phantom_b.head import sample_head
from strokescope.phantom_b.mimics import plan_deposits
from strokescope.phantom_b.scan import (
    Anatomy,
    ScanSpec,
    clot_mask,
    moved_labels,
    render_labels,
    render_scan,
)
from strokescope.phantom_b.structures import structure_list
from strokescope.phantom_b.tissues import tissue_tables
from strokescope.phantom_b.tubes import F64, Tube
from strokescope.volume import AXIAL_LPS, Geometry, Mask, SeriesMeta, Volume

_CISTERNAL = ("M1_", "A1_", "Acom", "BA", "P1_", "Pcom_", "SCA_")
_SYNTHETIC = "synthetic phantom (family B, evaluation only), research use only"


@dataclass(frozen=True)
class CaseB:
    """One synthetic NCCT + CTA study with its thrombus truth (on the CTA grid)."""

    ncct: Volume
    cta: Volume
    thrombus: Mask
    occlusion: str  # "none" | "ICA" | "M1" | "M2"
    side: str  # "left" | "right"
    occlusion_class: str  # "LVO" | "MeVO" | "none"
    thrombus_length_mm: float | None
    thrombus_volume_mm3: float
    calcification: bool
    distal_fraction: float | None = None
    """Collateral filling beyond the clot: the fraction (0-0.6) of normal enhancement the
    downstream arteries get on the CTA; None without a clot."""
    clot_hu_ncct: float | None = None
    """The clot's NCCT HU as drawn (before blur and noise); None without a clot."""
    perviousness_hu: float | None = None
    """CTA minus NCCT HU inside the clot as drawn; None without a clot."""


def _check(seed: int, occlusion: str, side: str, calcification: bool, quick: bool) -> None:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InputError(f"family B seed must be a non-negative int, got {seed!r}")
    if occlusion not in C.SITES:
        raise InputError(f"family B occlusion must be one of {C.SITES}, got {occlusion!r}")
    if side not in SIDES:
        raise InputError(f"family B side must be 'left' or 'right', got {side!r}")
    if not isinstance(calcification, bool) or not isinstance(quick, bool):
        raise InputError("family B calcification and quick must be True or False")


def _grid(rng: np.random.Generator, pose: Pose, quick: bool) -> Geometry:
    if quick:
        ps, sz, n = 1.0, 1.0, 224
    else:
        ps, n = rng.uniform(0.43, 0.49), 512
        sz = float(rng.choice([0.5, 0.625, 0.75, 0.8, 1.0], p=[0.1, 0.3, 0.2, 0.2, 0.2]))
    ring = [
        (r * np.cos(a), 8 + r * np.sin(a), z)
        for r in (0, 55)
        for a in np.linspace(0, 6.2, 9)
        for z in (-52.0, 50.0)
    ]
    zw = pose.to_world(np.array(ring))[:, 2]
    z0 = zw.min() - rng.uniform(0.0, 3.0)
    nz = min(int(np.ceil((zw.max() - z0) / sz)) + 1, 260)
    c = pose.to_world([0.0, 8.0, 0.0])[:2] + rng.uniform(-3.0, 3.0, size=2)
    half = (n - 1) / 2 * ps
    return Geometry((nz, n, n), (sz, ps, ps), (c[0] - half, c[1] - half, z0), AXIAL_LPS)


def _uid(seed: int, *parts: object) -> str:
    digest = hashlib.sha256(repr((seed, *parts)).encode()).hexdigest()
    return "2.25." + str(int(digest[:30], 16))


def _meta(seed: int, kind: str, geom: Geometry, contrast: bool, quick: bool) -> SeriesMeta:
    return SeriesMeta(
        series_uid=_uid(seed, kind, quick),
        study_uid=_uid(seed, "study", quick),
        frame_of_reference_uid=_uid(seed, "for", quick),
        description=f"family B {kind} (synthetic)",
        patient_id=f"FAMILYB-{seed:06d}",
        patient_name="Synthetic^FamilyB",
        kernel="synthetic soft tissue",
        contrast_agent="synthetic iodinated contrast (family B phantom)" if contrast else "",
        slice_thickness_mm=geom.spacing[0],
        source=_SYNTHETIC,
        extra={"family": "B", "synthetic": True, "seed": seed},
    )


def generate_case_b(
    seed: int, *, occlusion: str, side: str, calcification: bool = False, quick: bool = False
) -> CaseB:
    """Generate one family B case (see the package docstring: evaluation only)."""
    _check(seed, occlusion, side, calcification, quick)
    seed = int(seed)
    anat_rng = np.random.default_rng([seed, 11])
    shape = sample_head(anat_rng)
    arteries = build_arteries(anat_rng)
    sinuses = build_sinuses(shape, anat_rng)
    blobs = structure_list(shape, anat_rng)
    lut_ncct, lut_cta = tissue_tables(anat_rng)
    blood = anat_rng.uniform(38.0, 48.0)
    lumen = anat_rng.uniform(250.0, 450.0)
    vein_nc, vein_cta = anat_rng.uniform(40.0, 50.0), anat_rng.uniform(150.0, 300.0)
    hu = _Hu(lut_ncct, lut_cta, blood, lumen, vein_nc, vein_cta)
    rot = rotation_matrix(anat_rng.normal(size=3), anat_rng.uniform(-10.0, 10.0))
    trans = np.array([anat_rng.uniform(-3, 3), anat_rng.uniform(-8, 8), anat_rng.uniform(-5, 5)])
    pose = Pose(rot, trans, float(anat_rng.uniform(0.9, 1.1)))

    side_code = 0 if side == "left" else 1
    plan = C.plan_clot(
        arteries,
        occlusion,
        side,
        np.random.default_rng([seed, 12, C.SITES.index(occlusion), side_code]),
    )
    deposits = []
    if calcification:
        deposits = plan_deposits(arteries, shape.falx_x, np.random.default_rng([seed, 13]))
    pieces = C.vessel_pieces(arteries, sinuses, plan)
    sleeve = float(anat_rng.uniform(1.2, 2.2))
    anat = Anatomy(shape, blobs, pieces, _sleeves(arteries), sleeve, deposits)

    geom, pose_cta, ncct, cta = _scans(seed, quick, pose, plan, hu)
    labels = render_labels(geom, pose, anat)
    arr_ncct = render_scan(ncct, anat, labels)
    arr_cta = render_scan(cta, anat, moved_labels(labels, geom, pose, pose_cta))
    del labels
    mask, length = clot_mask(geom, pose_cta, anat)
    truth = Mask(mask, geom, name="thrombus (family B truth)")
    return CaseB(
        ncct=Volume(arr_ncct, geom, _meta(seed, "NCCT", geom, False, quick)),
        cta=Volume(arr_cta, geom, _meta(seed, "CTA", geom, True, quick)),
        thrombus=truth,
        occlusion=occlusion,
        side=side,
        occlusion_class=C.OCCLUSION_CLASS[occlusion],
        thrombus_length_mm=length if plan else None,
        thrombus_volume_mm3=truth.volume_mm3,
        calcification=calcification,
        distal_fraction=plan.distal_fraction if plan else None,
        clot_hu_ncct=plan.hu_ncct if plan else None,
        perviousness_hu=plan.perviousness if plan else None,
    )


@dataclass(frozen=True)
class _Hu:
    """The attenuation drawn for one case: tissue tables (label -> HU) and vessel HU."""

    lut_ncct: npt.NDArray[np.float32]
    lut_cta: npt.NDArray[np.float32]
    blood: float
    lumen: float
    vein_ncct: float
    vein_cta: float


def _sleeves(arteries: dict[str, Tube]) -> list[tuple[F64, F64]]:
    """(points, radii) wrapped in CSF: the cisternal arteries, the last 30 points of each
    ICA and the first 30 of each M2."""
    sleeves = [(t.points, t.radii) for n, t in arteries.items() if n.startswith(_CISTERNAL)]
    sleeves += [(t.points[-30:], t.radii[-30:]) for n, t in arteries.items() if n.startswith("ICA")]
    sleeves += [(t.points[:30], t.radii[:30]) for n, t in arteries.items() if n.startswith("M2")]
    return sleeves


def _scans(
    seed: int, quick: bool, pose: Pose, plan: C.ClotPlan | None, hu: _Hu
) -> tuple[Geometry, Pose, ScanSpec, ScanSpec]:
    """The grid, the CTA's pose (the head moved a little) and the NCCT and CTA scans."""
    acq = np.random.default_rng([seed, 14, int(quick)])
    geom = _grid(acq, pose, quick)
    motion = rotation_matrix(acq.normal(size=3), acq.uniform(0.0, 2.0))
    shift = acq.normal(size=3)
    shift *= acq.uniform(0.0, 2.0) / np.linalg.norm(shift)
    pose_cta = pose.moved(motion, shift)
    # the blur is the scanner's point spread: 0.5-0.7 voxel of a 0.46 mm grid, in mm
    blur_vox = min(0.46 / geom.spacing[2], 1.0)
    f = plan.distal_fraction if plan else 0.0
    clot_nc = plan.hu_ncct if plan else 60.0
    clot_cta = clot_nc + (plan.perviousness if plan else 0.0)
    ncct = ScanSpec(
        geom,
        pose,
        hu.lut_ncct,
        {C.NORMAL: hu.blood, C.DISTAL: hu.blood, C.VEIN: hu.vein_ncct, C.CLOT: clot_nc},
        blur_vox * acq.uniform(0.5, 0.7),
        acq.uniform(8.0, 22.0),
        acq.uniform(3.0, 7.0),
        (seed, 15, int(quick), 0),
    )
    cta = ScanSpec(
        geom,
        pose_cta,
        hu.lut_cta,
        {
            C.NORMAL: hu.lumen,
            C.DISTAL: hu.blood + f * (hu.lumen - hu.blood),
            C.VEIN: hu.vein_cta,
            C.CLOT: clot_cta,
        },
        blur_vox * acq.uniform(0.5, 0.7),
        acq.uniform(8.0, 22.0),
        acq.uniform(5.0, 10.0),
        (seed, 15, int(quick), 1),
    )
    return geom, pose_cta, ncct, cta
