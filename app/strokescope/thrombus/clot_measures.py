"""Measurements of one thrombus component (on the CTA grid).

* volume (mm^3), centerline length and maximum diameter (:mod:`.centerline`);
* NCCT mean/SD HU (NCCT sampled through the registration), CTA mean HU and perviousness
  (CTA minus NCCT mean), read over the clot's core (:func:`core`): its boundary voxels
  share the scanner's blur with the brain, CSF and opacified lumen round it, which pulled
  the NCCT mean about 8 HU under the clot's own (calibration block 800000-800019, 15 clots
  against the phantom's drawn HU: NCCT bias -8.4 -> -1.4 HU, r 0.60 -> 0.82; perviousness
  mean absolute error 2.2 -> 1.7 HU);
* relative attenuation = clot NCCT mean / NCCT mean of the contralateral vessel: the clot
  mirrored across the midsagittal plane, widened 3 mm, CTA-opacified (150-700 HU) voxels
  with NCCT < 130 HU; reported when at least ``CONTRA_MIN_VOXELS`` are found;
* side, centroid (LPS) and estimated segment (:mod:`.anatomy`);
* the CTA signs of an occluded artery (:mod:`.vessel_evidence`), the attenuation along
  the clot's axis (:mod:`.axial_profile`) and the collateral ratio beyond an ICA or M1
  clot (:mod:`.collaterals`).
"""

from __future__ import annotations

import itertools

import numpy as np
import numpy.typing as npt

from strokescope.preprocess.index_box import mask_box
from strokescope.preprocess.morphology import ball_mm, dilate_ball
from strokescope.preprocess.registration import RegistrationResult, sample_registered
from strokescope.thrombus import guardrails as gr
from strokescope.thrombus.anatomy import Plane, SegmentRule, segment_of, side_of
from strokescope.thrombus.axial_profile import axial_profile
from strokescope.thrombus.basilar_lumen import basilar_lumen_mm3
from strokescope.thrombus.centerline import Centerline, max_diameter, mean_radius_mm
from strokescope.thrombus.collaterals import collateral_ratio
from strokescope.thrombus.result import Thrombus
from strokescope.thrombus.vessel_evidence import VesselEvidence
from strokescope.volume import Mask, Volume

CONTRA_MIN_VOXELS = 10
CORE_MIN_VOXELS = 10
"""A core smaller than this (a clot one or two voxels thick) is not read: the whole clot is."""


def core(index: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """Which of the voxels ``index`` (n, 3) of a clot have all 26 neighbours in the clot;
    all of them when fewer than ``CORE_MIN_VOXELS`` do."""
    lo, box = mask_box(index)
    padded = np.pad(box, 1)
    n = box.shape
    inner = box.copy()
    for dz, dy, dx in itertools.product(range(3), repeat=3):
        inner &= padded[dz : dz + n[0], dy : dy + n[1], dx : dx + n[2]]
    keep = inner[tuple((index - lo).T)]
    return keep if int(keep.sum()) >= CORE_MIN_VOXELS else np.ones(len(index), dtype=bool)


def contralateral_hu(
    points: npt.NDArray[np.float64],
    plane: Plane,
    ncct: Volume,
    cta: Volume,
    reg: RegistrationResult,
) -> float | None:
    g = cta.geometry
    idx = np.rint(g.lps_to_index(plane.mirror(points))).astype(np.int64)
    margin = np.ceil(3.0 / np.asarray(g.spacing)).astype(np.int64) + 1
    lo = np.maximum(idx.min(0) - margin, 0)
    hi = np.minimum(idx.max(0) + margin, np.asarray(g.shape) - 1)
    if np.any(hi < lo):
        return None
    sub = np.zeros(tuple(hi - lo + 1), dtype=bool)
    local = idx - lo
    ok = np.all((local >= 0) & (local < np.asarray(sub.shape)), axis=1)
    sub[tuple(local[ok].T)] = True
    geom = g.crop(lo.tolist(), sub.shape)
    grown = dilate_ball(sub, ball_mm(geom, 3.0))
    sl = tuple(slice(int(a), int(b) + 1) for a, b in zip(lo, hi, strict=True))
    lumen = grown & (cta.array[sl] >= gr.OPACIFIED_HU) & (cta.array[sl] <= 700.0)
    found = np.argwhere(lumen) + lo
    if len(found) < CONTRA_MIN_VOXELS:
        return None
    hu = sample_registered(ncct, g.index_to_lps(found.astype(float)), reg)
    hu = hu[hu < gr.CALCIFICATION_HU]
    return float(hu.mean()) if len(hu) >= CONTRA_MIN_VOXELS else None


def measure_clot(
    label: int,
    index: npt.NDArray[np.int64],
    ncct_hu: npt.NDArray[np.float32],
    prob: npt.NDArray[np.float32],  # fine probability at ``index``
    line: Centerline,  # of ``index`` on the CTA grid
    evidence: VesselEvidence,
    ncct: Volume,
    cta: Volume,
    reg: RegistrationResult,
    plane: Plane,
    segment_rule: SegmentRule,
) -> Thrombus:
    g = cta.geometry
    pts = g.index_to_lps(index.astype(float))
    inner = core(index)
    cta_hu = cta.array[tuple(index[inner].T)]
    ncct_hu = ncct_hu[inner]
    lo, sub = mask_box(index)
    contra = contralateral_hu(pts, plane, ncct, cta, reg)
    centroid = pts.mean(0)
    volume = float(len(index) * g.voxel_volume_mm3)
    radius = mean_radius_mm(volume, line)
    side = side_of(plane, centroid)
    basilar = None
    if segment_rule.lateral_branch_min_basilar_mm3 is not None:
        basilar = basilar_lumen_mm3(line.points, plane, cta, ncct, reg)
    segment = segment_of(line, plane, segment_rule, basilar)
    return Thrombus(
        label=label,
        volume_mm3=volume,
        length_mm=round(line.length_mm, 2),
        max_diameter_mm=round(max_diameter(Mask(sub, g.crop(lo.tolist(), sub.shape))), 2),
        ncct_mean_hu=round(float(ncct_hu.mean()), 1),
        ncct_sd_hu=round(float(ncct_hu.std()), 1),
        cta_mean_hu=round(float(cta_hu.mean()), 1),
        perviousness_hu=round(float(cta_hu.mean() - ncct_hu.mean()), 1),
        relative_attenuation=None if not contra else round(float(ncct_hu.mean()) / contra, 3),
        side=side,  # type: ignore[arg-type]
        centroid_lps=tuple(round(float(v), 2) for v in centroid),  # type: ignore[arg-type]
        segment=segment,
        probability_mean=round(float(prob.mean()), 3),
        cta_lumen_in_line=evidence.inline_lumen,
        cta_missing_artery=round(evidence.missing_artery, 3),
        axial_profile=axial_profile(pts, line, radius, cta, ncct, reg),
        collateral_ratio=collateral_ratio(pts, side, segment, plane, cta, ncct, reg),
    )
