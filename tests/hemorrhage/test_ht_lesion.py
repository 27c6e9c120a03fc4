"""The lesion step: connected components, the lesion at a point, stray voxels dropped."""

from __future__ import annotations

import re

import numpy as np
import pytest
from ht_cases import Case, lesion_roi, make_case

from strokescope.errors import InputError
from strokescope.evaluation import dice
from strokescope.hemorrhage import (
    Roi,
    SegmentSettings,
    prepare_ncct,
    propose_roi,
    segment_hemorrhage,
)
from strokescope.hemorrhage.lesion import keep_lesion, lesion_at, lesion_labels, main_lesion

SP = (5.0, 0.5, 0.5)


def _two_pieces(gap_px: int) -> np.ndarray:
    arr = np.zeros((3, 40, 80), bool)
    arr[1, 10:30, 10:30] = True
    arr[1, 10:30, 30 + gap_px : 50 + gap_px] = True
    return arr


@pytest.mark.parametrize(("gap_px", "bridge_mm", "n"), [(6, 0.0, 2), (6, 4.0, 1), (20, 8.0, 2)])
def test_pieces_closer_than_the_bridge_are_one_lesion(
    gap_px: int, bridge_mm: float, n: int
) -> None:
    labels, count = lesion_labels(_two_pieces(gap_px), SP, bridge_mm=bridge_mm)
    assert count == n
    assert set(np.unique(labels)) == set(range(n + 1))
    assert np.array_equal(labels > 0, _two_pieces(gap_px))  # labels stay on the mask


def test_diagonal_neighbours_on_adjacent_slices_are_connected() -> None:
    arr = np.zeros((3, 5, 5), bool)
    arr[0, 1, 1] = arr[1, 2, 2] = arr[2, 3, 3] = True  # corner to corner
    assert lesion_labels(arr, SP)[1] == 1


def test_lesion_at_contains_else_nearest_in_plane_and_not_a_speck() -> None:
    arr = np.zeros((20, 40, 40), bool)
    arr[2:5, 10:30, 10:30] = True  # big lesion on slices 2-4
    arr[15, 20, 20] = True  # speck straight above its centre
    arr[10, 2, 2] = True  # speck near the middle slice, off-centre
    labels, n = lesion_labels(arr, SP)
    big, above, corner = labels[3, 20, 20], labels[15, 20, 20], labels[10, 2, 2]
    assert lesion_at(labels, n, (3, 20, 20), SP) == big  # contains
    assert lesion_at(labels, n, (14, 20, 20), SP) == above  # nearest in 3-D
    assert lesion_at(labels, n, (10, 3, 3), SP) == corner
    # in-plane only (an ROI over every slice): the big lesion and the speck above both
    # contain the centre line; the larger wins
    assert lesion_at(labels, n, (10, 20, 20), SP, in_plane_only=True) == big
    # a speck is never the lesion an ROI centre means
    assert lesion_at(labels, n, (10, 3, 3), SP, min_fraction=0.1) == big
    assert lesion_at(np.zeros((2, 2, 2), np.int64), 0, (0, 0, 0), SP) == 0


def test_keep_lesion_reports_what_it_dropped() -> None:
    arr = np.zeros((10, 40, 40), bool)
    arr[4:6, 10:20, 10:20] = True
    arr[0, 35:37, 35:37] = arr[9, 0, 0] = True
    kept = keep_lesion(arr, SP, (5, 15, 15))
    assert kept.dropped_components == 2 and kept.dropped_voxels == 5
    lesion = np.zeros_like(arr)
    lesion[4:6, 10:20, 10:20] = True
    assert np.array_equal(kept.mask, lesion)
    single = keep_lesion(kept.mask, SP, (0, 0, 0))
    assert single.mask is kept.mask and single.dropped_voxels == 0
    assert np.array_equal(main_lesion(arr, SP), lesion)
    assert main_lesion(arr, SP, point=(9, 0, 0)).sum() == 1


@pytest.fixture(scope="module")
def specked() -> Case:
    """A PH bleed plus 12 bright specks along the inner skull, seeded."""
    return make_case(seed=11, specks=12)


def _box_over_all_slices(case: Case) -> Roi:
    _, j, i = case.centre_index
    return Roi(y=(j - 66, j + 66), x=(i - 66, i + 66))  # about 60 mm around the bleed


