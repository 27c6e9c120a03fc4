"""Features of one study from its thrombus result: present, or absent with the reason."""

from __future__ import annotations

from dataclasses import replace

import pytest

from strokescope.outcome.features import (
    NEEDS_TREE,
    NO_REFERENCE,
    NO_RELATIVE,
    NOT_GRADED,
    NUMERIC_FEATURES,
    OFF_TREE,
    POSTERIOR,
    Feature,
    OutcomeFeatures,
    features_from_thrombus,
)
from strokescope.thrombus.result import Thrombus
from strokescope.vessels.cbs import ClotBurden
from strokescope.vessels.reading import ClotOnTree, TreeReading
from strokescope.vessels.result import ArterialTree
from thrombus_results import thrombus_result


def _clot(
    volume: float,
    length: float,
    relative: float | None = 1.4,
    *,
    segment: str = "M1",
    collateral: float | None = 0.62,
) -> Thrombus:
    return Thrombus(
        label=1,
        volume_mm3=volume,
        length_mm=length,
        max_diameter_mm=3.0,
        ncct_mean_hu=61.0,
        ncct_sd_hu=5.0,
        cta_mean_hu=80.0,
        perviousness_hu=19.0,
        relative_attenuation=relative,
        side="left",
        centroid_lps=(1.0, 2.0, 3.0),
        segment=segment,
        probability_mean=0.9,
        collateral_ratio=collateral,
    )


def test_headline_clot_measurements_and_tree_features_absent() -> None:
    f = features_from_thrombus(thrombus_result(_clot(50.0, 8.0), _clot(120.0, 15.0)))
    assert f.clot_volume_mm3 == Feature(120.0) and f.clot_length_mm.value == 15.0
    assert (f.occlusion_site.value, f.occlusion_side.value) == ("M1", "left")
    assert f.ncct_density_hu.value == 61.0 and f.perviousness_hu.value == 19.0
    assert f.relative_attenuation.value == 1.4
    for name in ("distance_ica_terminus_mm", "clot_burden_score"):
        assert getattr(f, name) == Feature.absent(NEEDS_TREE)
    assert f.collateral_grade == Feature(2.0)  # ratio 0.62: more than half, not all
    assert f.numbers()["collateral_grade"] == 2.0 and f.numbers()["clot_length_mm"] == 15.0


@pytest.mark.parametrize(
    ("ratio", "grade"), [(0.0, 0), (0.1, 0), (0.11, 1), (0.5, 1), (0.51, 2), (0.9, 2), (0.91, 3)]
)
def test_collateral_grade_follows_tans_cut_offs(ratio: float, grade: int) -> None:
    f = features_from_thrombus(thrombus_result(_clot(50.0, 8.0, collateral=ratio)))
    assert f.collateral_grade == Feature(float(grade))


def test_collateral_grade_absent_beyond_ica_and_m1_and_without_a_reference() -> None:
    m2 = features_from_thrombus(thrombus_result(_clot(50.0, 8.0, segment="M2", collateral=None)))
    assert m2.collateral_grade == Feature.absent(NOT_GRADED)
    none = features_from_thrombus(thrombus_result(_clot(50.0, 8.0, collateral=None)))
    assert none.collateral_grade == Feature.absent(NO_REFERENCE)


def test_no_cta_and_no_clot_give_absent_features_with_reason_never_zero() -> None:
    for result, why in (
        (thrombus_result(assessed=False), "thrombus not assessed: no CTA series"),
        (thrombus_result(), "no thrombus found on NCCT + CTA"),
    ):
        f = features_from_thrombus(result)
        assert all(v is None for v in f.numbers().values())
        assert {getattr(f, n).reason for n in NUMERIC_FEATURES} == {why}
    f = features_from_thrombus(thrombus_result(_clot(50.0, 8.0, relative=None)))
    assert f.relative_attenuation == Feature.absent(NO_RELATIVE)


def test_round_trip_and_feature_invariants() -> None:
    f = features_from_thrombus(thrombus_result(_clot(50.0, 8.0)))
    assert OutcomeFeatures.from_dict(f.to_dict()) == f
    with pytest.raises(ValueError):
        Feature(None)
    with pytest.raises(ValueError):
        Feature(1.0, "both")
    with pytest.raises(ValueError):
        Feature(float("nan"))
    assert replace(f, clot_length_mm=Feature.absent("x")).numbers()["clot_length_mm"] is None


def _tree_reading(clots: tuple[ClotOnTree, ...], score: int) -> TreeReading:
    tree = ArterialTree((), (), {}, None, ClotBurden(score, "left", ("M1 distal",)), 1.0)
    return TreeReading(tree, clots, ())


def test_tree_features_come_from_the_arterial_tree_when_it_was_traced() -> None:
    result = thrombus_result(replace(_clot(120.0, 15.0), label=2), _clot(50.0, 8.0))
    on = ClotOnTree(2, "M1", "left", 11.5, "ICA terminus", 0.9, True)
    f = features_from_thrombus(replace(result, arteries=_tree_reading((on,), 8)))
    assert f.distance_ica_terminus_mm == Feature(11.5) and f.clot_burden_score == Feature(8.0)
    off = ClotOnTree(2, None, None, None, None, None, None)
    f = features_from_thrombus(replace(result, arteries=_tree_reading((off,), 8)))
    assert f.distance_ica_terminus_mm == Feature.absent(OFF_TREE)
    assert f.clot_burden_score == Feature(8.0)
    basilar = ClotOnTree(2, "BA", "mid", -4.0, "basilar tip", 1.0, True)
    f = features_from_thrombus(replace(result, arteries=_tree_reading((basilar,), 10)))
    assert f.distance_ica_terminus_mm == Feature.absent(POSTERIOR)
