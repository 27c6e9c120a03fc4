"""An anonymised export carries the de-identified source images its SEG and SR reference
(``source/``), so the remapped references resolve; a plain export writes none."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pydicom
import pytest
from export_cases import Study
from pydicom.dataset import Dataset

from strokescope.outputs import ExportManifest, export_results


@pytest.fixture(scope="module")
def anon(study: Study, tmp_path_factory: pytest.TempPathFactory) -> ExportManifest:
    return export_results(
        tmp_path_factory.mktemp("source-copy"),
        source=study.cta,
        thrombus=study.thrombus,
        anonymize=True,
    )


def _refs(ds: Dataset) -> set[str]:
    return {str(e.value) for e in ds.iterall() if e.keyword == "ReferencedSOPInstanceUID"}


def test_every_reference_resolves_in_source_folder(anon: ExportManifest) -> None:
    assert anon.seg and anon.sr and anon.source
    source = {p: pydicom.dcmread(p, stop_before_pixels=True) for p in anon.source}
    assert all(p.parent == anon.folder / "source" for p in source)
    uids = {str(ds.SOPInstanceUID) for ds in source.values()}
    assert len(uids) == len(source)
    seg = pydicom.dcmread(anon.seg, stop_before_pixels=True)
    sr = pydicom.dcmread(anon.sr)
    assert _refs(seg) and _refs(seg) <= uids
    evidence = Dataset()
    evidence.CurrentRequestedProcedureEvidenceSequence = (
        sr.CurrentRequestedProcedureEvidenceSequence
    )
    assert _refs(evidence) - uids == {str(seg.SOPInstanceUID)}
    assert _refs(sr) - uids == {str(seg.SOPInstanceUID)}
    first = next(iter(source.values()))
    assert seg.ReferencedSeriesSequence[0].SeriesInstanceUID == first.SeriesInstanceUID
    for ds in source.values():
        assert ds.StudyInstanceUID == seg.StudyInstanceUID == sr.StudyInstanceUID
        assert ds.FrameOfReferenceUID == seg.FrameOfReferenceUID
        assert ds.PatientID == seg.PatientID and ds.PatientIdentityRemoved == "YES"
        assert ds.file_meta.MediaStorageSOPInstanceUID == ds.SOPInstanceUID


def test_source_pixels_unchanged_and_listed(study: Study, anon: ExportManifest) -> None:
    originals = {}
    for path in Path(str(study.cta.meta.source)).iterdir():
        ds = pydicom.dcmread(path)
        originals[str(ds.SOPInstanceUID)] = ds
    assert len(anon.source) == len(study.cta.meta.sop_instance_uids)
    for path, old_uid in zip(anon.source, study.cta.meta.sop_instance_uids, strict=True):
        new, old = pydicom.dcmread(path), originals[old_uid]
        assert str(new.SOPInstanceUID) != old_uid
        assert new.PixelData == old.PixelData
        np.testing.assert_array_equal(new.pixel_array, old.pixel_array)
        assert new.ImagePositionPatient == old.ImagePositionPatient
    doc = json.loads(anon.json.read_text())
    assert doc["files"]["source"] == [f"source/{p.name}" for p in anon.source]
    assert set(anon.source) <= set(anon.paths)


def test_plain_export_writes_no_source_folder(study: Study, tmp_path: Path) -> None:
    plain = export_results(tmp_path, source=study.cta, thrombus=study.thrombus)
    assert plain.source == ()
    assert not (plain.folder / "source").exists()
    assert "source" not in json.loads(plain.json.read_text())["files"]
