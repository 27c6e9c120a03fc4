"""Fuzz mutations of DICOM headers (VRs, frame counts, UIDs, Type 2/3 attributes, file meta)
and of character sets."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pydicom
from pydicom.dataset import Dataset
from tests.fuzz import dicom_edit as de
from tests.fuzz.mutation_kit import (
    Apply,
    add,
    drop,
    each,
    flip,
    one,
    raw,
    set_sop_uid,
    text,
)

TYPE2 = (
    "AccessionNumber", "ReferringPhysicianName", "StudyID", "PatientName", "PatientID",
    "PatientBirthDate", "PatientSex", "StudyDate", "StudyTime", "SeriesNumber",
    "PatientPosition", "KVP", "AcquisitionNumber", "PositionReferenceIndicator",
    "Manufacturer", "SliceThickness",
)  # fmt: skip
"""Type 2 attributes of the Patient, General Study/Series/Equipment/Image and CT Image
modules (present, possibly empty, in a valid file) that a source may still omit."""
TYPE3 = (
    "WindowCenter", "WindowWidth", "ConvolutionKernel", "GantryDetectorTilt", "ContentTime",
    "SeriesTime", "AcquisitionDate", "ImageComments", "BodyPartExamined", "RescaleType",
    "SliceLocation", "InstitutionName", "ImageType", "SeriesDescription", "StudyDescription",
)  # fmt: skip


def _flip_random_vr(folder: Path, rng: np.random.Generator) -> None:
    path = de.inner_file(folder, rng)
    ds = pydicom.dcmread(path, stop_before_pixels=True)
    keywords = [e.keyword for e in ds if e.keyword and e.tag.group > 0x0002]
    de.flip_vr(path, str(rng.choice(keywords)), bit=int(rng.integers(0, 5)), byte=1)


def _corrupt_deflated(path: Path) -> None:
    de.deflate(path)
    data = bytearray(path.read_bytes())
    start = de.dataset_start(bytes(data)) + 16
    for k in range(start, min(start + 64, len(data))):
        data[k] ^= 0xA5
    path.write_bytes(bytes(data))


def _duplicate_sop(folder: Path, rng: np.random.Generator) -> None:
    a = de.inner_file(folder, rng)
    files = de.series_files(folder)
    set_sop_uid(files[files.index(a) + 1], pydicom.dcmread(a).SOPInstanceUID)


def _series_uid_split(path: Path) -> None:
    de.edit(path, lambda ds: setattr(ds, "SeriesInstanceUID", ds.SeriesInstanceUID + ".9"))


def _meta_length_wrong(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[140:144] = struct.pack("<I", 12)  # (0002,0000) File Meta Information Group Length
    path.write_bytes(bytes(data))


def _no_preamble(path: Path) -> None:
    ds = pydicom.dcmread(path)
    del ds.file_meta
    ds.preamble = None
    pydicom.dcmwrite(path, ds, implicit_vr=False, little_endian=True)


def _meta_says_implicit(path: Path) -> None:
    data = path.read_bytes()
    at = data.index(b"1.2.840.10008.1.2.1\0", 132)  # (0002,0010) in the file meta
    path.write_bytes(data[:at] + b"1.2.840.10008.1.2\0\0\0" + data[at + 20 :])  # same length


def _shuffle_instance_numbers(folder: Path, rng: np.random.Generator) -> None:
    files = de.series_files(folder)
    for path, number in zip(files, rng.permutation(len(files)) + 1, strict=True):
        de.set_text(path, "InstanceNumber", str(int(number)))


def _private_garbage(path: Path) -> None:
    def change(ds: Dataset) -> None:
        block = ds.private_block(0x0029, "FUZZ CREATOR", create=True)
        block.add_new(0x10, "OB", bytes(range(256)) * 4)
        block.add_new(0x11, "UN", b"\xff\xfe" * 300)
        block.add_new(0x12, "LO", "x" * 64)

    de.edit(path, change)


def _empty_type2(path: Path) -> None:
    for keyword in TYPE2:
        de.set_raw(path, keyword, b"")


# fmt: off
add("vr_flip_patient_name", "header", "warn_or_error",
     "one file: (0010,0010) VR 'PN' flipped to 'PO' (Unknown Value Representation)",
     one(flip("PatientName")))
add("vr_flip_rows", "header", "warn_or_error",
     "one file: (0028,0010) VR 'US' flipped to 'UR' (a long VR: what follows shifts)",
     one(flip("Rows")))
add("vr_flip_random", "header", "warn_or_error",
     "one file: a random bit of the VR of a random element", _flip_random_vr)
add("vr_flip_every_file", "header", "warn_or_error",
     "every file: (0008,0060) Modality VR 'CS' flipped to 'CR'", each(flip("Modality")))
add("frames_garbage", "header", "warn_or_error", "one file: (0028,0008) NumberOfFrames 'xyz!'",
     one(text("NumberOfFrames", "xyz!")))
add("frames_huge", "header", "warn_or_error", "one file: NumberOfFrames 2147483647",
     one(text("NumberOfFrames", "2147483647")))
add("frames_negative", "header", "warn_or_error", "one file: NumberOfFrames -3",
     one(text("NumberOfFrames", "-3")))
add("frames_two_on_one_frame", "header", "warn_or_error",
     "one file: NumberOfFrames 2 on single-frame pixel data", one(text("NumberOfFrames", "2")))
add("nested_sequence_5000", "header", "warn_or_error",
     "one file: a Content Sequence nested 5000 levels (RecursionError)",
     one(lambda p: de.nest_sequences(p, 5000)))
add("nested_sequence_50", "header", "same",
     "one file: a Content Sequence nested 50 levels (deep, harmless)",
     one(lambda p: de.nest_sequences(p, 50)))
add("deflated_corrupt", "header", "warn_or_error",
     "one file: Deflated Explicit VR LE with a garbled zlib stream", one(_corrupt_deflated))
add("deflated_valid", "header", "same", "one file: a valid Deflated Explicit VR LE file",
     one(de.deflate))
add("sop_uid_missing", "header", "warn_or_error", "one file: no (0008,0018) SOPInstanceUID",
     one(drop("SOPInstanceUID")))
add("sop_uid_missing_all", "header", "warn_or_error", "every file: no SOPInstanceUID",
     each(drop("SOPInstanceUID")))
add("sop_uid_duplicate", "header", "warn_or_error",
     "two neighbouring files share one SOPInstanceUID (different pixels)", _duplicate_sop)
add("series_uid_missing", "header", "warn_or_error", "one file: no SeriesInstanceUID",
     one(drop("SeriesInstanceUID")))
add("series_uid_split", "header", "warn_or_error",
     "one file: another SeriesInstanceUID (a one-slice second series)", one(_series_uid_split))
add("study_uid_missing_all", "header", "warn_or_error", "every file: no StudyInstanceUID",
     each(drop("StudyInstanceUID")))
add("modality_missing_all", "header", "warn_or_error", "every file: no (0008,0060) Modality",
     each(drop("Modality")))
add("patient_sex_U", "header", "same", "every file: PatientSex 'U'",
     each(text("PatientSex", "U")))
add("patient_sex_m", "header", "same", "every file: PatientSex 'm'",
     each(text("PatientSex", "m")))
add("patient_sex_MALE", "header", "same", "every file: PatientSex 'MALE'",
     each(text("PatientSex", "MALE")))
add("accession_missing", "header", "same", "every file: no (0008,0050) AccessionNumber",
     each(drop("AccessionNumber")))
add("type2_missing", "header", "same", "every file: none of " + ", ".join(TYPE2),
     each(drop(*TYPE2)))
add("type2_empty", "header", "same", "every file: every one of TYPE2 present and empty",
     each(_empty_type2))
add("type3_missing", "header", "same", "every file: none of " + ", ".join(TYPE3),
     each(drop(*TYPE3)))
add("instance_number_shuffled", "header", "same",
     "InstanceNumber permuted (position orders the slices)", _shuffle_instance_numbers)
add("description_long", "header", "same", "every file: SeriesDescription of 20000 characters",
     each(raw("SeriesDescription", "NCCT " * 4000)))
add("private_garbage", "header", "same", "one file: a private block with OB/UN/LO garbage",
     one(_private_garbage))
add("meta_length_wrong", "header", "warn_or_error",
     "one file: (0002,0000) group length 12 (far too short)", one(_meta_length_wrong))
add("no_preamble_no_meta", "header", "same",
     "one file: no preamble, no file meta (a bare Explicit VR LE dataset)", one(_no_preamble))
add("meta_says_implicit", "header", "warn_or_error",
     "one file: file meta says Implicit VR LE, the dataset is explicit", one(_meta_says_implicit))
# fmt: on

# ----------------------------------------------------------------------------- charset


def _names(charset: str, name: bytes, desc: bytes | None = None) -> Apply:
    edits = [text("SpecificCharacterSet", charset), raw("PatientName", name)]
    if desc is not None:
        edits.append(raw("SeriesDescription", desc))
    return each(*edits)


# fmt: off
add("charset_iso_ir_6", "charset", "same", "every file: SpecificCharacterSet 'ISO_IR 6'",
     each(text("SpecificCharacterSet", "ISO_IR 6")))
add("charset_unknown", "charset", "same", "every file: SpecificCharacterSet 'ISO_IR 999'",
     each(text("SpecificCharacterSet", "ISO_IR 999")))
add("charset_missing_latin1", "charset", "same",
     "every file: no SpecificCharacterSet, Latin-1 bytes in PatientName",
     each(drop("SpecificCharacterSet"), raw("PatientName", "M\xfcller^J\xfcrgen")))
add("charset_utf8", "charset", "same", "every file: ISO_IR 192, UTF-8 name and description",
     _names("ISO_IR 192", "Müller^Zoë".encode(), "Schädel 頭部 🧠".encode()))
add("charset_bad_utf8", "charset", "same",
     "every file: ISO_IR 192 with invalid UTF-8 in the name and description",
     _names("ISO_IR 192", b"M\xff\xfeller^\xc3", b"NCCT \xed\xa0\x80 \xc0\xaf"))
add("charset_gb18030", "charset", "same", "every file: GB18030 name and description",
     _names("GB18030", "王^小明".encode("gb18030"), "头部平扫".encode("gb18030")))
add("charset_iso2022_jp", "charset", "same", "every file: ISO 2022 IR 87 escape sequences",
     _names("\\ISO 2022 IR 87", b"Yamada^Taro=\x1b$B;3ED\x1b(B^\x1b$BB@O:\x1b(B"))
add("charset_conflicting", "charset", "same",
     "every file: 'ISO_IR 100\\ISO_IR 192' (a combination the standard forbids)",
     each(text("SpecificCharacterSet", "ISO_IR 100", "ISO_IR 192")))
add("charset_mixed_files", "charset", "same",
     "one file ISO_IR 192 with a UTF-8 name, the others Latin-1",
     one(text("SpecificCharacterSet", "ISO_IR 192"), raw("PatientName", "Ærø^Åse".encode())))
add("description_control_chars", "charset", "same",
     "every file: NUL, ESC, CR/LF, BEL and a terminal colour code in SeriesDescription",
     each(raw("SeriesDescription", b"NCCT\x00\x1b[31mRED\r\nline2\x07")))
# fmt: on
