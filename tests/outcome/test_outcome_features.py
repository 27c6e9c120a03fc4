"""Features of one study from its thrombus result: present, or absent with the reason."""

from __future__ import annotations

from dataclasses import replace

import pytest

from strokescope.outcome.features import (
    NEEDS_TREE,
    NO_RELATIVE,
    NUMERIC_FEATURES,
    Feature,
    OutcomeFeatures,
    features_from_thrombus,
)
from strokescope.thrombus.result import Thrombus
from thrombus_results import thrombus_result


def _clot(volume: float, length: float, relative: float | None = 1.4) -> Thrombus:
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
        segment="M1",
        probability_mean=0.9,
    )


def test_headline_clot_measurements_and_tree_features_absent() -> None:
    f = features_from_thrombus(thrombus_result(_clot(50.0, 8.0), _clot(120.0, 15.0)))
    assert f.clot_volume_mm3 == Feature(120.0) and f.clot_length_mm.value == 15.0
    assert (f.occlusion_site.value, f.occlusion_side.value) == ("M1", "left")
    assert f.ncct_density_hu.value == 61.0 and f.perviousness_hu.value == 19.0
    assert f.relative_attenuation.value == 1.4
    for name in ("distance_ica_terminus_mm", "clot_burden_score", "collateral_grade"):
        assert getattr(f, name) == Feature.absent(NEEDS_TREE)
    assert f.numbers()["collateral_grade"] is None and f.numbers()["clot_length_mm"] == 15.0


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
