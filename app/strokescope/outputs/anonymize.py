"""De-identification of exported objects: DICOM PS3.15 Annex E Basic Application
Confidentiality Profile, with a few documented retain options.

One :class:`Deidentifier` is made per export and applied to every DICOM object (SEG, SR,
Encapsulated PDF) and to the study header that the PDF, JSON and CSV print, so the new
UIDs and the pseudonym agree across all of them.

What the Basic Profile does here
--------------------------------
* Instance UIDs (every UI value that is not a registered DICOM UID: study, series, SOP
  instance, frame of reference, referenced instances, ...) are replaced by new ``2.25``
  UIDs, the same new UID for the same old one throughout the export (action U).
* (0010,0010) Patient's Name and (0010,0020) Patient ID become the pseudonym (action Z),
  every other person name is emptied, and the attributes of :data:`REMOVE` (birth date,
  addresses, institution, physicians, accession number, descriptions, comments, ...)
  are removed (X) or emptied (Z) when the object's IOD requires them.
* Dates and times (DA, DT, TM) are removed, or replaced by 19000101/000000 where the IOD
  requires a value (action D), unless ``retain_dates``.
* Private elements are removed. (0012,0062) Patient Identity Removed is YES and
  (0012,0064) De-identification Method Code Sequence lists 113100 plus one code per
  retain option used.

Retain options (:class:`AnonymizeOptions`)
-----------------------------------------
``retain_dates`` (113106, Retain Longitudinal Temporal Information with Full Dates),
``retain_patient_characteristics`` (113108: sex, age, size, weight),
``retain_device_identity`` (113109: manufacturer, model, station, serial number),
``retain_descriptors`` (113105 Clean Descriptors is *not* applied; study/series
descriptions are kept as written), ``retain_uids`` (113110: original UIDs kept).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

from pydicom.dataset import Dataset
from pydicom.uid import UID, generate_uid

from strokescope.errors import InputError

DUMMY_DATE = "19000101"
DUMMY_TIME = "000000"

# Attributes of the Basic Profile that can occur in the objects we write or copy from
# CT headers. Action "X" removes, "Z" empties (kept when the IOD needs the element).
REMOVE: dict[str, str] = {
    "AccessionNumber": "Z",
    "AdmittingDiagnosesDescription": "X",
    "AdditionalPatientHistory": "X",
    "DerivationDescription": "X",
    "DeviceSerialNumber": "X",
    "ImageComments": "X",
    "InstitutionAddress": "X",
    "InstitutionName": "X",
    "InstitutionalDepartmentName": "X",
    "IssuerOfPatientID": "X",
    "MedicalRecordLocator": "X",
    "OperatorsName": "X",
    "OtherPatientIDs": "X",
    "OtherPatientIDsSequence": "X",
    "OtherPatientNames": "X",
    "PatientAddress": "X",
    "PatientBirthDate": "Z",
    "PatientBirthName": "X",
    "PatientBirthTime": "X",
    "PatientComments": "X",
    "PatientMotherBirthName": "X",
    "PatientTelephoneNumbers": "X",
    "PerformingPhysicianName": "X",
    "PhysiciansOfRecord": "X",
    "ReferringPhysicianName": "Z",
    "RequestAttributesSequence": "X",
    "RequestingPhysician": "X",
    "StationName": "X",
    "StudyID": "Z",
    "RequestedProcedureDescription": "X",
    "PerformedProcedureStepDescription": "X",
    "ProtocolName": "X",
}
DESCRIPTORS = ("StudyDescription", "SeriesDescription")
PATIENT_CHARACTERISTICS = {
    "PatientSex": "Z",
    "PatientAge": "X",
    "PatientSize": "X",
    "PatientWeight": "X",
    "EthnicGroup": "X",
    "SmokingStatus": "X",
}
DEVICE_IDENTITY = ("DeviceSerialNumber", "StationName")
# Creation times of our own objects that the IODs require (Type 1): dummy instead of removal.
REQUIRED_DATES = ("ContentDate", "ContentTime", "InstanceCreationDate", "InstanceCreationTime")
KEEP_UID_KEYWORDS = ("TransferSyntaxUID", "ImplementationClassUID")


@dataclass(frozen=True)
class AnonymizeOptions:
    """How far to de-identify (each ``retain_*`` flag keeps one group of attributes).

    Parameters
    ----------
    pseudonym : str
        Written as Patient's Name and Patient ID; empty draws ``ANON-`` plus 8 random hex
        digits per export. At most 64 characters, no backslash.
    retain_dates, retain_patient_characteristics, retain_device_identity, retain_descriptors,
    retain_uids : bool
        See the module docstring; all ``False`` is the plain Basic Profile.
    """

    pseudonym: str = ""
    retain_dates: bool = False
    retain_patient_characteristics: bool = False
    retain_device_identity: bool = False
    retain_descriptors: bool = False
    retain_uids: bool = False

    def __post_init__(self) -> None:
        if len(self.pseudonym) > 64 or "\\" in self.pseudonym:
            raise InputError(f"pseudonym {self.pseudonym!r}: at most 64 characters, no '\\'")

    def method_codes(self) -> list[tuple[str, str]]:
        out = [("113100", "Basic Application Confidentiality Profile")]
        if self.retain_dates:
            out.append(("113106", "Retain Longitudinal Temporal Information Full Dates Option"))
        if self.retain_patient_characteristics:
            out.append(("113108", "Retain Patient Characteristics Option"))
        if self.retain_device_identity:
            out.append(("113109", "Retain Device Identity Option"))
        if self.retain_uids:
            out.append(("113110", "Retain UIDs Option"))
        return out


@dataclass
class Deidentifier:
    """Applies :class:`AnonymizeOptions` with one UID map and pseudonym per export."""

    options: AnonymizeOptions = field(default_factory=AnonymizeOptions)
    uid_map: dict[str, str] = field(default_factory=dict)
    secrets_seen: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.pseudonym = self.options.pseudonym or f"ANON-{secrets.token_hex(4).upper()}"
        self._new: set[str] = set()

    def uid(self, old: str) -> str:
        """The new UID of ``old`` (same every call; idempotent on new UIDs)."""
        if not old or self.options.retain_uids or old in self._new or _registered(old):
            return old
        new = self.uid_map.get(old)
        if new is None:
            new = generate_uid(prefix=None)
            self.uid_map[old] = new
            self._new.add(new)
        return new

    def remember(self, *values: str) -> None:
        """Identifying strings (name, ID, birth date, paths) to scrub from free text."""
        self.secrets_seen.update(
            v for v in values if v and len(v) >= 3 and v not in (self.pseudonym, DUMMY_DATE)
        )

    def scrub_text(self, text: str) -> str:
        """Free text with remembered identifiers removed and known UIDs replaced."""
        for old, new in self.uid_map.items():
            text = text.replace(old, new)
        for value in sorted(self.secrets_seen, key=len, reverse=True):
            text = re.sub(re.escape(value), "[removed]", text, flags=re.IGNORECASE)
        return text

    def dataset(self, ds: Dataset) -> Dataset:
        """De-identify ``ds`` in place (and its file meta); return it."""
        self.remember(str(ds.get("PatientName", "")), str(ds.get("PatientID", "")))
        self.remember(str(ds.get("PatientBirthDate", "")))
        self._walk(ds, top=True)
        ds.PatientName = self.pseudonym
        ds.PatientID = self.pseudonym
        ds.PatientBirthDate = ""
        ds.PatientIdentityRemoved = "YES"
        ds.DeidentificationMethod = "DICOM PS3.15 E Basic Profile (StrokeScope)"
        seq = []
        for value, meaning in self.options.method_codes():
            item = Dataset()
            item.CodeValue, item.CodingSchemeDesignator, item.CodeMeaning = value, "DCM", meaning
            seq.append(item)
        ds.DeidentificationMethodCodeSequence = seq
        ds.LongitudinalTemporalInformationModified = (
            "UNMODIFIED" if self.options.retain_dates else "REMOVED"
        )
        file_meta = getattr(ds, "file_meta", None)
        if file_meta is not None and "SOPInstanceUID" in ds:
            file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        return ds

    def _walk(self, ds: Dataset, *, top: bool) -> None:
        opts = self.options
        actions = dict(REMOVE)
        if not opts.retain_patient_characteristics:
            actions.update(PATIENT_CHARACTERISTICS)
        if not opts.retain_descriptors:
            actions.update(dict.fromkeys(DESCRIPTORS, "X"))
        if opts.retain_device_identity:
            for key in DEVICE_IDENTITY:
                actions.pop(key, None)
        for elem in list(ds):
            if elem.tag.is_private:
                del ds[elem.tag]
                continue
            kw = elem.keyword
            if kw in actions:
                if actions[kw] == "X":
                    del ds[elem.tag]
                else:
                    elem.value = "" if elem.VR != "SQ" else []
            elif elem.VR == "SQ":
                for item in elem.value:
                    self._walk(item, top=False)
            elif elem.VR == "UI" and kw not in KEEP_UID_KEYWORDS and elem.value:
                if elem.VM > 1:
                    elem.value = [self.uid(str(v)) for v in elem.value]
                else:
                    elem.value = self.uid(str(elem.value))
            elif elem.VR == "PN" and kw != "PatientName":
                elem.value = ""
            elif elem.VR in ("DA", "DT", "TM") and not opts.retain_dates:
                if kw in REQUIRED_DATES:
                    elem.value = DUMMY_TIME if elem.VR == "TM" else DUMMY_DATE
                elif top and kw in ("StudyDate", "StudyTime"):
                    elem.value = ""  # Type 2 in General Study
                else:
                    del ds[elem.tag]
            elif elem.VR in ("LO", "LT", "ST", "SH", "UT") and isinstance(elem.value, str):
                elem.value = self.scrub_text(elem.value)


def _registered(uid: str) -> bool:
    """True for UIDs defined by the DICOM standard (SOP classes, transfer syntaxes, ...)."""
    return UID(uid).name != uid
