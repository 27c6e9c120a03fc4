"""An outcome model's probability in the DICOM SR: one more measurement of the
"Recanalization-related features" group, identified by the model's name and version with
the model card's cohort line as text (TID 4019); "Not assessed" with the reason when the
model could not run on the study; dciodvfy clean either way."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import highdicom as hd
import pytest
from export_cases import Study

from outcome_model_files import COHORT, FEATURES, train_tiny_model
from strokescope import pipeline
from strokescope.outcome.prediction import OutcomePrediction
from strokescope.outputs import ExportManifest, export_results


@pytest.fixture(scope="module")
def prediction(study: Study, tmp_path_factory: pytest.TempPathFactory) -> OutcomePrediction:
    model = train_tiny_model(tmp_path_factory.mktemp("outcome_model"))
    found = pipeline.predict_outcome(study.thrombus, model=model)
    assert found.probability is not None
    return found


@pytest.fixture(scope="module")
def exported(
    study: Study, prediction: OutcomePrediction, tmp_path_factory: pytest.TempPathFactory
) -> ExportManifest:
    out = tmp_path_factory.mktemp("outcome_sr")
    return export_results(out, source=study.cta, thrombus=study.thrombus, outcome=prediction)


def _group(sr_path: Path | None) -> hd.sr.MeasurementsAndQualitativeEvaluations:
    assert sr_path is not None
    sr = hd.sr.srread(sr_path)
    groups = {g.tracking_identifier: g for g in sr.content.get_image_measurement_groups()}
    return groups["Recanalization-related features"]


def _texts(item: hd.sr.Measurement) -> dict[str, list[str]]:
    """TEXT children of a measurement's algorithm identification, by concept meaning."""
    out: dict[str, list[str]] = {}
    for child in item[0].ContentSequence:
        if child.ValueType == "TEXT":
            out.setdefault(child.ConceptNameCodeSequence[0].CodeMeaning, []).append(child.TextValue)
    return out


def test_probability_is_a_measurement_with_model_name_version_and_cohort(
    exported: ExportManifest, prediction: OutcomePrediction
) -> None:
    (probability,) = [
        m for m in _group(exported.sr).get_measurements() if m.name.value == "outcome-probability"
    ]
    assert probability.name.meaning == "P(successful recanalization, mTICI >= 2c)"
    assert probability.value == pytest.approx(prediction.probability)
    assert probability.unit.value == "1"
    texts = _texts(probability)
    assert texts["Algorithm Name"] == ["strokescope-outcome-feature-model"]
    (version,) = texts["Algorithm Version"]
    assert version == prediction.model_version and version.startswith("sha256 ")
    model_card, features = texts["Algorithm Parameters"]
    assert model_card == f"model card: {prediction.model}" and f"{COHORT} (n=160)" in model_card
    assert features == f"features: {', '.join(FEATURES)}"


def test_a_model_that_could_not_run_is_not_assessed_with_the_reason(
    study: Study, prediction: OutcomePrediction, tmp_path: Path
) -> None:
    none = replace(prediction, probability=None, reason="absent: Clot length")
    m = export_results(tmp_path, source=study.cta, thrombus=study.thrombus, outcome=none)
    group = _group(m.sr)
    assert "outcome-probability" not in {x.name.value for x in group.get_measurements()}
    (item,) = [i for i in group[0].ContentSequence if i.name.value == "outcome-probability"]
    assert item.value.value == "not-assessed"
    (reason,) = [c.TextValue for c in item.ContentSequence]
    assert reason == f"absent: Clot length; outcome model: {prediction.model}"
    _dciodvfy_clean(m.sr)


def _dciodvfy_clean(path: Path | None) -> None:
    assert path is not None
    run = subprocess.run(["dciodvfy", str(path)], capture_output=True, text=True)
    errors = [ln for ln in (run.stdout + run.stderr).splitlines() if ln.startswith("Error")]
    assert not errors


@pytest.mark.skipif(shutil.which("dciodvfy") is None, reason="dicom3tools not installed")
def test_sr_with_the_probability_passes_dciodvfy(exported: ExportManifest) -> None:
    _dciodvfy_clean(exported.sr)
