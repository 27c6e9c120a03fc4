"""Source header values made acceptable to the DICOM writers (highdicom, pydicom).

SEG, SR and Encapsulated PDF copy the Patient and Study modules of the first source
header, and highdicom reads the Type 2 attributes of those modules as attributes, checks
(0010,0040) Patient's Sex and (0008,0005) Specific Character Set against their defined
terms and parses the dates and times. A header from the wild may lack any Type 2 or
Type 3 attribute or hold a value the standard does not allow, so before any writer sees
them the headers are copied and repaired here, each repair named in one warning line
(which names the attribute, never its value: warnings go into de-identified reports):

* every Type 2 attribute of the Patient and General Study modules (highdicom's tables of
  the standard) that is absent is added empty;
* (0010,0040) Patient's Sex is mapped to ``M``/``F``/``O`` (``m``, ``MALE``, ``Female``,
  ...) or emptied (``U``, anything else: unknown);
* (0008,0005) Specific Character Set that highdicom does not accept (``ISO_IR 6``, an
  unknown term) is removed when every text value is ASCII (the default repertoire), else
  written as ``ISO_IR 192`` (UTF-8, which holds every decoded value);
* any other top-level value of the Patient and Study modules that fails its VR's rules
  (or, for DA/DT/TM, does not parse) is emptied (Type 1/2) or removed (Type 3);
* (0020,000D) Study Instance UID (Type 1) that is absent, empty or not a valid UID is
  replaced by one derived from (0020,000E) Series Instance UID (:func:`derived_study_uid`:
  the same for every file of the series, so SEG, SR, PDF and copied images stay one study);
* (0018,0050) Slice Thickness (Type 2 in the CT Image module; highdicom reads it for the
  SEG's Pixel Measures) that is absent, empty or not a positive number is written as the
  slice spacing, from (0020,0032) Image Position along the normal of (0020,0037) Image
  Orientation of the series' headers (:func:`slice_spacing_mm`).

The export repairs the headers it has just read for itself (:func:`safe_headers`), in place:
copying 320 datasets first cost 1.4 s per export and protected nothing. highdicom shares
their elements with the objects it builds, so nothing changes them after the repair.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import cache

import numpy as np
from pydicom import config
from pydicom.dataset import Dataset
from pydicom.multival import MultiValue
from pydicom.uid import UID, generate_uid
from pydicom.valuerep import DA, DT, TM, validate_value

log = logging.getLogger(__name__)

MODULES = ("patient", "clinical-trial-subject", "general-study", "patient-study")
"""highdicom's keys of the modules whose top-level values are checked here."""
SEX = {"M": "M", "MALE": "M", "F": "F", "FEMALE": "F", "O": "O", "OTHER": "O"}
"""Accepted spellings of (0010,0040) Patient's Sex (upper-cased, stripped) and their
defined terms; anything else is written empty (unknown)."""
UTF8 = "ISO_IR 192"
TEXT_VRS = ("AE", "CS", "LO", "LT", "PN", "SH", "ST", "UC", "UT")
PARSERS = {"DA": DA, "DT": DT, "TM": TM}


@cache
def module_types() -> dict[str, tuple[str, bool]]:
    """Keyword -> (type '1', '2', '3', '1C' or '2C'; whether its module is mandatory in
    the CT Image IOD) of each top-level attribute of :data:`MODULES`."""
    from highdicom._standard_utils import get_iod_module_map, get_module_attribute_map

    usage = {m["key"]: m["usage"] for m in get_iod_module_map()["ct-image"]}
    table = get_module_attribute_map()
    out: dict[str, tuple[str, bool]] = {}
    for module in MODULES:
        for item in table[module]:
            if not item["path"]:
                out.setdefault(str(item["keyword"]), (str(item["type"]), usage[module] == "M"))
    return out


def safe_headers(headers: Sequence[Dataset]) -> tuple[list[Dataset], list[str]]:
    """``headers`` (one series, slice order, owned by the caller) repaired in place, and the
    warnings (each once) for what was changed."""
    warnings: list[str] = []
    spacing = slice_spacing_mm(headers)
    for ds in headers:
        warnings += [w for w in repair(ds, slice_spacing=spacing) if w not in warnings]
    for w in warnings:
        log.warning("%s", w)
    return list(headers), warnings


def _floats(value: object, n: int) -> list[float] | None:
    try:
        out = [float(v) for v in value]  # type: ignore[attr-defined]
    except (TypeError, ValueError):
        return None
    return out if len(out) == n and all(np.isfinite(out)) else None


