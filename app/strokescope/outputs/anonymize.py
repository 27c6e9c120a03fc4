"""De-identification of exported objects: DICOM PS3.15 Annex E Basic Application
Confidentiality Profile, with a few documented retain options.

One :class:`Deidentifier` is made per export and applied to every DICOM object (SEG, SR,
Encapsulated PDF) and to the study header that the PDF, JSON and CSV print, so the new
UIDs and the pseudonym agree across all of them.

What the Basic Profile does here
--------------------------------
* First an allow-list (:mod:`strokescope.outputs.allowlist`) removes every top-level
  attribute the object may not keep: of what came from the source image headers only the
  Type 1/2 Patient and General Study attributes (and, in source images, geometry and pixel
  description) stay; objects StrokeScope built keep their own IOD's content. Private
  elements and file meta elements other than the standard ones go too.
* Instance UIDs (every UI value that is not a registered DICOM UID: study, series, SOP
  instance, frame of reference, referenced instances, ...) are replaced by new ``2.25``
  UIDs, the same new UID for the same old one throughout the export (action U).
* (0010,0010) Patient's Name and (0010,0020) Patient ID become the pseudonym, the other
  kept Patient/Study attributes are emptied (action Z), every person name in any nested
  item is emptied, and the attributes of :data:`REMOVE` are removed (X) or emptied (Z)
  wherever they occur inside kept sequences.
* Dates and times (DA, DT, TM), at any depth, are removed, or replaced by
  19000101/000000 where the IOD requires a value (action D), unless ``retain_dates``.
* (0012,0062) Patient Identity Removed is YES and (0012,0064) De-identification Method
  Code Sequence lists 113100 plus one code per retain option used.

Retain options (:class:`AnonymizeOptions`)
-----------------------------------------
``retain_dates`` (113106, Retain Longitudinal Temporal Information with Full Dates),
``retain_patient_characteristics`` (113108: sex, age, size, weight),
``retain_device_identity`` (113109: the source images' model, station, serial number and
software versions; StrokeScope's own objects always name StrokeScope),
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
from strokescope.outputs import allowlist

DUMMY_DATE = "19000101"
DUMMY_TIME = "000000"

# Basic Profile actions inside the sequences an object keeps (top-level attributes are
# first limited by the allow-list). "X" removes, "Z" empties.
REMOVE: dict[str, str] = {
    "AccessionNumber": "Z",
    "AdmittingDiagnosesDescription": "X",
    "AdditionalPatientHistory": "X",
    "ContrastBolusAgent": "Z",
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
    "PatientID": "Z",
    "PatientMotherBirthName": "X",
    "PatientTelephoneNumbers": "X",
    "PerformingPhysicianName": "X",
    "PhysiciansOfRecord": "X",
    "PositionReferenceIndicator": "Z",
    "ReferringPhysicianName": "Z",
    "RequestAttributesSequence": "X",
    "RequestingPhysician": "X",
    "StationName": "X",
    "StudyID": "Z",
    "RequestedProcedureDescription": "X",
    "PerformedProcedureStepDescription": "X",
    "ProtocolName": "X",
}
PATIENT_CHARACTERISTICS = {
    "PatientSex": "Z",
    **dict.fromkeys(allowlist.PATIENT_CHARACTERISTICS, "X"),
}
DESCRIPTORS = tuple(sorted(allowlist.DESCRIPTORS))
DEVICE_IDENTITY = tuple(sorted(allowlist.DEVICE_IDENTITY))
# Creation times of our own objects that the IODs require (Type 1): dummy instead of removal.
REQUIRED_DATES = ("ContentDate", "ContentTime", "InstanceCreationDate", "InstanceCreationTime")
# Type 2 dates and times: emptied instead of removed.
TYPE2_DATES = ("StudyDate", "StudyTime", "AcquisitionDateTime")
# Type 2 attributes of the Patient and General Study modules: present in every object.
TYPE2 = (
    "PatientBirthDate",
    "PatientSex",
    "StudyDate",
    "StudyTime",
    "AccessionNumber",
    "ReferringPhysicianName",
    "StudyID",
)
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

    def dataset(self, ds: Dataset, *, derived: bool = False) -> Dataset:
        """De-identify ``ds`` in place (and its file meta); return it.

        ``derived`` says ``ds`` is an object StrokeScope built (SEG, SR, Encapsulated PDF):
        it keeps its IOD's own content; otherwise ``ds`` is a source image header and
        keeps only the technical attributes of :data:`strokescope.outputs.allowlist.IMAGE`.
        Either way only the Type 1/2 Patient and Study attributes of the source stay.
        """
        self.remember(str(ds.get("PatientName", "")), str(ds.get("PatientID", "")))
        self.remember(str(ds.get("PatientBirthDate", "")))
        allowlist.restrict(ds, allowlist.allowed(ds, self.options, derived=derived))
        own = allowlist.own_keywords(str(ds.get("SOPClassUID", ""))) if derived else frozenset()
        self._walk(ds, top=True, own=own - allowlist.PATIENT_STUDY)
        for keyword in TYPE2:
            if keyword not in ds:
                setattr(ds, keyword, "")
        ds.PatientName = self.pseudonym
        ds.PatientID = self.pseudonym
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
        if hasattr(ds, "preamble"):
            ds.preamble = b"\0" * 128  # a source preamble may hold anything
        return ds

    def _actions(self) -> dict[str, str]:
        opts = self.options
        actions = dict(REMOVE)
        if not opts.retain_patient_characteristics:
            actions.update(PATIENT_CHARACTERISTICS)
        if not opts.retain_descriptors:
            actions.update(dict.fromkeys(DESCRIPTORS, "X"))
        if opts.retain_device_identity:
            for key in DEVICE_IDENTITY:
                actions.pop(key, None)
        return actions

    def _walk(self, ds: Dataset, *, top: bool, own: frozenset[str] = frozenset()) -> None:
        """Basic Profile actions on every element of ``ds`` and its items; ``own``: top-level
        keywords StrokeScope wrote itself (no X/Z action, the other rules apply)."""
        opts = self.options
        actions = self._actions()
        for elem in list(ds):
            if elem.tag.is_private:
                del ds[elem.tag]
                continue
            kw = elem.keyword
            if kw in actions and not (top and kw in own):
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
            elif elem.VR == "PN" and not (top and kw == "PatientName"):
                elem.value = ""
            elif elem.VR in ("DA", "DT", "TM") and not opts.retain_dates:
                if kw in REQUIRED_DATES:
                    elem.value = DUMMY_TIME if elem.VR == "TM" else DUMMY_DATE
                elif top and kw in TYPE2_DATES:
                    elem.value = ""
                else:
                    del ds[elem.tag]
            elif elem.VR in ("LO", "LT", "ST", "SH", "UT", "UC") and isinstance(elem.value, str):
                elem.value = self.scrub_text(elem.value)


def _registered(uid: str) -> bool:
    """True for UIDs defined by the DICOM standard (SOP classes, transfer syntaxes, ...)."""
    return UID(uid).name != uid
