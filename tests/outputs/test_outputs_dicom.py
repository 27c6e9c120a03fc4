"""SEG and SR round trips (highdicom + pydicom) and dciodvfy on every DICOM object."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import highdicom as hd
import numpy as np
import pydicom
import pytest
from export_cases import Study

from strokescope.outputs import ExportManifest, export_results
from strokescope.outputs.source_refs import read_source_headers


@pytest.fixture(scope="module")
def ht_export(study: Study, tmp_path_factory: pytest.TempPathFactory) -> ExportManifest:
    return export_results(
        tmp_path_factory.mktemp("ht"), source=study.followup, hemorrhage=study.hemorrhage
    )


@pytest.fixture(scope="module")
def thrombus_export(study: Study, tmp_path_factory: pytest.TempPathFactory) -> ExportManifest:
    return export_results(tmp_path_factory.mktemp("thr"), source=study.cta, thrombus=study.thrombus)


def test_seg_geometry_references_and_codes(study: Study, ht_export: ExportManifest) -> None:
    assert ht_export.seg is not None
    seg = hd.seg.segread(ht_export.seg)
    desc = seg.SegmentSequence[0]
    assert desc.SegmentedPropertyTypeCodeSequence[0].CodeValue == "50960005"
    assert desc.SegmentedPropertyTypeCodeSequence[0].CodingSchemeDesignator == "SCT"
    assert desc.SegmentedPropertyCategoryCodeSequence[0].CodeValue == "49755003"
    assert seg.ReferencedSeriesSequence[0].SeriesInstanceUID == study.followup.meta.series_uid
    assert seg.FrameOfReferenceUID == study.followup.meta.frame_of_reference_uid
    headers = {h.SOPInstanceUID: h for h in read_source_headers(study.followup) or []}
    k_of = {uid: k for k, uid in enumerate(study.followup.meta.sop_instance_uids)}
    raw = pydicom.dcmread(ht_export.seg)
    frames = raw.pixel_array.reshape(-1, *study.followup.shape[1:])
    rebuilt = np.zeros(study.followup.shape, dtype=bool)
    for f, item in enumerate(raw.PerFrameFunctionalGroupsSequence):
        ref = item.DerivationImageSequence[0].SourceImageSequence[0].ReferencedSOPInstanceUID
        pos = [float(v) for v in item.PlanePositionSequence[0].ImagePositionPatient]
        src = [float(v) for v in headers[ref].ImagePositionPatient]
        assert pos == pytest.approx(src, abs=1e-3)
        rebuilt[k_of[ref]] = frames[f] > 0
    np.testing.assert_array_equal(rebuilt, study.hemorrhage.mask.array)
    shared = raw.SharedFunctionalGroupsSequence[0]
    iop = [float(v) for v in shared.PlaneOrientationSequence[0].ImageOrientationPatient]
    first = next(iter(headers.values()))
    assert iop == pytest.approx([float(v) for v in first.ImageOrientationPatient])


def test_sr_measurements_reference_segments(study: Study, thrombus_export: ExportManifest) -> None:
    assert thrombus_export.sr is not None and thrombus_export.seg is not None
    seg = pydicom.dcmread(thrombus_export.seg, stop_before_pixels=True)
    sr = hd.sr.srread(thrombus_export.sr)
    groups = sr.content.get_volumetric_roi_measurement_groups()
    assert len(groups) == len(study.thrombus.thrombi) == 1
    group = groups[0]
    assert group.finding_type.value == "396339007"
    ref = group.referenced_segment[0].ReferencedSOPSequence[0]
    assert ref.ReferencedSOPInstanceUID == seg.SOPInstanceUID
    assert ref.ReferencedSegmentNumber == 1
    values = {m.name.value: (m.value, m.unit.value) for m in group.get_measurements()}
    hu = {m.method.value: m.value for m in group.get_measurements() if m.name.value == "112031"}
    t0 = study.thrombus.thrombi[0]
    assert hu == {
        "on-ncct": pytest.approx(t0.ncct_mean_hu),
        "on-cta": pytest.approx(t0.cta_mean_hu),
    }
    t = study.thrombus.thrombi[0]
    assert values["118565006"][0] == pytest.approx(t.volume_mm3)
    assert values["410668003"] == (pytest.approx(t.length_mm), "mm")
    assert values["perviousness"][0] == pytest.approx(t.perviousness_hu)
    raw = pydicom.dcmread(thrombus_export.sr)
    text = " ".join(str(e.value) for e in raw.iterall() if e.keyword == "TextValue")
    assert "StrokeScope thrombus" in text and "ab" * 32 in text  # algorithm + model sha256
    evidence = sr.CurrentRequestedProcedureEvidenceSequence[0]
    series = {s.SeriesInstanceUID for s in evidence.ReferencedSeriesSequence}
    assert study.cta.meta.series_uid in series and seg.SeriesInstanceUID in series


def test_sr_hemorrhage_volume_and_abc2(study: Study, ht_export: ExportManifest) -> None:
    assert ht_export.sr is not None
    sr = hd.sr.srread(ht_export.sr)
    (group,) = sr.content.get_volumetric_roi_measurement_groups()
    volumes = [m.value for m in group.get_measurements() if m.name.value == "118565006"]
    assert study.hemorrhage.abc2 is not None
    expected = [study.hemorrhage.volume_ml, study.hemorrhage.abc2.volume_ml]
    assert sorted(volumes) == pytest.approx(sorted(expected))


@pytest.mark.skipif(shutil.which("dciodvfy") is None, reason="dicom3tools not installed")
def test_dciodvfy_reports_no_errors(
    ht_export: ExportManifest, thrombus_export: ExportManifest
) -> None:
    files: list[Path | None] = [
        ht_export.seg,
        ht_export.sr,
        ht_export.pdf_dicom,
        thrombus_export.seg,
        thrombus_export.sr,
        thrombus_export.pdf_dicom,
    ]
    for path in files:
        assert path is not None
        run = subprocess.run(["dciodvfy", str(path)], capture_output=True, text=True, check=False)
        errors = [ln for ln in (run.stdout + run.stderr).splitlines() if ln.startswith("Error")]
        assert not errors, f"{path.name}: {errors}"


def test_encapsulated_pdf_holds_the_report(ht_export: ExportManifest) -> None:
    assert ht_export.pdf_dicom is not None
    ds = pydicom.dcmread(ht_export.pdf_dicom)
    pdf = ht_export.pdf.read_bytes()
    assert ds.MIMETypeOfEncapsulatedDocument == "application/pdf"
    assert ds.EncapsulatedDocument[: ds.EncapsulatedDocumentLength] == pdf
    seg = pydicom.dcmread(ht_export.seg, stop_before_pixels=True)  # type: ignore[arg-type]
    assert ds.StudyInstanceUID == seg.StudyInstanceUID
