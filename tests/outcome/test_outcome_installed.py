"""Checking an installed outcome model folder before it runs on a study: every manifest
field the app reads, the graph's width, and that each feature is one a study gives in the
same unit; each refusal one line naming the folder (``pipeline.check_outcome_model``)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from test_outcome_features import _clot

from outcome_model_files import COHORT, FEATURES, edit_manifest, train_tiny_model
from strokescope import pipeline
from strokescope.errors import ModelError
from strokescope.resources import OUTCOME_MODEL_ENV
from thrombus_results import thrombus_result


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return train_tiny_model(tmp_path_factory.mktemp("outcome"))


def test_check_returns_the_model_card_line_and_predictions_name_the_model(model: Path) -> None:
    line = pipeline.check_outcome_model(model)
    assert line.startswith(f"{COHORT} (n=160), cross-validated AUC ")
    p = pipeline.predict_outcome(thrombus_result(_clot(120.0, 15.0)), model=model)
    assert p.model == line and p.features == FEATURES
    assert p.model_name == "strokescope-outcome-feature-model"
    assert p.model_version.startswith("sha256 ") and len(p.model_version) == len("sha256 ") + 12
    record = p.to_dict()  # results.json
    assert set(record) == {
        "probability",
        "reason",
        "model",
        "features",
        "model_name",
        "model_version",
    }
    assert (record["model_name"], record["model_version"]) == (p.model_name, p.model_version)


BROKEN: list[tuple[dict[str, Any], str]] = [
    ({"input": {"features": "clot_length_mm"}}, "input.features is not a list"),
    ({"input": {"features": []}}, "input.features is not a list"),
    ({"input": {"features": [FEATURES[0], FEATURES[0]]}}, "names a feature twice"),
    ({"input": {"units": ["mm"]}}, "input.units does not give one unit per feature"),
    ({"cohort": {"n": 160}}, "cohort needs a description and its size n"),
    ({"cross_validation": {"auc": 0.7}}, "cross_validation needs auc, auc_low, auc_high"),
    ({"files": ["model.onnx"]}, "files is not a table of sha256 digests"),
    (
        {"input": {"features": [*FEATURES, "clot_volume_mm3"], "units": ["mm", "HU", "mm3"]}},
        "model.onnx: takes 2 features, the manifest lists 3",
    ),
]


@pytest.mark.parametrize("changes, words", BROKEN)
def test_a_malformed_manifest_is_one_line_naming_the_folder(
    changes: dict[str, Any], words: str, model: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "m"
    shutil.copytree(model, folder)
    edit_manifest(folder, **changes)
    with pytest.raises(ModelError, match=words) as caught:
        pipeline.check_outcome_model(folder)
    assert str(caught.value).startswith(str(folder)) and "\n" not in str(caught.value)
    with pytest.raises(ModelError, match=words):  # the same check before a prediction
        pipeline.predict_outcome(thrombus_result(_clot(120.0, 15.0)), model=folder)


def test_features_a_study_does_not_give_or_in_other_units_are_refused(
    model: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "m"
    shutil.copytree(model, folder)
    edit_manifest(folder, input={"features": ["nihss", FEATURES[1]], "units": ["points", "HU"]})
    with pytest.raises(ModelError, match=r"manifest.json: features not computed .*: nihss \("):
        pipeline.check_outcome_model(folder)
    edit_manifest(folder, input={"features": list(FEATURES), "units": ["cm", "HU"]})
    with pytest.raises(
        ModelError, match="units differ from this version's: clot_length_mm in 'cm', not 'mm'$"
    ):
        pipeline.predict_outcome(thrombus_result(_clot(120.0, 15.0)), model=folder)


def test_the_default_folder_is_the_environment_variable_or_none(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(OUTCOME_MODEL_ENV, raising=False)
    assert pipeline.outcome_model_folder() is None
    monkeypatch.setenv(OUTCOME_MODEL_ENV, "  ")
    assert pipeline.outcome_model_folder() is None
    monkeypatch.setenv(OUTCOME_MODEL_ENV, str(tmp_path / "m"))
    assert pipeline.outcome_model_folder() == (tmp_path / "m").resolve()
