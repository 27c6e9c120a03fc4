"""Negative and unassessed thrombus studies export like any other result.

A study without a thrombus (and one without a CTA, "not assessed") used to end in a
highdicom TypeError inside the SR builder with an empty results folder. Their
recanalization-related features are all absent, with the reason, in every output.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import highdicom as hd
import numpy as np
import pydicom
import pytest
from export_cases import Study

from strokescope.outcome.definitions import DEFINITIONS
from strokescope.outcome.features import NUMERIC_FEATURES
from strokescope.outcome.prediction import NO_MODEL
from strokescope.outputs import ExportManifest, export_results
from strokescope.thrombus.result import ThrombusResult
from strokescope.volume import Mask

THROMBUS = "396339007"
ABSENT, PRESENT, UNDETERMINED = "272519000", "52101004", "373068000"
FINDING = "121071"  # DCM "Finding": the group's finding type
WHY = {
    "negative": "no thrombus found on NCCT + CTA",
    "not assessed": "thrombus not assessed: no CTA series",
}


def _negative(study: Study, *, assessed: bool) -> ThrombusResult:
    empty = Mask(np.zeros(study.cta.shape, dtype=bool), study.cta.geometry, "thrombus")
    return replace(
        study.thrombus,
        thrombi=(),
        occlusion=False,
        lvo=False,
        occlusion_class="none" if assessed else "not assessed",
        mask=empty,
        not_assessed_reason=None if assessed else "no CTA series",
    )


@pytest.fixture(scope="module", params=["negative", "not assessed"])
def negative_export(
    request: pytest.FixtureRequest, study: Study, tmp_path_factory: pytest.TempPathFactory
) -> tuple[str, ExportManifest]:
    result = _negative(study, assessed=request.param == "negative")
    out = tmp_path_factory.mktemp("negative")
    return request.param, export_results(out, source=study.cta, thrombus=result)


def _groups(sr_path: Path) -> dict[str, hd.sr.MeasurementsAndQualitativeEvaluations]:
    """The SR's measurement groups without a segment (no mask), by tracking identifier."""
    sr = hd.sr.srread(sr_path)
    assert not sr.content.get_volumetric_roi_measurement_groups()
    return {g.tracking_identifier: g for g in sr.content.get_image_measurement_groups()}


def _evaluations(sr_path: Path) -> dict[str, str]:
    """Qualitative evaluations of the SR's thrombus group."""
    groups = _groups(sr_path)
    (group,) = [g for name, g in groups.items() if name.startswith("Thrombus")]
    return {e.name.value: e.value.value for e in group.get_qualitative_evaluations()}


def test_negative_study_writes_sr_pdf_json_and_no_seg(
    negative_export: tuple[str, ExportManifest],
) -> None:
    kind, m = negative_export
    assert m.seg is None and m.sr is not None and m.pdf_dicom is not None
    assert m.pdf.is_file() and m.json.is_file() and m.csv.is_file()
    doc = json.loads(m.json.read_text())
    expected = (
        "No occlusion found on NCCT + CTA"
        if kind == "negative"
        else "Thrombus not assessed: no CTA series"
    )
    assert doc["impression"] == [expected]
    assert doc["files"]["seg"] is None
    assert "trained on digital phantoms only" in doc["thrombus"]["research_use"]
    assert any("SEG not written" in w for w in doc["warnings"])
    assert expected in m.csv.read_text()


def test_negative_finding_is_coded_in_the_sr(negative_export: tuple[str, ExportManifest]) -> None:
    kind, m = negative_export
    assert m.sr is not None
    evaluations = _evaluations(m.sr)
    assert evaluations[THROMBUS] == (ABSENT if kind == "negative" else UNDETERMINED)
    raw = pydicom.dcmread(m.sr)
    text = " ".join(str(e.value) for e in raw.iterall() if e.keyword == "TextValue")
    assert ("No occlusion found" if kind == "negative" else "not assessed") in text


