"""The allow-list with each retain option, on small hand-made datasets (no export)."""

from __future__ import annotations

import pytest
from pydicom.dataset import Dataset
from pydicom.uid import CTImageStorage, SegmentationStorage, generate_uid

from strokescope.outputs.anonymize import AnonymizeOptions, Deidentifier


def _ct() -> Dataset:
    ds = Dataset()
    ds.SOPClassUID = CTImageStorage
    ds.SOPInstanceUID = "1.2.3.4.5"
    ds.PatientName, ds.PatientID, ds.PatientSex, ds.PatientAge = "DOE^JANE", "P1", "F", "061Y"
    ds.Allergies = "PENICILLIN"
    ds.StudyDate, ds.StudyTime, ds.ContentDate = "20240102", "101010", "20240102"
    ds.StudyDescription, ds.SeriesDescription = "CT HEAD", "AXIAL 5MM"
    ds.StationName, ds.DeviceSerialNumber = "CT01", "SN42"
    ds.Rows, ds.Columns = 2, 2
    frame = Dataset()
    frame.PerformingPhysicianName = "DR^WHO"
    frame.FrameAcquisitionDateTime = "20240102101010"
    frame.SOPInstanceUID = "1.2.3.4.6"
    ds.SharedFunctionalGroupsSequence = [frame]
    ds.add_new(0x00091001, "LO", "PRIVATE")
    return ds


def test_source_image_default_profile() -> None:
    ds = Deidentifier(AnonymizeOptions(pseudonym="X1")).dataset(_ct())
    for gone in ("Allergies", "PatientAge", "StudyDescription", "SeriesDescription"):
        assert gone not in ds, gone
    assert "StationName" not in ds and "DeviceSerialNumber" not in ds
    assert ds.PatientName == "X1" and ds.PatientSex == "" and ds.StudyDate == ""
    assert ds.ContentDate == "19000101" and ds.Rows == 2
    assert ds.SOPInstanceUID != "1.2.3.4.5"
    frame = ds.SharedFunctionalGroupsSequence[0]
    assert "PerformingPhysicianName" not in frame and "FrameAcquisitionDateTime" not in frame
    assert frame.SOPInstanceUID not in ("1.2.3.4.6", ds.SOPInstanceUID)
    assert not [e for e in ds if e.tag.is_private]


@pytest.mark.parametrize(
    ("option", "kept"),
    [
        ("retain_descriptors", {"StudyDescription": "CT HEAD", "SeriesDescription": "AXIAL 5MM"}),
        ("retain_patient_characteristics", {"PatientSex": "F", "PatientAge": "061Y"}),
        ("retain_device_identity", {"StationName": "CT01", "DeviceSerialNumber": "SN42"}),
        ("retain_dates", {"StudyDate": "20240102", "ContentDate": "20240102"}),
        ("retain_uids", {"SOPInstanceUID": "1.2.3.4.5"}),
    ],
)
def test_retain_option_keeps_its_attributes(option: str, kept: dict[str, str]) -> None:
    ds = Deidentifier(AnonymizeOptions(**{option: True})).dataset(_ct())
    for keyword, value in kept.items():
        assert ds.get(keyword) == value, keyword
    assert "Allergies" not in ds


def test_derived_object_keeps_its_own_content() -> None:
    ds = _ct()
    ds.SOPClassUID = SegmentationStorage
    ds.SOPInstanceUID = generate_uid()
    ds.ContentLabel, ds.DeviceSerialNumber, ds.SeriesDescription = "SS", "0", "StrokeScope SEG"
    segment = Dataset()
    segment.SegmentLabel = "Thrombus"
    ds.SegmentSequence = [segment]
    Deidentifier(AnonymizeOptions()).dataset(ds, derived=True)
    assert ds.ContentLabel == "SS" and ds.SegmentSequence[0].SegmentLabel == "Thrombus"
    assert ds.DeviceSerialNumber == "0" and ds.SeriesDescription == "StrokeScope SEG"
    assert "Allergies" not in ds and "StudyDescription" not in ds and "Rows" in ds
