"""Preparing cases on the model grids, label fractions, and the on-disk cache."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from thrombus_cases import BLOOD_BESIDE_VESSEL_MM, BLOOD_CENTRE_MM, BLOOD_RADIUS_MM, make_case
from training.config import tiny_stages
from training.prepare import SLEEVE_MM, load_prepared, prepare_case, save_prepared
from training.resample import model_grid, resample_fraction
from training.train_data import prepare_all

from strokescope.preprocess.morphology import ball_mm, ball_offsets
from strokescope.volume import Geometry, Mask


def test_model_grid_covers_the_index_box_at_the_new_spacing() -> None:
    src = Geometry((50, 60, 70), (2.5, 0.5, 0.5), origin=(10.0, 20.0, 30.0))
    g = model_grid(src, (1.5, 1.5, 1.5), lo=(4, 10, 20), hi=(40, 50, 60))
    assert g.spacing == (1.5, 1.5, 1.5)
    np.testing.assert_allclose(g.origin, src.index_to_lps((4, 10, 20)))
    # 36 slices x 2.5 mm = 90 mm -> 61 samples at 1.5 mm; 40 px x 0.5 mm = 20 mm -> 14
    assert g.shape == (61, 14, 14)
    assert g.direction == src.direction


def test_fraction_of_a_thin_slab_keeps_its_volume_on_a_coarser_grid() -> None:
    geom = Geometry((40, 40, 40), (0.5, 0.5, 0.5))
    arr = np.zeros(geom.shape, bool)
    arr[18:22, 10:30, 10:30] = True  # a 2 mm thick slab, thinner than two coarse voxels
    mask = Mask(arr, geom)
    coarse = model_grid(geom, (1.5, 1.5, 1.5))
    frac = resample_fraction(mask, coarse)
    assert frac.max() < 1.0  # partial volume, not a nearest-neighbour copy
    coarse_volume = float(frac.sum()) * coarse.voxel_volume_mm3
    assert coarse_volume == pytest.approx(mask.volume_mm3, rel=0.15)


def test_prepared_case_holds_the_clot_on_both_grids_and_survives_the_cache(tmp_path: Path) -> None:
    case = make_case("PREP_001", seed=2, thrombus=True)
    coarse, fine = tiny_stages()
    prep = prepare_case(case, coarse, fine, seed=0)
    assert prep.coarse_geometry.spacing == coarse.spacing_mm
    assert prep.fine_geometry.spacing == fine.spacing_mm
    assert prep.coarse_hu.shape == (2, *prep.coarse_geometry.shape)
    assert prep.fine_hu.dtype == np.int16
    truth = case.label.volume_mm3
    # a 2-voxel-wide clot on a 2 mm grid: only the order of magnitude can be kept
    assert 0.5 * truth <= prep.thrombus_volume_mm3 <= 2.0 * truth
    # the coarse target errs on the side of sensitivity: it covers at least the clot
    assert prep.coarse_label.sum() * prep.coarse_geometry.voxel_volume_mm3 >= 0.8 * truth
    # sampled thrombus points lie inside the fine label, vessel points on bright CTA
    z, y, x = prep.thrombus_points.T
    assert prep.fine_label[z, y, x].all()
    z, y, x = prep.vessel_points.T
    assert len(z) > 0 and (prep.fine_hu[1, z, y, x] >= 150).all()
    save_prepared(prep, tmp_path / "c")
    back = load_prepared(tmp_path / "c")
    assert back is not None
    assert back.fine_geometry == prep.fine_geometry
    assert np.array_equal(back.fine_hu, prep.fine_hu)
    assert np.array_equal(back.coarse_label, prep.coarse_label)
    assert isinstance(back.fine_hu, np.memmap)
    assert load_prepared(tmp_path / "missing") is None


def test_mimics_are_the_extravascular_blood_clear_of_clot_and_skull() -> None:
    coarse, fine = tiny_stages()
    plain = prepare_case(make_case("PREP_002", seed=3, thrombus=True), coarse, fine)
    assert len(plain.mimic_points) == 0  # the clot itself and the skull edge are not mimics
    case = make_case("PREP_003", seed=3, thrombus=True, blood=True)
    prep = prepare_case(case, coarse, fine)
    assert len(prep.mimic_points) > 0
    lps = prep.fine_geometry.index_to_lps(prep.mimic_points.astype(float))
    zyx_mm = case.cta.geometry.lps_to_index(lps) * np.asarray(case.cta.spacing)
    assert (np.linalg.norm(zyx_mm - BLOOD_CENTRE_MM, axis=1) <= BLOOD_RADIUS_MM + 2.0).all()
    z, y, x = prep.mimic_points.T
    assert (prep.fine_hu[0, z, y, x] >= 45).all() and (prep.fine_hu[1, z, y, x] <= 130).all()
    assert len(plain.sleeve_points) == 0


def test_sleeves_are_the_mimics_along_an_opacified_artery() -> None:
    coarse, fine = tiny_stages()
    case = make_case(
        "PREP_004", seed=3, thrombus=True, blood=True, blood_centre_mm=BLOOD_BESIDE_VESSEL_MM
    )
    prep = prepare_case(case, coarse, fine)
    mimic = {tuple(p) for p in prep.mimic_points}
    sleeves = {tuple(p) for p in prep.sleeve_points}
    assert 0 < len(sleeves) < len(mimic)  # some blood lies along the artery
    assert sleeves <= mimic
    spacing = np.asarray(prep.fine_geometry.spacing)
    ball = ball_offsets(ball_mm(prep.fine_geometry, SLEEVE_MM))  # ITK's ball, as dilated
    reach = float(np.linalg.norm(ball * spacing, axis=1).max())
    vessel_mm = prep.vessel_points * spacing
    near = [np.linalg.norm(vessel_mm - p * spacing, axis=1).min() for p in prep.mimic_points]
    sleeve = [tuple(p) in sleeves for p in prep.mimic_points]
    assert all(d <= reach + 1e-6 for d, s in zip(near, sleeve, strict=True) if s)
    assert any(d > reach for d in near)  # the far side of the ball is blood, not a sleeve


def test_prepare_all_reuses_the_cache_until_the_case_is_rewritten(
    synthetic_dataset: Path, tmp_path: Path
) -> None:
    coarse, fine = tiny_stages()
    ids = ["SYN_000"]
    first = prepare_all(synthetic_dataset, ids, tmp_path, coarse, fine, seed=0)
    meta = next(tmp_path.glob("prepared_*/SYN_000/meta.json"))
    os.utime(meta, (1.0e9, 1.0e9))  # older than any label: the case must be prepared again
    again = prepare_all(synthetic_dataset, ids, tmp_path, coarse, fine, seed=0)
    assert meta.stat().st_mtime > 1.0e9
    assert np.array_equal(again[0].fine_hu, first[0].fine_hu)
    stamp = meta.stat().st_mtime
    prepare_all(synthetic_dataset, ids, tmp_path, coarse, fine, seed=0)
    assert meta.stat().st_mtime == stamp  # up to date: read back, not prepared
