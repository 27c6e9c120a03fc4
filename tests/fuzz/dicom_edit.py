"""Low-level edits of the phantom's DICOM files, the tools the fuzz mutations are made of.

The phantom writes Explicit VR Little Endian files with a preamble and file meta. Valid
changes go through pydicom; invalid ones (a NaN in a DS, Rows=0, a flipped VR byte, a
truncated pixel stream) are spliced into the bytes at the offset pydicom reports for the
element (``RawDataElement.value_tell``), so that no validation on writing gets in the way.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pydicom
from pydicom.dataset import Dataset

LONG_VRS = {"OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"}
PIXEL_DATA = b"\xe0\x7f\x10\x00"
ITEM, ITEM_END, SEQ_END = b"\xfe\xff\x00\xe0", b"\xfe\xff\x0d\xe0", b"\xfe\xff\xdd\xe0"
UNDEFINED = b"\xff\xff\xff\xff"
PLACEHOLDER = {"US": 1, "UL": 1, "SS": 1, "SL": 1, "FL": 1.0, "FD": 1.0, "SQ": []}


def series_files(folder: Path) -> list[Path]:
    """The ``*.dcm`` files directly in ``folder``, in name (= slice) order."""
    return sorted(folder.glob("*.dcm"))


def inner_file(folder: Path, rng: np.random.Generator) -> Path:
    """A file away from both ends of the stack (slice order = name order in the phantom)."""
    files = series_files(folder)
    return files[int(rng.integers(2, len(files) - 2))]


def sibling_series(folder: Path) -> Path:
    """Another series folder next to ``folder`` (the runner always copies one along)."""
    others = [p for p in sorted(folder.parent.iterdir()) if p.is_dir() and p != folder]
    with_dicom = [p for p in others if any(p.glob("*.dcm"))]
    assert with_dicom, f"{folder}: no sibling series to point at"
    return with_dicom[0]


def edit(path: Path, change: Callable[[Dataset], None]) -> None:
    """Read ``path``, apply ``change`` to the dataset and write it back like the original."""
    ds = pydicom.dcmread(path, force=True)
    change(ds)
    ds.save_as(path)


def edit_files(paths: list[Path], change: Callable[[Dataset], None]) -> None:
    for path in paths:
        edit(path, change)


def delete(path: Path, *keywords: str) -> None:
    def change(ds: Dataset) -> None:
        for keyword in keywords:
            if keyword in ds:
                del ds[keyword]

    edit(path, change)


def text_of(path: Path, keyword: str) -> list[str]:
    """The backslash-separated values of a string element as stored (no conversion)."""
    ds = pydicom.dcmread(path, stop_before_pixels=True, force=True)
    raw = ds.get_item(keyword)
    assert raw is not None, f"{path}: no {keyword}"
    value = raw.value
    text = value.decode("latin-1") if isinstance(value, bytes) else str(value)
    return text.rstrip(" \x00").split("\\")


def _locate(path: Path, keyword: str) -> tuple[int, int, int, str]:
    """(element start, value start, value length, VR) of a top-level element."""
    ds = pydicom.dcmread(path, force=True, defer_size=None)
    raw = ds.get_item(keyword)
    assert raw is not None, f"{path}: no {keyword}"
    vr = str(raw.VR)
    header = 12 if vr in LONG_VRS else 8
    tell = getattr(raw, "value_tell", None)
    if tell is None:  # already converted on reading (Specific Character Set): find the bytes
        tag = pydicom.datadict.tag_for_keyword(keyword)
        assert tag is not None, keyword
        data = path.read_bytes()
        needle = struct.pack("<HH", tag >> 16, tag & 0xFFFF) + vr.encode()
        start = data.index(needle, dataset_start(data) if data[128:132] == b"DICM" else 0)
        size = 4 if vr in LONG_VRS else 2
        (length,) = struct.unpack(
            "<I" if size == 4 else "<H", data[start + header - size : start + header]
        )
        return start, start + header, int(length), vr
    return tell - header, tell, int(raw.length), vr


def _ensure(path: Path, keyword: str) -> None:
    ds = pydicom.dcmread(path, force=True)
    if keyword in ds:
        return
    vr = pydicom.datadict.dictionary_VR(keyword)
    ds.add_new(keyword, vr, PLACEHOLDER.get(vr, "1"))
    ds.save_as(path)


def set_raw(path: Path, keyword: str, value: bytes | str, *, pad: bytes = b" ") -> None:
    """Store ``value`` as the bytes of ``keyword`` (added first when absent), unchecked."""
    _ensure(path, keyword)
    data = path.read_bytes()
    start, value_at, length, vr = _locate(path, keyword)
    raw = value.encode("latin-1") if isinstance(value, str) else value
    if len(raw) % 2:
        raw += pad
    if vr in LONG_VRS:
        header = data[start : start + 8] + struct.pack("<I", len(raw))
    else:
        assert len(raw) < 0x10000, f"{keyword}: {len(raw)} bytes do not fit a short VR"
        header = data[start : start + 6] + struct.pack("<H", len(raw))
    path.write_bytes(data[:start] + header + raw + data[value_at + length :])


def set_text(path: Path, keyword: str, *values: str) -> None:
    set_raw(path, keyword, "\\".join(values))


def set_us(path: Path, keyword: str, value: int) -> None:
    set_raw(path, keyword, struct.pack("<H", value))


def flip_vr(path: Path, keyword: str, *, bit: int = 0, byte: int = 1) -> None:
    """Flip one bit of the VR of ``keyword`` ("PN" with byte 1, bit 0 becomes "PO")."""
    start, _, _, _ = _locate(path, keyword)
    data = bytearray(path.read_bytes())
    data[start + 4 + byte] ^= 1 << bit
    path.write_bytes(bytes(data))


def pixel_value(path: Path) -> tuple[int, int]:
    """(offset, length) of the (7FE0,0010) Pixel Data value."""
    _, value_at, length, _ = _locate(path, "PixelData")
    return value_at, length


def splice_before_pixels(path: Path, element: bytes) -> None:
    """Insert raw element bytes just before Pixel Data (pydicom does not check tag order)."""
    data = path.read_bytes()
    at = data.rindex(PIXEL_DATA)
    path.write_bytes(data[:at] + element + data[at:])


def nest_sequences(path: Path, depth: int) -> None:
    """Add a (0040,A730) Content Sequence nested ``depth`` levels (undefined lengths)."""
    tag = b"\x40\x00\x30\xa7"
    opening = tag + b"SQ\x00\x00" + UNDEFINED + ITEM + UNDEFINED
    closing = ITEM_END + b"\x00" * 4 + SEQ_END + b"\x00" * 4
    splice_before_pixels(path, opening * depth + closing * depth)


def deflate(path: Path) -> None:
    """Re-write ``path`` as Deflated Explicit VR Little Endian (a valid file)."""

    def change(ds: Dataset) -> None:
        ds.file_meta.TransferSyntaxUID = pydicom.uid.DeflatedExplicitVRLittleEndian

    ds = pydicom.dcmread(path, force=True)
    change(ds)
    ds.save_as(path, enforce_file_format=True)


def dataset_start(data: bytes) -> int:
    """Offset of the first dataset element after the preamble and file meta."""
    assert data[128:132] == b"DICM"
    (meta_length,) = struct.unpack("<I", data[140:144])  # (0002,0000) UL value
    return 144 + meta_length


MEDIA_STORAGE_DIRECTORY = "1.2.840.10008.1.3.10"
FileRef = tuple[str | list[str], Path]
"""A DICOMDIR reference: the (0004,1500) Referenced File ID as written, and the file whose
header fills the record (the two may disagree, which is the point of some mutations)."""


def write_dicomdir(folder: Path, refs: list[FileRef]) -> Path:
    """Write ``folder/DICOMDIR`` with a PATIENT/STUDY/SERIES/IMAGE record per reference.

    The record offsets are filled in (a second write once the item positions are known), so
    the index is also valid for readers that follow the offsets rather than the order.
    """
    from pydicom.dataset import FileDataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, generate_uid

    tree: dict[tuple[str, str, str], list[tuple[str | list[str], Dataset]]] = {}
    for file_id, source in refs:
        src = pydicom.dcmread(source, stop_before_pixels=True, force=True)
        key = (str(src.get("PatientID", "")), str(src.get("StudyInstanceUID", "")),
               str(src.get("SeriesInstanceUID", "")))  # fmt: skip
        tree.setdefault(key, []).append((file_id, src))

    def record(kind: str, **values: object) -> Dataset:
        r = Dataset()
        r.OffsetOfTheNextDirectoryRecord = 0
        r.RecordInUseFlag = 0xFFFF
        r.OffsetOfReferencedLowerLevelDirectoryEntity = 0
        r.DirectoryRecordType = kind
        for k, v in values.items():
            setattr(r, k, v)
        return r

    # (level, record) depth first; level 0 patient .. 3 image
    order: list[tuple[int, Dataset]] = []
    seen: set[tuple[str, ...]] = set()
    for (patient, study, series), items in tree.items():
        src = items[0][1]
        if (patient,) not in seen:
            seen.add((patient,))
            order.append(
                (0, record("PATIENT", PatientID=patient, PatientName=src.get("PatientName", "")))
            )
        if (patient, study) not in seen:
            seen.add((patient, study))
            order.append((1, record("STUDY", StudyInstanceUID=study,
                                    StudyDate=src.get("StudyDate", ""),
                                    StudyTime=src.get("StudyTime", ""),
                                    StudyID=src.get("StudyID", ""),
                                    AccessionNumber=src.get("AccessionNumber", ""))))  # fmt: skip
        order.append((2, record("SERIES", SeriesInstanceUID=series,
                                Modality=src.get("Modality", "CT"),
                                SeriesNumber=src.get("SeriesNumber", 1))))  # fmt: skip
        for file_id, s in items:
            order.append((3, record("IMAGE", ReferencedFileID=file_id,
                                    ReferencedSOPClassUIDInFile=s.get("SOPClassUID", ""),
                                    ReferencedSOPInstanceUIDInFile=s.get("SOPInstanceUID", ""),
                                    ReferencedTransferSyntaxUIDInFile=ExplicitVRLittleEndian,
                                    InstanceNumber=s.get("InstanceNumber", 1))))  # fmt: skip
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = MEDIA_STORAGE_DIRECTORY
    meta.MediaStorageSOPInstanceUID = generate_uid(entropy_srcs=[str(folder.name), str(len(refs))])
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    path = folder / "DICOMDIR"
    ds = FileDataset(str(path), {}, file_meta=meta, preamble=b"\0" * 128)
    ds.FileSetID = "FUZZ"
    ds.OffsetOfTheFirstDirectoryRecordOfTheRootDirectoryEntity = 0
    ds.OffsetOfTheLastDirectoryRecordOfTheRootDirectoryEntity = 0
    ds.FileSetConsistencyFlag = 0
    ds.DirectoryRecordSequence = [r for _, r in order]
    ds.save_as(path, enforce_file_format=True)
    tells = [int(r.seq_item_tell) for r in pydicom.dcmread(path).DirectoryRecordSequence]
    roots = [tells[i] for i, (level, _) in enumerate(order) if level == 0]
    ds.OffsetOfTheFirstDirectoryRecordOfTheRootDirectoryEntity = roots[0]
    ds.OffsetOfTheLastDirectoryRecordOfTheRootDirectoryEntity = roots[-1]
    for i, (level, rec) in enumerate(order):
        following = order[i + 1 :]
        if following and following[0][0] == level + 1:
            rec.OffsetOfReferencedLowerLevelDirectoryEntity = tells[i + 1]
        for j, (other, _) in enumerate(following, start=i + 1):
            if other < level:
                break
            if other == level:
                rec.OffsetOfTheNextDirectoryRecord = tells[j]
                break
    ds.save_as(path, enforce_file_format=True)
    return path
