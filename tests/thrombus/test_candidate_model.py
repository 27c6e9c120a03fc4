"""The candidate model: attenuation features of a candidate, the logistic score over them,
and the analysis keeping or dropping candidates by it (drawn tubes of ``drawn_tubes``)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from drawn_tubes import PLANE, analyse_scene, scene

from strokescope.errors import ModelError
from strokescope.preprocess.registration import identity_registration
from strokescope.thrombus.candidate_features import FEATURES, CandidateRecord, candidate_features
from strokescope.thrombus.candidate_model import CandidateModel
from strokescope.thrombus.centerline import centerline
from strokescope.thrombus.rules import Rules, rules_from_manifest
from strokescope.thrombus.vessel_evidence import vessel_evidence


def _features(clot: bool) -> dict[str, float]:
    ncct, cta, mask = scene(clot=clot, blob=not clot)
    index = np.argwhere(mask)
    reg = identity_registration()
    points = cta.geometry.index_to_lps(index.astype(float))
    line = centerline(index, cta.geometry)
    volume = len(index) * cta.geometry.voxel_volume_mm3
    ev = vessel_evidence(points, line, volume, PLANE, cta, ncct, reg)
    ncct_hu = ncct.array[tuple(index.T)]
    prob = np.full(len(index), 0.8, np.float32)
    return candidate_features(index, ncct_hu, prob, line, ev, PLANE, cta, ncct, reg)


def test_features_read_the_clot_and_the_blood_from_attenuation() -> None:
    clot, blood = _features(True), _features(False)
    assert list(clot) == list(FEATURES)
    for f in (clot, blood):
        assert f["ncct_mean_hu"] == pytest.approx(62.0, abs=1.0)
        assert f["perviousness_hu"] == pytest.approx(8.0, abs=1.0)
        assert f["opacified_fraction"] == 0.0
        assert f["probability_mean"] == pytest.approx(0.8)
        assert f["ncct_above_shell_hu"] > 20.0  # brain (35 HU) or lumen around it
    # the clot fills the artery: lumen in line beyond its ends, and its mirror image is the
    # other artery (40 HU on NCCT); the blood's mirror image is brain (35 HU)
    assert clot["inline_lumen"] >= 0.8 and blood["inline_lumen"] <= 0.1
    assert clot["ncct_above_mirror_hu"] == pytest.approx(62.0 - 40.0, abs=3.0)
    assert blood["ncct_above_mirror_hu"] == pytest.approx(62.0 - 35.0, abs=3.0)
    # 10 mm of a 3 mm wide tube against the blood's 10 mm of a 2.4 mm wide one
    assert clot["log10_volume_mm3"] == pytest.approx(math.log10(10 * math.pi * 1.5**2), abs=0.1)
    assert blood["elongation"] > clot["elongation"]
    # no lumen crosses the occluding clot; the patent artery runs on beside the blood
    assert clot["lumen_through_fraction"] == 0.0 and blood["lumen_through_fraction"] == 1.0


def _model(**changes: object) -> CandidateModel:
    d = {
        "features": ["inline_lumen", "ncct_mean_hu"],
        "mean": [0.5, 60.0],
        "scale": [0.25, 10.0],
        "weights": [4.0, 1.0],
        "intercept": -1.0,
        "threshold": 0.5,
        "scope": "all",
    } | changes
    return CandidateModel.from_dict(d)


def test_the_score_is_the_logistic_of_the_standardised_features() -> None:
    m = _model()
    z = -1.0 + 4.0 * (0.9 - 0.5) / 0.25 + 1.0 * (70.0 - 60.0) / 10.0
    assert m.probability({"inline_lumen": 0.9, "ncct_mean_hu": 70.0}) == pytest.approx(
        1 / (1 + math.exp(-z))
    )
    assert CandidateModel.from_dict(m.to_dict()) == m
    assert "every candidate needs a candidate-model probability >= 0.5" in m.describe()
    assert m.judges(False) and _model(scope="scan_only").judges(True)
    assert not _model(scope="scan_only").judges(False)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"features": ["inline_lumen", "where_it_is"]}, "unknown features where_it_is"),
        ({"scale": [0.25, 0.0]}, "scale must be > 0"),
        ({"weights": [1.0]}, "alike"),
        ({"threshold": 1.5}, "threshold"),
        ({"scope": "some"}, "scope"),
    ],
)
def test_a_malformed_model_is_refused_when_the_manifest_is_read(
    changes: dict[str, object], message: str
) -> None:
    d = _model().to_dict() | changes
    with pytest.raises(ModelError, match=message):
        rules_from_manifest({"candidate_model": d})


def test_a_scan_only_model_needs_the_scan() -> None:
    d = _model(scope="scan_only").to_dict()
    with pytest.raises(ModelError, match="needs fine_scan"):
        rules_from_manifest({"candidate_model": d})
    rules = rules_from_manifest({"candidate_model": d, "fine_scan": True})
    assert rules.candidate_model == _model(scope="scan_only")
    assert "a candidate only the scan proposed needs a candidate-model" in rules.describe()


@pytest.mark.parametrize(
    ("clot", "scope", "scan_only", "kept"),
    [
        (True, "all", False, True),
        (False, "all", False, False),  # the blood lacks the lumen in line
        (False, "scan_only", False, True),  # not judged: the coarse stage proposed it
        (False, "scan_only", True, False),
        (True, "scan_only", True, True),
    ],
)
def test_the_analysis_keeps_what_the_model_keeps(
    clot: bool, scope: str, scan_only: bool, kept: bool
) -> None:
    rules = Rules(fine_scan=True, candidate_model=_model(scope=scope))
    record: list[CandidateRecord] = []
    thrombi, mask = analyse_scene(clot=clot, rules=rules, scan_only=scan_only, record=record)
    assert len(thrombi) == int(kept)
    judged = scope == "all" or scan_only
    assert len(record) == 1 and record[0].scan_only is scan_only  # recorded either way
    assert len(record[0].index) == mask.sum()
    if judged:
        assert (_model().probability(record[0].features) >= 0.5) == kept
