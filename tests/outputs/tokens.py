"""Source DICOM headers stuffed with unique tokens, and a scan of an export for them.

Every attribute that highdicom's standard tables list for the Patient and Study modules of
the CT Image IOD (Patient, Clinical Trial Subject, General Study, Patient Study, Clinical
Trial Study; nested attributes included) gets a value that occurs nowhere else: ``TK0042X``
for text, a unique date/time for DA/TM/DT, a unique UID for UI; every sequence item also
holds a Patient's Name token. Free-text series and equipment attributes (descriptions,
protocol, institution, operators, ...) and one private element get tokens too.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pydicom
from pydicom.datadict import dictionary_VR, tag_for_keyword
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError
from pydicom.sequence import Sequence

PATIENT_STUDY_MODULES = (
    "patient",
    "clinical-trial-subject",
    "general-study",
    "patient-study",
    "clinical-trial-study",
)
EXTRA_TEXT = (
    "SeriesDescription",
    "ProtocolName",
    "OperatorsName",
    "PerformingPhysicianName",
    "PerformedProcedureStepDescription",
    "PerformedProcedureStepID",
    "CommentsOnThePerformedProcedureStep",
    "SeriesDate",
    "SeriesTime",
    "InstitutionName",
    "InstitutionAddress",
    "InstitutionalDepartmentName",
    "StationName",
    "DeviceSerialNumber",
    "GantryID",
    "ImageComments",
    "DerivationDescription",
    "AcquisitionDate",
    "AcquisitionTime",
    "ContentDate",
    "ContentTime",
    "ClinicalTrialCoordinatingCenterName",
    "ClinicalTrialSeriesID",
    "ClinicalTrialSeriesDescription",
)
TEXT_VRS = {"PN", "LO", "SH", "LT", "ST", "UT", "UC", "CS", "AE"}


@cache
def module_attributes() -> tuple[tuple[tuple[str, ...], str], ...]:
    """(path of sequence keywords, keyword) of every Patient/Study module attribute."""
    import highdicom._standard_utils as su

    table = su.get_module_attribute_map()
    seen: dict[tuple[tuple[str, ...], str], None] = {}
    for module in PATIENT_STUDY_MODULES:
        for item in table[module]:
            seen[(tuple(item["path"]), str(item["keyword"]))] = None
    return tuple(seen)


@dataclass
class Tokens:
    """Unique values written into the source headers (``text`` are scanned for)."""

    text: set[str] = field(default_factory=set)
    top_keywords: set[str] = field(default_factory=set)
    filled: int = 0
    _n: int = 0

    def _next(self) -> int:
        self._n += 1
        return self._n

    def value(self, vr: str) -> Any:
        """A VR-valid value; unique and recorded for the scan where the VR allows."""
        n = self._next()
        self.filled += 1
        if vr in TEXT_VRS:
            token = f"TK{n:04d}X"
        elif vr == "UR":
            token = f"HTTP://TK{n:04d}X.INVALID/"
        elif vr == "DA":
            token = (dt.date(1911, 1, 1) + dt.timedelta(days=n)).strftime("%Y%m%d")
            self.text.add(f"{token[:4]}-{token[4:6]}-{token[6:]}")
        elif vr == "TM":
            token = f"{n % 24:02d}{n % 60:02d}{(7 * n) % 60:02d}.{n:06d}"
        elif vr == "DT":
            day = (dt.date(1911, 1, 1) + dt.timedelta(days=n)).strftime("%Y%m%d")
            token = f"{day}{n % 24:02d}{n % 60:02d}00.{n:06d}"
        elif vr == "UI":
            token = f"1.2.826.0.1.3680043.10.999.{n}"
        elif vr == "AS":
            return "041Y"
        elif vr in ("DS", "FD", "FL"):
            return "1.5" if vr == "DS" else 1.5
        elif vr in ("IS", "US", "UL", "SS", "SL"):
            return "7" if vr == "IS" else 7
        else:
            self.filled -= 1
            return None
        self.text.add(token)
        return f"{token}^" if vr == "PN" else token  # one name component, said so

    def item(self) -> Dataset:
        item = Dataset()
        item.PatientName = self.value("PN")
        return item


def _vr(keyword: str) -> str | None:
    tag = tag_for_keyword(keyword)
    return None if tag is None else str(dictionary_VR(tag))[:2]


def stuffed_header(tokens: Tokens) -> Dataset:
    """One dataset with every Patient/Study module attribute (and the extras) filled."""
    ds = Dataset()
    for path, keyword in module_attributes():
        node = ds
        for seq_kw in path:
            if seq_kw not in node:
                setattr(node, seq_kw, Sequence([tokens.item()]))
            node = getattr(node, seq_kw)[0]
        if keyword in node:
            continue
        vr = _vr(keyword)
        if vr == "SQ":
            setattr(node, keyword, Sequence([tokens.item()]))
        elif vr is not None and (value := tokens.value(vr)) is not None:
            node.add_new(keyword, vr, value)
        if node is ds and keyword in ds:
            tokens.top_keywords.add(keyword)
    ds.PatientSex = "O"  # the loader reads it; a CS with a defined value set
    for keyword in EXTRA_TEXT:
        vr = _vr(keyword)
        assert vr is not None
        ds.add_new(keyword, vr, tokens.value(vr))
        tokens.top_keywords.add(keyword)
    ref = ds.ReferencedPatientSequence[0]
    ref.PatientName = tokens.value("PN")
    ref.OtherPatientNames = tokens.value("PN")
    ds.add_new(0x00110010, "LO", "STROKESCOPE TEST PRIVATE")
    ds.add_new(0x00111001, "LO", tokens.value("LO"))
    return ds


def rewrite_series(src: Path, dst: Path, header: Dataset) -> None:
    """Copy the DICOM files of ``src`` to ``dst`` with ``header``'s elements written in."""
    dst.mkdir(parents=True)
    for path in sorted(src.iterdir()):
        ds = pydicom.dcmread(path)
        for elem in header:
            ds[elem.tag] = elem
        ds.save_as(dst / path.name)


