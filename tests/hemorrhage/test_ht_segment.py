from __future__ import annotations

import numpy as np
import pytest
from ht_cases import Case, lesion_roi, make_case

from strokescope.errors import InputError
from strokescope.evaluation import dice
from strokescope.hemorrhage import (
    Roi,
    SegmentSettings,
    combine_segments,
    prepare_ncct,
    segment_hemorrhage,
    segment_roi,
    select_rule,
)
from strokescope.hemorrhage.abc2 import slice_weights
from strokescope.hemorrhage.report_text import format_result


def test_ph_bleed_is_segmented_with_reported_rule(ph_case: Case) -> None:
    result = segment_hemorrhage(ph_case.ncct, [lesion_roi(ph_case)])
    assert dice(result.mask, ph_case.truth) > 0.85
    assert result.volume_ml == pytest.approx(ph_case.truth.volume_ml, rel=0.15)
    (roi,) = result.rois
    assert roi.sd_hu is not None and roi.rule is not None
    assert roi.rule == select_rule(roi.sd_hu)
    assert roi.window_hu == roi.rule.window_hu
    assert roi.volume_ml == pytest.approx(result.volume_ml)
    assert result.global_volume_ml == pytest.approx(roi.global_volume_ml)
    assert result.global_mask.voxel_count > 0
    # areas per slice add up to the volume
    dz = ph_case.ncct.spacing[0]
    assert sum(a.area_mm2 for a in result.slice_areas) * dz / 1000 == pytest.approx(
        result.volume_ml
    )
    assert result.abc2 is not None  # one lesion: Kothari's weights of the listed areas
    assert result.abc2.slice_count == slice_weights([a.area_mm2 for a in result.slice_areas]).sum()
    assert result.abc2.lesion_ml == pytest.approx(result.volume_ml)
    assert roi.dropped_ml == 0.0 and roi.dropped_components == 0


