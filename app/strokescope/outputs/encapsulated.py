"""Encapsulated PDF Storage object (the report for PACS), written with pydicom.

Patient and study modules are copied from the source header so the document files under
the analysed study; (0042,0011) Encapsulated Document holds the PDF bytes unchanged
(padded to even length; (0042,0015) Encapsulated Document Length gives the true length).
"""

from __future__ import annotations

import datetime as dt

from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import (
    PYDICOM_IMPLEMENTATION_UID,
    UID,
    EncapsulatedPDFStorage,
    ExplicitVRLittleEndian,
)

from strokescope import RESEARCH_ONLY, __version__
from strokescope.outputs.seg import MANUFACTURER, MODEL_NAME

PATIENT_STUDY = (
    "PatientName",
    "PatientID",
    "PatientBirthDate",
    "PatientSex",
    "StudyInstanceUID",
    "StudyDate",
    "StudyTime",
    "ReferringPhysicianName",
    "StudyID",
    "AccessionNumber",
    "StudyDescription",
)


def build_encapsulated_pdf(
    pdf: bytes,
    source: Dataset,
    *,
    series_uid: str,
    sop_uid: str,
    title: str,
    series_number: int = 903,
) -> Dataset:
    """An Encapsulated PDF dataset in the study of ``source`` (a source image header)."""
    now = dt.datetime.now()
    ds = Dataset()
    ds.SpecificCharacterSet = source.get("SpecificCharacterSet") or "ISO_IR 100"
    for key in PATIENT_STUDY:
        ds.add_new(key, _vr(key), source.get(key, ""))
    ds.SOPClassUID = EncapsulatedPDFStorage
    ds.SOPInstanceUID = sop_uid
    ds.InstanceCreationDate = ds.ContentDate = now.strftime("%Y%m%d")
    ds.InstanceCreationTime = ds.ContentTime = now.strftime("%H%M%S")
    ds.AcquisitionDateTime = now.strftime("%Y%m%d%H%M%S")
    ds.Modality = "DOC"
    ds.SeriesInstanceUID = series_uid
    ds.SeriesNumber = series_number
    ds.SeriesDescription = f"StrokeScope report ({RESEARCH_ONLY.rstrip('.').lower()})"[:64]
    ds.Manufacturer = MANUFACTURER
    ds.ManufacturerModelName = MODEL_NAME
    ds.SoftwareVersions = __version__
    ds.ConversionType = "SYN"
    ds.InstanceNumber = 1
    ds.BurnedInAnnotation = "YES"
    ds.DocumentTitle = title[:64]
    ds.ConceptNameCodeSequence = []
    ds.MIMETypeOfEncapsulatedDocument = "application/pdf"
    ds.EncapsulatedDocumentLength = len(pdf)
    ds.EncapsulatedDocument = pdf + (b"\x00" if len(pdf) % 2 else b"")
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = EncapsulatedPDFStorage
    meta.MediaStorageSOPInstanceUID = UID(sop_uid)
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
    ds.file_meta = meta
    return ds


def _vr(keyword: str) -> str:
    from pydicom.datadict import dictionary_VR

    return str(dictionary_VR(keyword))