def _values(ds: Dataset) -> Iterator[str]:
    for elem in ds.iterall():
        if elem.VR == "SQ":
            continue
        values = elem.value if isinstance(elem.value, list | tuple) else [elem.value]
        for v in values:
            if isinstance(v, bytes):
                yield v.decode("latin-1")
            elif v is not None:
                yield str(v)


def dicom_text(path: Path) -> str:
    """Every element value of ``path`` (file meta, nested items, bytes decoded)."""
    ds = pydicom.dcmread(path)
    parts = list(_values(ds.file_meta)) + list(_values(ds))
    return "\n".join(parts)


def pdf_text(data: bytes) -> str:
    if shutil.which("pdftotext") is None:
        return data.decode("latin-1")
    run = subprocess.run(
        ["pdftotext", "-", "-"], input=data, capture_output=True, check=True, timeout=60
    )
    return run.stdout.decode("utf-8", "replace") + data.decode("latin-1")


def blobs(folder: Path) -> Iterator[tuple[str, str]]:
    """(where, text) for every name and every file under ``folder``, decoded for the scan."""
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            yield f"name {Path(root, name)}", name
        for name in files:
            path = Path(root, name)
            data = path.read_bytes()
            if name.endswith(".gz"):
                yield str(path), gzip.decompress(data).decode("latin-1")
            elif name.endswith(".pdf"):
                yield str(path), pdf_text(data)
            elif name.endswith(".json"):
                yield str(path), json.dumps(json.loads(data), ensure_ascii=False)
            else:
                try:
                    text = dicom_text(path)
                except InvalidDicomError:
                    text = data.decode("utf-8", "replace")
                else:
                    ds = pydicom.dcmread(path)
                    if "EncapsulatedDocument" in ds:
                        text += pdf_text(bytes(ds.EncapsulatedDocument))
                yield str(path), text


def leaks(folder: Path, tokens: Tokens) -> list[str]:
    """``where: token`` for every token found under ``folder``."""
    found = []
    wanted = {t.upper() for t in tokens.text}
    for where, text in blobs(folder):
        upper = text.upper()
        found += [f"{where}: {t}" for t in sorted(wanted) if t in upper]
    return found
