"""Behaviour of generated studies: determinism, HU per tissue, vessels, clot, mimics."""

from __future__ import annotations

import numpy as np
import pytest

from strokescope.phantom import PhantomOptions, PhantomStudy, generate_study
from strokescope.phantom.anatomy import draw_anatomy
from strokescope.phantom.grids import head_pose
from strokescope.phantom.vessels import Segment, draw_vessels
from strokescope.volume import Volume

TINY = {"matrix": 64, "inplane_mm": 2.0, "slice_mm": 2.0, "slices": 50}


def _tree(seed: int) -> list[Segment]:
    anatomy = draw_anatomy(np.random.default_rng([seed, 1]))
    return draw_vessels(np.random.default_rng([seed, 2]), anatomy)


def _sample(vol: Volume, head_points: np.ndarray, rotation=(0.0, 0.0, 0.0)) -> np.ndarray:
    """Nearest-voxel values at head-frame points (pose without motion)."""
    pose = head_pose(rotation)
    lps = head_points @ pose[:3, :3].T + pose[:3, 3]
    idx = np.rint(vol.geometry.lps_to_index(lps)).astype(int)
    inside = np.all((idx >= 0) & (idx < np.array(vol.shape)), axis=1)
    idx = idx[inside]
    return vol.array[idx[:, 0], idx[:, 1], idx[:, 2]]


def test_same_seed_same_arrays_different_seed_differs() -> None:
    a = generate_study(PhantomOptions(seed=5, **TINY), threads=1)
    b = generate_study(PhantomOptions(seed=5, **TINY), threads=2)
    c = generate_study(PhantomOptions(seed=6, **TINY))
    assert a.cta is not None and b.cta is not None and c.cta is not None
    np.testing.assert_array_equal(a.ncct.array, b.ncct.array)
    np.testing.assert_array_equal(a.cta.array, b.cta.array)
    np.testing.assert_array_equal(a.masks["thrombus"].array, b.masks["thrombus"].array)
    assert a.truth.thrombus_length_mm == b.truth.thrombus_length_mm
    assert not np.array_equal(a.ncct.array, c.ncct.array)
    assert a.truth.thrombus_length_mm != c.truth.thrombus_length_mm


def test_tissue_hu_ranges(clean_m1: PhantomStudy) -> None:
    anatomy = draw_anatomy(np.random.default_rng([7, 1]))
    ncct = clean_m1.ncct
    centers = lambda shapes: np.array([s.center for s in shapes])  # noqa: E731
    csf = _sample(ncct, centers(anatomy.ventricles[:2]))
    nuclei = _sample(ncct, centers(anatomy.nuclei[:4]))  # thalami, lentiform nuclei
    assert np.all((csf >= 0) & (csf <= 15)), csf
    assert np.all((nuclei >= 35) & (nuclei <= 45)), nuclei
    # deep white matter: between the ventricle body and the cortex, above the nuclei
    wm_points = np.array([[30.0, 10.0, 40.0], [-30.0, 10.0, 40.0], [28.0, -20.0, 35.0]])
    wm = _sample(ncct, wm_points * anatomy.scale)
    assert np.all((wm >= 20) & (wm <= 30)), wm
    brain = ncct.array[clean_m1.masks["brain"].array]
    assert 20 <= np.median(brain) <= 45
    assert ncct.array[0, 0, 0] == pytest.approx(-1000.0)
    assert np.percentile(ncct.array, 99.5) >= 700 and ncct.array.max() <= 2000
    fat = ncct.array[(ncct.array > -120) & (ncct.array < -80)]
    assert fat.size > 0


def test_cta_lumen_and_tissue_enhancement(clean_m1: PhantomStudy) -> None:
    cta, ncct = clean_m1.cta, clean_m1.ncct
    assert cta is not None
    lumen = clean_m1.masks["lumen"].array
    assert 250 <= np.median(cta.array[lumen]) <= 450
    assert 35 <= np.median(ncct.array[lumen]) <= 50
    brain = clean_m1.masks["brain"].array & ~lumen
    diff = np.median(cta.array[brain] - ncct.array[brain])
    assert 2 <= diff <= 8