def slice_spacing_mm(headers: Sequence[Dataset]) -> float | None:
    """Median distance between the distinct slice positions of single-frame ``headers``.

    Reads (0020,0037) Image Orientation (Patient) of the first header and (0020,0032) Image
    Position (Patient) of each; ``None`` when fewer than two distinct positions are known.
    """
    iop = _floats(headers[0].get("ImageOrientationPatient"), 6) if headers else None
    if iop is None:
        return None
    normal = np.cross(iop[:3], iop[3:])
    along = [
        round(float(np.dot(normal, ipp)), 4)
        for ds in headers
        if (ipp := _floats(ds.get("ImagePositionPatient"), 3)) is not None
    ]
    steps = np.diff(sorted(set(along)))
    return float(np.median(steps)) if len(steps) else None


def thickness_mm(ds: Dataset) -> float | None:
    """(0018,0050) Slice Thickness of ``ds`` when it is a positive number, else ``None``."""
    value = _floats([ds.get("SliceThickness")], 1)
    return value[0] if value is not None and value[0] > 0 else None


def derived_study_uid(ds: Dataset) -> str:
    """A Study Instance UID for a source without one: a hash of its Series Instance UID."""
    series = str(ds.get("SeriesInstanceUID", "") or "")
    return str(generate_uid(entropy_srcs=["strokescope study of series", series]))


def repair(ds: Dataset, *, slice_spacing: float | None = None) -> list[str]:
    """Repair ``ds`` in place (see the module docstring); return one line per repair.

    ``slice_spacing`` (mm) replaces a missing Slice Thickness of a single-frame image.
    """
    warnings = []
    sex = str(ds.get("PatientSex", "") or "")
    if sex:
        norm = SEX.get(sex.strip().upper(), "")
        if norm != sex:
            ds.PatientSex = norm
            to = "to its defined term" if norm else "empty (unknown)"
            warnings.append(f"source Patient's Sex is not M, F or O: written {to}")
    for keyword, (kind, _mandatory) in module_types().items():
        if keyword in ds and keyword != "StudyInstanceUID":  # see _study_uid
            warnings += _check_value(ds, keyword, kind)
    warnings += _charset(ds)
    types = module_types().items()
    absent = [k for k, (kind, mandatory) in types if kind == "2" and mandatory and k not in ds]
    for keyword in absent:
        setattr(ds, keyword, "" if keyword != "PatientName" else None)
    if absent:
        warnings.append(f"source header lacks {', '.join(absent)}: written empty (Type 2)")
    return warnings + _study_uid(ds) + _slice_thickness(ds, slice_spacing)


def _study_uid(ds: Dataset) -> list[str]:
    uid = str(ds.get("StudyInstanceUID", "") or "").strip()
    if uid and UID(uid).is_valid:
        return []
    ds.StudyInstanceUID = derived_study_uid(ds)
    return [
        "source header lacks a valid StudyInstanceUID (Type 1): the export uses one "
        "derived from the Series Instance UID"
    ]


def _slice_thickness(ds: Dataset, spacing: float | None) -> list[str]:
    if "SharedFunctionalGroupsSequence" in ds or thickness_mm(ds) is not None:
        return []  # multi-frame images carry it in their Pixel Measures
    if spacing is None or not spacing > 0:
        return []
    ds.SliceThickness = f"{spacing:.6g}"
    return [
        f"source header lacks a valid SliceThickness: written as the slice spacing {spacing:.4g} mm"
    ]


def _check_value(ds: Dataset, keyword: str, kind: str) -> list[str]:
    elem = ds[keyword]
    if elem.VR == "SQ" or elem.value in (None, "", b""):
        return []
    values = elem.value if isinstance(elem.value, MultiValue | list) else [elem.value]
    try:
        for value in values:
            validate_value(elem.VR, value, config.RAISE)
            if elem.VR in PARSERS and not isinstance(value, PARSERS[elem.VR]):
                PARSERS[elem.VR](str(value))
    except (ValueError, TypeError, OverflowError):
        what = f"source {keyword} is not a valid {elem.VR}"
        if kind.startswith(("1", "2")):
            elem.value = None if elem.VR == "PN" else ""
            return [f"{what}: written empty"]
        del ds[keyword]
        return [f"{what}: left out"]
    return []


def _charset(ds: Dataset) -> list[str]:
    from highdicom.valuerep import _check_specific_character_set

    value = ds.get("SpecificCharacterSet")
    if value is None or value == "":
        return []
    try:
        _check_specific_character_set(value)
        return []
    except (ValueError, TypeError):
        pass
    text = [str(e.value) for e in ds.iterall() if e.VR in TEXT_VRS and e.value is not None]
    if all(s.isascii() for s in text):
        del ds.SpecificCharacterSet
        return [
            f"source Specific Character Set {value!r} is not a defined term: left out "
            "(every text value is ASCII)"
        ]
    ds.SpecificCharacterSet = UTF8
    return [
        f"source Specific Character Set {value!r} is not a defined term: written {UTF8} (UTF-8)"
    ]