def test_negative_features_are_absent_with_the_reason_in_json_and_csv(
    negative_export: tuple[str, ExportManifest],
) -> None:
    kind, m = negative_export
    outcome = json.loads(m.json.read_text())["outcome"]
    assert list(outcome["features"]) == [d.name for d in DEFINITIONS]
    for f in outcome["features"].values():
        assert f["value"] is None and f["reason"] == WHY[kind]  # never 0 for unknown
    assert outcome["prediction"] is None
    (row,) = csv.DictReader(io.StringIO(m.csv.read_text()))
    assert all(row[name] == "" for name in NUMERIC_FEATURES) and row["outcome_probability"] == ""
    assert row["outcome_absent"] == f"{', '.join(d.name for d in DEFINITIONS)}: {WHY[kind]}"


def test_negative_features_are_not_assessed_in_the_sr(
    negative_export: tuple[str, ExportManifest],
) -> None:
    kind, m = negative_export
    assert m.sr is not None
    group = _groups(m.sr)["Recanalization-related features"]
    assert not group.get_measurements()
    items = [
        i
        for i in group[0].ContentSequence
        if i.RelationshipType == "CONTAINS" and i.ValueType == "CODE"
        and i.ConceptNameCodeSequence[0].CodeValue != FINDING
    ]  # fmt: skip
    assert len(items) == len(DEFINITIONS)
    for item in items:
        value = item.ConceptCodeSequence[0]
        assert (value.CodeValue, value.CodingSchemeDesignator) == ("not-assessed", "99STRKSCP")
        (reason,) = item.ContentSequence
        assert reason.TextValue == WHY[kind]


def test_positive_sr_codes_thrombus_present_and_lvo(study: Study, tmp_path: Path) -> None:
    m = export_results(tmp_path, source=study.cta, thrombus=study.thrombus)
    assert m.sr is not None
    sr = hd.sr.srread(m.sr)
    (group,) = sr.content.get_volumetric_roi_measurement_groups()
    evaluations = {e.name.value: e.value.value for e in group.get_qualitative_evaluations()}
    assert evaluations == {THROMBUS: PRESENT, "lvo": PRESENT}


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_negative_pdf_starts_with_the_impression(
    negative_export: tuple[str, ExportManifest],
) -> None:
    kind, m = negative_export
    run = subprocess.run(
        ["pdftotext", "-layout", str(m.pdf), "-"], capture_output=True, text=True, check=True
    )
    text = run.stdout
    line = "No occlusion found on NCCT + CTA" if kind == "negative" else "Thrombus not assessed"
    assert line in text
    assert text.index("Impression") < text.index("Study") < text.index("Measurements")
    assert "phantom-trained models" in text.replace("\n", " ")
    section = " ".join(text[text.index("Recanalization-related features") :].split())
    for d in DEFINITIONS:
        assert f"{d.label} absent: {WHY[kind]}" in section
    assert NO_MODEL in section


@pytest.mark.skipif(shutil.which("dciodvfy") is None, reason="dicom3tools not installed")
def test_negative_exports_pass_dciodvfy(negative_export: tuple[str, ExportManifest]) -> None:
    _, m = negative_export
    for path in (m.sr, m.pdf_dicom):
        assert path is not None
        run = subprocess.run(["dciodvfy", str(path)], capture_output=True, text=True, check=False)
        errors = [ln for ln in (run.stdout + run.stderr).splitlines() if ln.startswith("Error")]
        assert not errors, f"{path.name}: {errors}"


@pytest.mark.skipif(shutil.which("dsrdump") is None, reason="dcmtk not installed")
def test_dsrdump_shows_the_negative_finding(negative_export: tuple[str, ExportManifest]) -> None:
    kind, m = negative_export
    run = subprocess.run(["dsrdump", str(m.sr)], capture_output=True, text=True, check=True)
    absent = 'CODE:(,,"Thrombus")=(272519000,SCT,"Absent")'
    undetermined = 'CODE:(,,"Thrombus")=(373068000,SCT,"Undetermined")'
    assert (absent in run.stdout) == (kind == "negative")
    assert (undetermined in run.stdout) == (kind != "negative")
