"""The recanalization-related features in every output of a thrombus export: results.json
and the CSV row, the DICOM SR (numbers coded, absent features "Not assessed" with the
reason), the PDF report (with definitions) and, when an outcome model was run, its
probability beside the model card's cohort and cross-validated AUC."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

import highdicom as hd
import pytest
from export_cases import Study
from tests.schema_check import validate_schema

from strokescope.errors import InputError
from strokescope.outcome.definitions import DEFINITIONS
from strokescope.outcome.features import NEEDS_TREE
from strokescope.outcome.prediction import NO_MODEL, OutcomePrediction
from strokescope.outputs import RESULTS_SCHEMA, ExportManifest, export_results

MODEL = "Site A 2019-2024 (n=240), cross-validated AUC 0.74 (95 % CI 0.68-0.80)"
TREE = ("distance_ica_terminus_mm", "clot_burden_score")


@pytest.fixture(scope="module")
def exported(study: Study, tmp_path_factory: pytest.TempPathFactory) -> ExportManifest:
    prediction = OutcomePrediction(
        0.62,
        None,
        MODEL,
        ("clot_length_mm", "perviousness_hu"),
        model_name="site-a-recanalization",
        model_version="2.1",
    )
    out = tmp_path_factory.mktemp("outcome")
    return export_results(out, source=study.cta, thrombus=study.thrombus, outcome=prediction)


def test_json_and_csv_hold_each_feature_value_unit_or_reason(
    study: Study, exported: ExportManifest
) -> None:
    doc = json.loads(exported.json.read_text())
    validate_schema(doc, RESULTS_SCHEMA)
    features = doc["outcome"]["features"]
    assert list(features) == [d.name for d in DEFINITIONS]
    t = study.thrombus.thrombi[0]
    assert features["clot_length_mm"] == {"value": t.length_mm, "unit": "mm", "reason": None}
    assert features["occlusion_site"]["value"] == "M1"
    assert features["perviousness_hu"]["value"] == pytest.approx(t.perviousness_hu)
    for name in TREE:
        assert features[name]["value"] is None and features[name]["reason"] == NEEDS_TREE
    assert features["collateral_grade"] == {"value": 2.0, "unit": "grade (0-3)", "reason": None}
    assert doc["outcome"]["prediction"] == {
        "probability": 0.62,
        "reason": None,
        "model": MODEL,
        "features": ["clot_length_mm", "perviousness_hu"],
        "model_name": "site-a-recanalization",
        "model_version": "2.1",
    }
    (row,) = csv.DictReader(io.StringIO(exported.csv.read_text()))
    assert float(row["clot_length_mm"]) == pytest.approx(t.length_mm)
    assert float(row["relative_attenuation"]) == pytest.approx(1.4)
    assert row["collateral_grade"] == "2.0" and row["outcome_probability"] == "0.62"
    assert row["outcome_absent"] == f"{', '.join(TREE)}: {NEEDS_TREE}"


def _feature_group(sr_path: Path) -> hd.sr.MeasurementsAndQualitativeEvaluations:
    sr = hd.sr.srread(sr_path)
    groups = {g.tracking_identifier: g for g in sr.content.get_image_measurement_groups()}
    return groups["Recanalization-related features"]


def test_sr_codes_features_as_measurements_and_absent_ones_as_not_assessed(
    study: Study, exported: ExportManifest
) -> None:
    assert exported.sr is not None
    group = _feature_group(exported.sr)
    t = study.thrombus.thrombi[0]
    values = {
        (m.name.value, m.method.value if m.method else None): (m.value, m.unit.value)
        for m in group.get_measurements()
    }
    assert values == {
        ("410668003", None): (pytest.approx(t.length_mm), "mm"),
        ("118565006", "126030"): (pytest.approx(t.volume_mm3), "mm3"),
        ("112031", "on-ncct"): (pytest.approx(t.ncct_mean_hu), "[hnsf'U]"),
        ("rel-attenuation", None): (pytest.approx(1.4), "1"),
        ("perviousness", None): (pytest.approx(t.perviousness_hu), "[hnsf'U]"),
        ("collateral-grade", None): (2.0, "{grade}"),  # collateral ratio 0.62
        ("outcome-probability", None): (pytest.approx(0.62), "1"),  # the model ran
    }
    coded = {}
    for item in group[0].ContentSequence:
        if item.RelationshipType == "CONTAINS" and item.ValueType == "CODE":
            name = item.ConceptNameCodeSequence[0].CodeValue
            reason = [c.TextValue for c in item.get("ContentSequence", [])]
            coded[name] = (item.ConceptCodeSequence[0].CodeValue, reason)
    assert coded == {
        "121071": ("396339007", []),  # Finding: thrombus
        "occlusion-site": ("M1", []),
        "272741003": ("7771000", []),  # Laterality: left
        "dist-ica-term": ("not-assessed", [NEEDS_TREE]),
        "clot-burden": ("not-assessed", [NEEDS_TREE]),
    }


@pytest.mark.skipif(shutil.which("dciodvfy") is None, reason="dicom3tools not installed")
def test_sr_with_features_passes_dciodvfy(exported: ExportManifest) -> None:
    assert exported.sr is not None
    run = subprocess.run(["dciodvfy", str(exported.sr)], capture_output=True, text=True)
    errors = [ln for ln in (run.stdout + run.stderr).splitlines() if ln.startswith("Error")]
    assert not errors


def _pdf_text(path: Path) -> str:
    run = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True)
    return " ".join(run.stdout.split())


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdf_lists_features_with_definitions_and_the_probability(
    exported: ExportManifest,
) -> None:
    text = _pdf_text(exported.pdf)
    section = text[text.index("Recanalization-related features") : text.index("Warnings")]
    for expected in (
        "Occlusion site M1",
        "Clot length 12.3 mm",
        "Relative attenuation 1.40",
        f"Clot burden score absent: {NEEDS_TREE}",
        "Collateral grade 2 grade (0-3)",
    ):
        assert expected in section
    for d in DEFINITIONS:
        assert d.text() in section
    assert f"P(successful recanalization, mTICI >= 2c) 0.62; outcome model: {MODEL}" in section
    assert NO_MODEL not in section


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_without_a_model_the_pdf_says_features_only(study: Study, tmp_path: Path) -> None:
    m = export_results(tmp_path, source=study.cta, thrombus=study.thrombus)
    assert json.loads(m.json.read_text())["outcome"]["prediction"] is None
    assert NO_MODEL in _pdf_text(m.pdf)


def test_hemorrhage_only_export_has_no_features_and_refuses_an_outcome(
    study: Study, tmp_path: Path
) -> None:
    m = export_results(tmp_path, source=study.followup, hemorrhage=study.hemorrhage)
    assert json.loads(m.json.read_text())["outcome"] is None
    assert b"Recanalization" not in m.pdf.read_bytes()  # text streams are uncompressed
    with pytest.raises(InputError, match="needs its thrombus result"):
        export_results(
            tmp_path,
            source=study.followup,
            hemorrhage=study.hemorrhage,
            outcome=OutcomePrediction(0.5, None, MODEL),
        )
