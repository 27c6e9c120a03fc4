"""Which top-level attributes a de-identified DICOM object may keep (an allow-list).

A removal list cannot keep up with the attributes a scanner, a RIS or a trial system
writes into the Patient, Study, Series and Equipment modules, so de-identification starts
from what may stay:

* an object StrokeScope built (SEG, SR, Encapsulated PDF; ``derived=True``) keeps every
  attribute of the modules of its IOD that describe the object itself (Segmentation Image,
  functional groups, SR Document Content, Encapsulated Document, SOP Common, its own
  series and equipment, ...), read from highdicom's tables of the standard by the
  object's (0008,0016) SOP Class UID. Of the modules that highdicom and
  :mod:`strokescope.outputs.encapsulated` copy from the source image (Patient, Clinical
  Trial Subject, General Study, Patient Study, Clinical Trial Study, Clinical Trial Series,
  Specimen) only :data:`PATIENT_STUDY` stays;
* a source image header (``derived=False``: the CT slices written to ``source/``, the study
  header printed in the report) keeps :data:`PATIENT_STUDY` and the technical attributes
  of :data:`IMAGE` (geometry, pixel description, rescale, window) and nothing else.

Retain options add the attributes they name (:func:`allowed`). The PS3.15 Basic Profile
actions on what stays (dummy, empty, UID remapping, dates) are applied by
:class:`strokescope.outputs.anonymize.Deidentifier`. Private elements never stay.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import TYPE_CHECKING

from pydicom.dataset import Dataset

if TYPE_CHECKING:
    from strokescope.outputs.anonymize import AnonymizeOptions

log = logging.getLogger(__name__)

SOURCE_MODULES = frozenset(
    {
        "patient",
        "clinical-trial-subject",
        "general-study",
        "patient-study",
        "clinical-trial-study",
        "clinical-trial-series",
        "specimen",
    }
)
"""Modules (highdicom's keys) whose content comes from the source image, never from us."""

PATIENT_STUDY = frozenset(
    {
        # Patient (Type 2; values replaced by the profile) and the de-identification record
        "PatientName",
        "PatientID",
        "PatientBirthDate",
        "PatientSex",
        "PatientIdentityRemoved",
        "DeidentificationMethod",
        "DeidentificationMethodCodeSequence",
        # General Study (Type 1/2)
        "StudyInstanceUID",
        "StudyDate",
        "StudyTime",
        "ReferringPhysicianName",
        "StudyID",
        "AccessionNumber",
    }
)
"""Source attributes every object keeps (the IODs require them): emptied, dummied or
remapped by the profile."""

IMAGE = frozenset(
    {
        # SOP Common, General Series, Frame of Reference, General Equipment (Type 1/2)
        "SpecificCharacterSet",
        "SOPClassUID",
        "SOPInstanceUID",
        "LongitudinalTemporalInformationModified",
        "Modality",
        "SeriesInstanceUID",
        "SeriesNumber",
        "PatientPosition",
        "AnatomicalOrientationType",
        "BodyPartExamined",  # a defined term; without it Laterality's condition is open
        "Laterality",
        "FrameOfReferenceUID",
        "PositionReferenceIndicator",
        "Manufacturer",
        "PixelPaddingValue",
        "PixelPaddingRangeLimit",
        # General Image, Image Plane, Image Pixel, CT Image, VOI LUT
        "ImageType",
        "InstanceNumber",
        "PatientOrientation",
        "ContentDate",
        "ContentTime",
        "BurnedInAnnotation",
        "LossyImageCompression",
        "LossyImageCompressionRatio",
        "LossyImageCompressionMethod",
        "SliceThickness",
        "SpacingBetweenSlices",
        "ImagePositionPatient",
        "ImageOrientationPatient",
        "PixelSpacing",
        "SliceLocation",
        "SamplesPerPixel",
        "PhotometricInterpretation",
        "PlanarConfiguration",
        "Rows",
        "Columns",
        "PixelAspectRatio",
        "BitsAllocated",
        "BitsStored",
        "HighBit",
        "PixelRepresentation",
        "PixelData",
        "NumberOfFrames",
        "KVP",
        "AcquisitionNumber",
        "ContrastBolusAgent",
        "RescaleIntercept",
        "RescaleSlope",
        "RescaleType",
        "WindowCenter",
        "WindowWidth",
        "VOILUTFunction",
        # Enhanced CT (multi-frame) sources: geometry lives in the functional groups
        "SharedFunctionalGroupsSequence",
        "PerFrameFunctionalGroupsSequence",
        "DimensionOrganizationSequence",
        "DimensionIndexSequence",
    }
)
"""Technical attributes a source image keeps: enough for a viewer to show it on the same
grid as the SEG (Type 1/2 of the CT Image IOD, window and rescale)."""

PATIENT_CHARACTERISTICS = frozenset(
    {
        "PatientAge",
        "PatientSize",
        "PatientWeight",
        "EthnicGroup",
        "SmokingStatus",
        "PregnancyStatus",
        "PatientSexNeutered",
    }
)
"""Kept by the Retain Patient Characteristics Option (PatientSex is in PATIENT_STUDY)."""
DEVICE_IDENTITY = frozenset(
    {"ManufacturerModelName", "DeviceSerialNumber", "StationName", "SoftwareVersions"}
)
"""Kept in source images by the Retain Device Identity Option."""
DESCRIPTORS = frozenset({"StudyDescription", "SeriesDescription"})
"""Kept by ``retain_descriptors`` (113105 Clean Descriptors not applied)."""

FILE_META = frozenset(
    {
        "FileMetaInformationGroupLength",
        "FileMetaInformationVersion",
        "MediaStorageSOPClassUID",
        "MediaStorageSOPInstanceUID",
        "TransferSyntaxUID",
        "ImplementationClassUID",
        "ImplementationVersionName",
    }
)
"""File meta elements kept (no source AE title, no private information)."""


@cache
def own_keywords(sop_class_uid: str) -> frozenset[str]:
    """Top-level keywords of the IOD of ``sop_class_uid`` outside :data:`SOURCE_MODULES`
    (empty for a SOP class highdicom's tables do not know)."""
    from highdicom._standard_utils import (
        get_iod_module_map,
        get_module_attribute_map,
        get_sop_class_iod_map,
    )

    iod = get_sop_class_iod_map().get(str(sop_class_uid))
    if iod is None:
        return frozenset()
    attributes = get_module_attribute_map()
    out: set[str] = set()
    for module in get_iod_module_map()[iod]:
        if module["key"] not in SOURCE_MODULES:
            out.update(str(a["keyword"]) for a in attributes[module["key"]] if not a["path"])
    return frozenset(out)


def allowed(ds: Dataset, options: AnonymizeOptions, *, derived: bool) -> frozenset[str]:
    """The top-level keywords ``ds`` may keep (see the module docstring)."""
    out = set(PATIENT_STUDY)
    if derived:
        out |= own_keywords(str(ds.get("SOPClassUID", "")))
    else:
        out |= IMAGE
        if options.retain_device_identity:
            out |= DEVICE_IDENTITY
    if options.retain_patient_characteristics:
        out |= PATIENT_CHARACTERISTICS
    if options.retain_descriptors:
        out |= DESCRIPTORS
    return frozenset(out)


def restrict(ds: Dataset, keep: frozenset[str]) -> None:
    """Delete every top-level element of ``ds`` whose keyword is not in ``keep`` (private
    and unknown tags included), and every file meta element not in :data:`FILE_META`."""
    gone = [e.keyword or str(e.tag) for e in ds if e.keyword not in keep]
    for elem in list(ds):
        if elem.tag.is_private or elem.keyword not in keep:
            del ds[elem.tag]
    meta = getattr(ds, "file_meta", None)
    if meta is not None:
        for elem in list(meta):
            if elem.keyword not in FILE_META:
                del meta[elem.tag]
    if gone:
        log.debug("allow-list removed %d attributes: %s", len(gone), ", ".join(sorted(gone)))
