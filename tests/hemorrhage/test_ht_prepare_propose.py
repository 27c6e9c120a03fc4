from __future__ import annotations

import numpy as np
import pytest
import SimpleITK as sitk
from ht_cases import Case, lesion_roi, make_case

from strokescope.errors import InputError
from strokescope.evaluation import dice
from strokescope.hemorrhage import PrepareSettings, prepare_ncct, propose_roi, segment_hemorrhage
from strokescope.io.sitk_convert import volume_to_sitk
from strokescope.preprocess.morphology import ball_mm, dilate_ball, erode_ball


def test_prepare_is_cached_per_volume_and_settings(ph_case: Case) -> None:
    a = prepare_ncct(ph_case.ncct)
    assert prepare_ncct(ph_case.ncct) is a
    b = prepare_ncct(ph_case.ncct, settings=PrepareSettings(unsharp_amount=1.0))
    assert b is not a
    assert not np.array_equal(a.filtered, b.filtered)


def test_the_cache_keeps_at_most_max_prepared_studies() -> None:
    """Opening five follow-ups one after another leaves at most MAX_PREPARED in memory:
    the volumes of the older ones are freed."""
    import gc
    import weakref

    from strokescope.hemorrhage import prepare

    refs = []
    for seed in range(5):
        ncct = make_case(seed=40 + seed).ncct
        prepare_ncct(ncct)
        refs.append(weakref.ref(ncct))
        del ncct
    gc.collect()
    alive = [r for r in refs if r() is not None]
    assert len(prepare._CACHE) <= prepare.MAX_PREPARED
    assert len(alive) <= prepare.MAX_PREPARED
    assert refs[-1]() is not None  # the latest is still cached


def test_filters_use_pixel_sigma_in_mm_not_across_thick_slices() -> None:
    # a one-slice-thick bright sheet on 5 mm slices keeps its HU (sigma 1 pixel << 5 mm)
    case = make_case(seed=2, semi_mm=(2.0, 14.0, 11.0))
    study = prepare_ncct(case.ncct)
    k, j, i = case.centre_index
    assert case.truth.array[k].any() and not case.truth.array[k + 1].any()
    assert study.filtered[k][case.truth.array[k]].mean() > 55.0
    assert study.filtered[k + 1][case.truth.array[k]].mean() < 45.0
    # skull stripping happens before filtering: no bone leaks into the filtered image
    assert study.filtered.max() < 100.0
    assert study.filtered[0, 0, 0] == PrepareSettings().outside_hu


def _reference_filter(case: Case, sigma_mm: float) -> np.ndarray:
    image = volume_to_sitk(case.ncct)
    smooth = sitk.SmoothingRecursiveGaussian(image, sigma_mm)
    return sitk.GetArrayFromImage(sitk.UnsharpMask(smooth, [sigma_mm] * 3, 0.5, 0.0, False))


def test_sigma_is_one_in_plane_pixel() -> None:
    # 0.45 mm pixels: one pixel and 1 mm (2.2 pixels) give clearly different images
    case = make_case(seed=3, spacing=(5.0, 0.45, 0.45), shape=(30, 448, 448))
    study = prepare_ncct(case.ncct)
    interior = erode_ball(study.brain.array, ball_mm(case.ncct.geometry, 12.0))
    near_bleed = interior & dilate_ball(case.truth.array, ball_mm(case.ncct.geometry, 2.0))
    pixel, mm = (_reference_filter(case, s) for s in (0.45, 1.0))
    assert np.abs(study.filtered - pixel)[interior].max() < 0.5
    assert np.abs(study.filtered - mm)[near_bleed].max() > 3.0


def test_prepare_settings_are_checked() -> None:
    with pytest.raises(InputError, match="gaussian_sigma_px"):
        PrepareSettings(gaussian_sigma_px=-1.0)
    with pytest.raises(InputError, match="unsharp_sigma_px"):
        PrepareSettings(unsharp_sigma_px=11.0)


@pytest.mark.parametrize("kind", ["PH", "HI2"])
def test_click_gives_nearly_the_box_volume(kind: str) -> None:
    case = make_case(seed=21, kind=kind, semi_mm=(10.0, 16.0, 12.0))
    study = prepare_ncct(case.ncct)
    box = segment_hemorrhage(study, [lesion_roi(case)])
    roi = propose_roi(study, case.centre_index)
    click = segment_hemorrhage(study, [roi])
    assert click.volume_ml == pytest.approx(box.volume_ml, rel=0.05)
    assert dice(click.mask, box.mask) > 0.95


def test_click_off_the_bleed_is_explained(ph_case: Case) -> None:
    study = prepare_ncct(ph_case.ncct)
    k, j, i = ph_case.centre_index
    with pytest.raises(InputError, match="no 50-80 HU voxel"):
        propose_roi(study, (k, j + 40, i - 60))
    with pytest.raises(InputError, match="outside the brain"):
        propose_roi(study, (k, 0, 0))