def test_thrombus_hu_and_filling_defect(clean_m1: PhantomStudy) -> None:
    truth = clean_m1.truth
    clot = clean_m1.masks["thrombus"].array
    assert clot.sum() > 10
    assert truth.thrombus_hu_ncct == 65.0 and truth.thrombus_hu_cta == 75.0
    assert truth.occlusion_class == "LVO" and truth.side == "left"
    assert clean_m1.cta is not None
    ncct_in, cta_in = clean_m1.ncct.array[clot], clean_m1.cta.array[clot]
    assert 50 <= np.median(ncct_in) <= 68
    assert np.median(cta_in) < 120  # a filling defect, far below the 250+ HU lumen
    centroid = np.array(truth.thrombus_centroid_lps)
    assert centroid[0] > 0  # LPS +x is the patient's left


def test_distal_vessel_under_opacified(clean_m1: PhantomStudy) -> None:
    segs = {s.name: s for s in _tree(7)}
    cta = clean_m1.cta
    assert cta is not None
    left = _sample(cta, segs["M2 inferior left"].points[10:-10])
    right = _sample(cta, segs["M2 inferior right"].points[10:-10])
    ratio = (np.median(left) - 40) / (np.median(right) - 40)
    assert 0.2 <= ratio <= 0.6, ratio


def test_thrombus_length_and_volume_match_mask(clean_m1: PhantomStudy) -> None:
    mask = clean_m1.masks["thrombus"]
    truth = clean_m1.truth
    pts = mask.geometry.index_to_lps(np.argwhere(mask.array))
    centered = pts - pts.mean(axis=0)
    axis = np.linalg.svd(centered, full_matrices=False)[2][0]
    proj = centered @ axis
    extent = proj.max() - proj.min() + 1.0  # one voxel for the end caps
    assert truth.thrombus_length_mm == pytest.approx(14.0)
    assert extent == pytest.approx(truth.thrombus_length_mm, rel=0.2)
    assert truth.thrombus_volume_mm3 is not None
    assert mask.volume_mm3 == pytest.approx(truth.thrombus_volume_mm3, rel=0.3)
    assert truth.thrombus_mask_volume_mm3 == pytest.approx(mask.volume_mm3)


def test_calcification_and_sah_mimics(clean_m1: PhantomStudy) -> None:
    assert clean_m1.truth.calcification_present and clean_m1.truth.sah_present
    calc = clean_m1.masks["calcification"].array
    assert calc.any() and clean_m1.ncct.array[calc].max() > 130
    sah = clean_m1.masks["sah"].array
    assert sah.sum() > 50
    assert 55 <= np.median(clean_m1.ncct.array[sah]) <= 80


def test_partial_volume_at_vessel_borders(clean_thin: PhantomStudy) -> None:
    cta = clean_thin.cta
    assert cta is not None
    lumen = clean_thin.masks["lumen"].array
    grown = lumen.copy()
    for axis in range(3):
        grown |= np.roll(lumen, 1, axis) | np.roll(lumen, -1, axis)
    rim = cta.array[grown & ~lumen]
    intermediate = np.count_nonzero((rim > 80) & (rim < 200))
    assert intermediate > 0.2 * rim.size


def test_noise_sd_and_motion() -> None:
    options = PhantomOptions(seed=2, noise_hu=10.0, motion_mm=4.0, **{**TINY, "matrix": 100})
    study = generate_study(options)
    air = study.ncct.array[:, :6, :6]
    assert np.std(air) == pytest.approx(10.0, rel=0.15)
    motion = np.array(study.truth.ncct_to_cta)
    assert np.linalg.norm(motion[:3, 3]) == pytest.approx(4.0)
    assert study.cta is not None and study.cta.meta.has_contrast
    assert not study.ncct.meta.has_contrast


def test_cta_grid_can_differ() -> None:
    study = generate_study(
        PhantomOptions(seed=1, cta_matrix=48, cta_slices=30, cta_inplane_mm=1.8, **TINY)
    )
    assert study.cta is not None and study.cta.shape == (30, 48, 48)
    assert study.masks["thrombus"].geometry == study.cta.geometry
    assert study.masks["brain"].geometry == study.ncct.geometry


def test_no_occlusion_has_no_thrombus() -> None:
    study = generate_study(PhantomOptions(seed=4, occlusion="none", cta=False, **TINY))
    assert study.cta is None and "thrombus" not in study.masks
    assert study.truth.thrombus_length_mm is None and study.truth.occlusion_class == "none"
