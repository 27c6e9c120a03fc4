"""--anonymize: no identifier in any byte of any exported file; UIDs consistent."""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
from pathlib import Path

import pydicom
import pytest
from export_cases import Study

from strokescope.outputs import AnonymizeOptions, ExportManifest, export_results


@pytest.fixture(scope="module")
def anon(study: Study, tmp_path_factory: pytest.TempPathFactory) -> ExportManifest:
    return export_results(
        tmp_path_factory.mktemp("anon"),
        source=study.followup,
        hemorrhage=study.hemorrhage,
        anonymize=True,
    )


def _needles(study: Study) -> list[bytes]:
    name = study.patient_name
    values = [name, name.replace("^", " "), study.patient_id, study.birth_date]
    values.append(f"{study.birth_date[:4]}-{study.birth_date[4:6]}-{study.birth_date[6:]}")
    return [v.encode() for v in values]


def test_no_identifier_in_any_byte(study: Study, anon: ExportManifest) -> None:
    written = {p.relative_to(anon.folder) for p in anon.folder.rglob("*") if p.is_file()}
    assert written == {p.relative_to(anon.folder) for p in anon.paths}
    assert anon.seg and anon.sr and anon.pdf_dicom and anon.masks
    for path in anon.paths:
        data = path.read_bytes()
        blobs = [data, gzip.decompress(data)] if path.name.endswith(".gz") else [data]
        for blob in blobs:
            for needle in _needles(study):
                assert needle not in blob, f"{needle!r} found in {path.name}"
            assert study.followup.meta.study_uid.encode() not in blob, path.name


def test_new_uids_consistent_across_objects(study: Study, anon: ExportManifest) -> None:
    assert anon.seg and anon.sr and anon.pdf_dicom
    seg, sr, pdf = (pydicom.dcmread(p) for p in (anon.seg, anon.sr, anon.pdf_dicom))
    doc = json.loads(anon.json.read_text())
    study_uid = seg.StudyInstanceUID
    assert study_uid != study.followup.meta.study_uid
    assert sr.StudyInstanceUID == pdf.StudyInstanceUID == study_uid == doc["study"]["study_uid"]
    assert seg.PatientID == sr.PatientID == pdf.PatientID == doc["study"]["patient_id"]
    source_series = seg.ReferencedSeriesSequence[0].SeriesInstanceUID
    assert source_series == doc["study"]["series_uid"] != study.followup.meta.series_uid
    refs = {e.value for e in sr.iterall() if e.keyword == "ReferencedSOPInstanceUID"}
    assert seg.SOPInstanceUID in refs
    for ds in (seg, sr, pdf):
        assert ds.PatientIdentityRemoved == "YES"
        assert ds.DeidentificationMethodCodeSequence[0].CodeValue == "113100"
        assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID
    assert doc["anonymized"] is True and doc["created"] is None


def test_retain_options_keep_dates_and_pseudonym(study: Study, tmp_path: Path) -> None:
    options = AnonymizeOptions(pseudonym="CASE-007", retain_dates=True)
    manifest = export_results(
        tmp_path, source=study.followup, hemorrhage=study.hemorrhage, retain=options
    )
    assert manifest.sr is not None
    sr = pydicom.dcmread(manifest.sr)
    assert sr.PatientName == "CASE-007" and sr.PatientID == "CASE-007"
    assert sr.StudyDate == study.followup.meta.study_date
    codes = [c.CodeValue for c in sr.DeidentificationMethodCodeSequence]
    assert codes == ["113100", "113106"]
    assert "CASE-007" in manifest.csv.read_text()


@pytest.mark.skipif(shutil.which("dciodvfy") is None, reason="dicom3tools not installed")
def test_anonymised_objects_pass_dciodvfy(
    study: Study, anon: ExportManifest, tmp_path: Path
) -> None:
    thr = export_results(tmp_path, source=study.cta, thrombus=study.thrombus, anonymize=True)
    paths = [anon.seg, anon.sr, anon.pdf_dicom, thr.seg, thr.sr, thr.pdf_dicom]
    paths += [anon.source[0], thr.source[-1]]  # the de-identified CT slices
    for path in paths:
        assert path is not None
        run = subprocess.run(["dciodvfy", str(path)], capture_output=True, text=True, check=False)
        errors = [ln for ln in (run.stdout + run.stderr).splitlines() if ln.startswith("Error")]
        assert not errors, f"{path.name}: {errors}"
    seg = pydicom.dcmread(thr.seg, stop_before_pixels=True)  # type: ignore[arg-type]
    assert seg.DeviceSerialNumber == "0"  # StrokeScope's own, not the scanner's
