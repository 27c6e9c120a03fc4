"""Measurements, side and segment on phantom ground-truth clots; calcification guardrail."""

from __future__ import annotations

import numpy as np
import pytest
from phantoms import small_study

from strokescope.preprocess import brain_mask
from strokescope.preprocess.registration import identity_registration, sample_registered
from strokescope.thrombus.anatomy import SegmentRule, midsagittal_plane
from strokescope.thrombus.candidate_mask import clean_mask
from strokescope.thrombus.candidate_rules import mimic_reason
from strokescope.thrombus.centerline import centerline
from strokescope.thrombus.clot_measures import measure_clot
from strokescope.thrombus.rules import Rules
from strokescope.thrombus.vessel_evidence import vessel_evidence

SEGMENT = {"A1": "A1/P1", "P1": "A1/P1"}  # not told apart without a vessel tree


@pytest.mark.parametrize(
    ("seed", "occlusion", "side"),
    [
        (21, "ICA", "left"),
        (22, "M1", "right"),
        (23, "M2", "left"),
        (24, "basilar", "left"),
        (25, "A1", "right"),
        (26, "P1", "left"),
        (27, "M1", "left"),
    ],
)
def test_truth_clot_measured(seed: int, occlusion: str, side: str) -> None:
    study = small_study(seed, occlusion, side=side, rotation_deg=(3.0, -4.0, 5.0))
    assert study.cta is not None
    truth = study.truth
    mask = study.masks["thrombus"]
    plane = midsagittal_plane(brain_mask(study.ncct))
    index = np.argwhere(mask.array)
    prob = np.ones(mask.geometry.shape, np.float32)
    reg = identity_registration()
    points = mask.geometry.index_to_lps(index.astype(float))
    ncct_hu = sample_registered(study.ncct, points, reg)
    assert mimic_reason(ncct_hu, study.cta.array[tuple(index.T)], Rules()) is None
    line = centerline(index, study.cta.geometry)
    volume = len(index) * study.cta.geometry.voxel_volume_mm3
    ev = vessel_evidence(points, line, volume, plane, study.cta, study.ncct, reg)
    th = measure_clot(
        1, index, ncct_hu, prob, line, ev, study.ncct, study.cta, reg, plane, SegmentRule()
    )
    assert not th.occlusion_sign_missing(), ev  # the CTA shows the artery it occludes
    prof = th.axial_profile  # HU along the clot's axis: the filling defect a reader checks
    assert prof is not None
    d, c = np.asarray(prof.distance_mm), np.asarray(prof.cta_hu)
    assert len(prof.ncct_hu) == len(d)
    inside = (d > 1.0) & (d < th.length_mm - 1.0)
    assert np.median(c[inside]) < 130.0  # (NCCT: 1 mm voxels blur thin clots into CSF)
    beyond = (d < -1.0) | (d > th.length_mm + 1.0)
    rise = c[beyond].max() - np.median(c[inside])
    assert rise >= 40.0, prof  # contrast rises beyond one end at least (small 1 mm phantom)
    sides = {"basilar": ("midline",), "A1": (side, "midline"), "P1": (side, "midline")}
    assert th.side in sides.get(occlusion, (side,))
    assert th.segment == SEGMENT.get(occlusion, occlusion)
    assert truth.thrombus_length_mm is not None and truth.thrombus_hu_ncct is not None
    assert abs(th.length_mm - truth.thrombus_length_mm) <= 2.5
    assert th.volume_mm3 == pytest.approx(mask.volume_mm3)
    if occlusion in ("A1", "P1", "basilar"):  # 1 mm voxels over 2-3 mm arteries: partial
        return  # volume dominates their HU; their segment, side and size are checked above
    assert abs(th.ncct_mean_hu - truth.thrombus_hu_ncct) < 12
    assert th.perviousness_hu > -15
    assert th.relative_attenuation is not None and th.relative_attenuation > 1.0
    assert 1.0 < th.max_diameter_mm < 7.0


def test_calcified_component_removed() -> None:
    study = small_study(24, "none", calcification=True)
    assert study.cta is not None
    calc = study.masks["calcification"].array
    assert calc.any()
    nz = np.argwhere(calc)
    lo, hi = nz.min(0) - 2, nz.max(0) + 3  # a box of the grid, as analyze passes it
    box = calc[lo[0] : hi[0], lo[1] : hi[1], lo[2] : hi[2]].copy()
    cleaned, notes, _ = clean_mask(box, lo, study.ncct, study.cta, identity_registration())
    assert not cleaned.any()
    assert "calcification" in notes[0]
    shifted, _, _ = clean_mask(box, lo + 6, study.ncct, study.cta, identity_registration())
    assert shifted.any()  # the same voxels 3+ mm away are soft tissue: the offset is used


@pytest.mark.parametrize(
    ("ncct", "cta", "reason"),
    [
        ((55.0, 8.0), (70.0, 10.0), None),  # hyperdense clot, filling defect
        ((38.0, 3.0), (45.0, 5.0), "not hyperdense"),  # parenchyma
        ((50.0, 5.0), (300.0, 40.0), "patent lumen"),  # opacified lumen
        ((45.0, 10.0), (115.0, 5.0), "opacified vessel"),  # perviousness 70 HU
    ],
)
def test_mimic_reason_separates_clot_from_parenchyma_and_lumen(
    ncct: tuple[float, float], cta: tuple[float, float], reason: str | None
) -> None:
    rng = np.random.default_rng(3)
    n_hu = rng.normal(ncct[0], ncct[1], 400).astype(np.float32)
    c_hu = rng.normal(cta[0], cta[1], 400).astype(np.float32)
    got = mimic_reason(n_hu, c_hu, Rules())
    assert (got is None) if reason is None else (got is not None and reason in got)
    stricter = Rules(min_ncct_p90_hu=80.0)
    assert mimic_reason(n_hu, c_hu, stricter) is not None