def test_segment_stays_inside_roi_and_brain(ph_case: Case) -> None:
    study = prepare_ncct(ph_case.ncct)
    roi = lesion_roi(ph_case)
    half = Roi(z=roi.z, y=roi.y, x=(roi.x[0], (roi.x[0] + roi.x[1]) // 2))
    result = segment_hemorrhage(study, [half])
    inside = np.zeros(study.geometry.shape, bool)
    inside[half.resolve(study.geometry.shape)[0].slices] = True
    assert result.mask.voxel_count > 0
    assert not np.any(result.mask.array & ~inside)
    assert not np.any(result.mask.array & ~study.brain.array)


def test_multifocal_union_without_double_counting_and_removal() -> None:
    case = make_case(seed=5, semi_mm=(8.0, 10.0, 9.0))
    study = prepare_ncct(case.ncct)
    roi = lesion_roi(case)
    left = Roi(z=roi.z, y=roi.y, x=(roi.x[0], roi.x[1] - 8))
    right = Roi(z=roi.z, y=roi.y, x=(roi.x[0] + 8, roi.x[1]))  # overlaps ``left``
    both = segment_hemorrhage(study, [left, right])
    one = segment_hemorrhage(study, [left])
    assert both.volume_ml < both.rois[0].volume_ml + both.rois[1].volume_ml
    assert both.volume_ml == pytest.approx(both.mask.volume_ml)
    assert np.array_equal(
        both.mask.array, one.mask.array | segment_hemorrhage(study, [right]).mask.array
    )
    seg_left = segment_roi(study, left)
    removed = combine_segments(study, [seg_left])
    assert np.array_equal(removed.mask.array, one.mask.array)


def test_results_are_deterministic(ph_case: Case) -> None:
    roi = lesion_roi(ph_case)
    a = segment_hemorrhage(ph_case.ncct, [roi])
    b = segment_hemorrhage(prepare_ncct(ph_case.ncct, cache=False), [roi])
    assert np.array_equal(a.mask.array, b.mask.array)
    assert a.to_dict()["rois"] == b.to_dict()["rois"]


def test_huge_roi_gives_same_result(ph_case: Case) -> None:
    small = segment_hemorrhage(ph_case.ncct, [lesion_roi(ph_case)])
    huge = segment_hemorrhage(ph_case.ncct, [Roi(z=(-5, 500), y=(-5, 500), x=(-5, 500))])
    assert dice(huge.mask, ph_case.truth) > 0.85
    assert huge.volume_ml == pytest.approx(small.volume_ml, rel=0.1)
    assert any("clipped" in w for w in huge.warnings)


def test_roi_outside_image_or_brain_is_one_line_input_error(ph_case: Case) -> None:
    with pytest.raises(InputError, match="outside the image") as err:
        segment_hemorrhage(ph_case.ncct, [Roi(z=(1, 2), y=(400, 410), x=(1, 5))])
    assert "\n" not in str(err.value)
    with pytest.raises(InputError, match="entirely outside the brain"):
        segment_hemorrhage(ph_case.ncct, [Roi(z=(1, 2), y=(0, 8), x=(0, 8))])
    with pytest.raises(InputError, match="no ROI"):
        segment_hemorrhage(ph_case.ncct, [])


def test_no_voxel_in_initial_window_gives_zero_with_warning(ph_case: Case) -> None:
    k, j, i = ph_case.centre_index
    far = Roi(z=(k, k), y=(j + 40, j + 60), x=(i - 70, i - 50))  # normal brain only
    result = segment_hemorrhage(ph_case.ncct, [far])
    assert result.volume_ml == 0.0
    assert result.rois[0].rule is None and result.rois[0].sd_hu is None
    assert any("no voxel in the initial 50-80 HU window" in w for w in result.warnings)
    assert result.abc2 is None


def test_thin_slice_study_works() -> None:
    case = make_case(
        seed=7, shape=(110, 160, 160), spacing=(1.25, 1.25, 1.25), offset_mm=(5, -10, 20)
    )
    result = segment_hemorrhage(case.ncct, [lesion_roi(case)])
    assert dice(result.mask, case.truth) > 0.85


def test_hi2_adaptive_beats_global_on_faint_blood() -> None:
    case = make_case(seed=9, kind="HI2")
    result = segment_hemorrhage(case.ncct, [lesion_roi(case)])
    assert dice(result.mask, case.truth) > dice(result.global_mask, case.truth)


def test_closing_setting_changes_result_and_is_checked(ph_case: Case) -> None:
    case = make_case(seed=9, kind="HI2")
    roi = lesion_roi(case)
    closed = segment_hemorrhage(case.ncct, [roi])
    raw = segment_hemorrhage(
        case.ncct, [roi], settings=SegmentSettings(closing_radius_vox=0, fill_holes=False)
    )
    assert closed.volume_ml > raw.volume_ml
    with pytest.raises(InputError, match="closing_radius_vox"):
        SegmentSettings(closing_radius_vox=11)


@pytest.mark.parametrize("via", ["meta", "hu"])
def test_contrast_study_gets_a_warning(via: str) -> None:
    case = make_case(
        seed=4,
        vessels_hu=350.0 if via == "hu" else None,
        contrast_agent="IOPAMIDOL" if via == "meta" else "",
    )
    result = segment_hemorrhage(case.ncct, [lesion_roi(case)])
    assert any("contrast" in w for w in result.warnings)


def test_plain_ncct_has_no_contrast_warning(ph_case: Case) -> None:
    result = segment_hemorrhage(ph_case.ncct, [lesion_roi(ph_case)])
    assert not any("contrast" in w for w in result.warnings)


def test_report_gives_abc2_with_kotharis_weighted_slices(ph_case: Case) -> None:
    result = segment_hemorrhage(ph_case.ncct, [lesion_roi(ph_case)])
    a = result.abc2
    assert a is not None
    text = format_result(result)
    assert f"C {a.c_mm:.1f} mm = {a.slice_count:g} weighted slices" in text
    assert f"A and B on slice {a.slice_index}; lesion {a.lesion_ml:.2f} mL" in text