def test_box_over_all_slices_drops_specks_along_the_skull(specked: Case) -> None:
    study = prepare_ncct(specked.ncct)
    box = _box_over_all_slices(specked)
    raw = segment_hemorrhage(study, [box], settings=SegmentSettings(keep_lesion_only=False))
    assert len(specked.specks) == 12
    assert all(raw.mask.array[p] and raw.global_mask.array[p] for p in specked.specks)
    result = segment_hemorrhage(study, [box])
    assert not any(result.mask.array[p] or result.global_mask.array[p] for p in specked.specks)
    (roi,) = result.rois
    assert roi.dropped_components == 12
    assert roi.volume_ml + roi.dropped_ml == pytest.approx(raw.volume_ml)
    assert roi.global_volume_ml + roi.global_dropped_ml == pytest.approx(raw.global_volume_ml)
    (note,) = (w for w in result.warnings if "dropped" in w)
    match = re.search(
        r"dropped (\d+\.\d\d) mL in 12 components not connected to the lesion at the ROI centre",
        note,
    )
    assert match is not None and float(match.group(1)) == round(roi.dropped_ml, 2)
    assert roi.dropped_ml > 0.5
    # what is left is the bleed, as a tight ROI finds it, and ABC/2 spans its slices only
    tight = segment_hemorrhage(study, [lesion_roi(specked)])
    assert result.volume_ml == pytest.approx(tight.volume_ml, rel=0.03)
    assert dice(result.mask, specked.truth) > dice(raw.mask, specked.truth)
    assert dice(result.mask, specked.truth) > 0.9
    assert result.abc2 is not None and raw.abc2 is not None
    assert result.abc2 == raw.abc2  # ABC/2 measures the main lesion either way
    assert any("ABC/2 describes the largest lesion only" in w for w in raw.warnings)
    assert not any("ABC/2" in w for w in result.warnings)
    assert result.abc2.lesion_ml == pytest.approx(result.volume_ml)
    assert result.to_dict()["rois"][0]["dropped_components"] == 12


def test_a_bleed_touching_nothing_loses_nothing(ph_case: Case) -> None:
    study = prepare_ncct(ph_case.ncct)
    for roi in (lesion_roi(ph_case), _box_over_all_slices(ph_case)):
        off = segment_hemorrhage(study, [roi], settings=SegmentSettings(keep_lesion_only=False))
        on = segment_hemorrhage(study, [roi])
        assert np.array_equal(on.mask.array, off.mask.array)
        assert np.array_equal(on.global_mask.array, off.global_mask.array)
        assert on.rois[0].dropped_ml == 0.0 and on.rois[0].dropped_components == 0
        assert not any("dropped" in w for w in on.warnings)


def test_a_click_keeps_the_lesion_clicked(specked: Case) -> None:
    study = prepare_ncct(specked.ncct)
    box = _box_over_all_slices(specked)
    speck = specked.specks[0]
    result = segment_hemorrhage(study, [Roi(y=box.y, x=box.x, seed=speck)])
    assert result.mask.array[speck]
    assert result.volume_ml < 0.2  # the speck alone
    where = "click z={} y={} x={}".format(*speck)
    assert any(w.endswith(f"not connected to the lesion at the {where}") for w in result.warnings)
    # a click on the bleed proposes an ROI that carries it
    proposed = propose_roi(study, specked.centre_index)
    assert proposed.seed == specked.centre_index
    assert segment_hemorrhage(study, [proposed]).volume_ml > 5.0


def test_seed_is_kept_by_resolve_and_not_part_of_the_box() -> None:
    roi = Roi(z=(-3, 4), y=(1, 9), x=(2, 8), seed=(2, 5, 5))
    resolved, _ = roi.resolve((10, 20, 20))
    assert resolved.seed == (2, 5, 5)
    assert roi == Roi(z=(-3, 4), y=(1, 9), x=(2, 8))
    assert roi.text == "z=-3:4 y=1:9 x=2:8"
    assert resolved.centre == (2, 5, 5)


def test_bridge_setting_is_checked() -> None:
    with pytest.raises(InputError, match="bridge_mm"):
        SegmentSettings(bridge_mm=25.0)
