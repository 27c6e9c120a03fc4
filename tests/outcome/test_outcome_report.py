"""What every output shows of the features: definitions, rows, and an installed outcome
model's probability beside its cohort and cross-validated AUC."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

import pytest
from cohort_files import write_cohort
from test_outcome_features import _clot
from training.outcome_onnx import install_model

from strokescope import pipeline
from strokescope.cli import main
from strokescope.outcome.definitions import BY_NAME, DEFINITIONS
from strokescope.outcome.features import NEEDS_TREE, OutcomeFeatures, features_from_thrombus
from strokescope.outcome.prediction import NO_MODEL, OutcomePrediction, prediction_line
from strokescope.outcome.train import model_from_dict
from thrombus_results import thrombus_result


def test_one_definition_per_feature_in_field_order() -> None:
    assert [d.name for d in DEFINITIONS] == [f.name for f in fields(OutcomeFeatures)]
    for d in DEFINITIONS:
        assert d.label and d.definition and "\n" not in d.definition
    assert BY_NAME["perviousness_hu"].text().endswith("[Santos2016, Mishra2014]")


def test_rows_show_value_and_unit_or_the_reason() -> None:
    rows = {r.name: r for r in features_from_thrombus(thrombus_result(_clot(120.4, 15.26))).rows()}
    assert [r.label for r in rows.values()] == [d.label for d in DEFINITIONS]
    assert rows["clot_length_mm"].value_text() == "15.3 mm"
    assert rows["clot_volume_mm3"].value_text() == "120 mm3"
    assert rows["relative_attenuation"].value_text() == "1.40"  # a ratio has no unit
    assert rows["occlusion_site"].value_text() == "M1" and rows["occlusion_site"].present
    tree = rows["clot_burden_score"]
    assert not tree.present and tree.value_text() == f"absent: {NEEDS_TREE}"
    assert tree.definition == BY_NAME["clot_burden_score"].text()
    assert rows["collateral_grade"].value_text() == "2 grade (0-3)"
    for row in features_from_thrombus(thrombus_result(assessed=False)).rows():
        assert row.value_text() == "absent: thrombus not assessed: no CTA series"


def test_prediction_line_names_the_model_or_says_there_is_none() -> None:
    assert prediction_line(None) == NO_MODEL
    p = OutcomePrediction(0.625, None, "Site A (n=240), cross-validated AUC 0.74", ("x",))
    assert "mTICI >= 2c) 0.62; outcome model: Site A (n=240), cross-validated AUC 0.74" in (
        prediction_line(p)
    )
    assert "Research use only" in p.line()
    none = OutcomePrediction(None, "absent: Collateral grade", "Site A", ("collateral_grade",))
    assert "not computed (absent: Collateral grade)" in none.line()
    with pytest.raises(ValueError):
        OutcomePrediction(1.5, None, "m")
    with pytest.raises(ValueError):
        OutcomePrediction(None, None, "m")


@pytest.fixture(scope="module")
def model_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("outcome_model")
    cohort = write_cohort(root / "train.csv", 160, seed=3)
    args = ["outcome", "train", str(cohort), "--out", str(root / "run"), "--bootstrap", "10"]
    assert main([*args, "--features", "clot_length_mm,perviousness_hu"]) == 0
    return install_model(root / "run" / "fit.json", root / "model", cohort="synthetic law")


def test_pipeline_runs_an_installed_model_on_a_study(model_folder: Path) -> None:
    result = thrombus_result(_clot(120.0, 15.0))
    p = pipeline.predict_outcome(result, model=model_folder)
    fit = json.loads((model_folder.parent / "run" / "fit.json").read_text())
    expected = model_from_dict(fit).predict([[15.0, 19.0]])[0]
    assert p.probability == pytest.approx(expected, abs=1e-4) and p.reason is None
    assert p.features == ("clot_length_mm", "perviousness_hu")
    assert "synthetic law (n=160), cross-validated AUC" in p.model
    missing = pipeline.predict_outcome(thrombus_result(assessed=False), model=model_folder)
    assert missing.probability is None
    assert missing.reason == "absent: Clot length, Perviousness"
