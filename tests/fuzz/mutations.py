"""Named, seeded mutations of a phantom DICOM series folder (the fuzzer's cases).

Each :class:`Mutation` takes a copied series folder (the phantom's ``followup/`` for ``info``
and ``ht``, its ``cta/`` for ``thrombus``; a sibling series folder lies next to it) and a
numpy ``Generator``, and damages the files on disk. It declares the correct outcome:

``same``
    the result must match the unmutated baseline within tolerance (warnings are allowed);
``warn_or_error``
    a warning or a one-line error is acceptable, a silently different result is not;
``error``
    the command must refuse in one line (a result equal to the baseline is tolerated).

Groups: header, charset, pixel, geometry, folder. ``MUTATIONS`` maps names to mutations;
the registrations are one call per line (``fmt: off``) so the list reads as a table.
"""

from __future__ import annotations

import os
import shutil
import struct
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pydicom
from pydicom.dataset import Dataset
from tests.fuzz import dicom_edit as de

Expect = Literal["same", "warn_or_error", "error"]
Apply = Callable[[Path, np.random.Generator], None]
Edit = Callable[[Path], None]
GROUPS = ("header", "charset", "pixel", "geometry", "folder")


@dataclass(frozen=True)
class Mutation:
    """One fuzz case: ``apply(series_folder, rng)`` and what a correct outcome is."""

    name: str
    group: str
    expect: Expect
    doc: str
    apply: Apply
    unprivileged: bool = False
    """Run the commands as an unprivileged user (permission mutations mean nothing to root)."""


MUTATIONS: dict[str, Mutation] = {}


def _add(name: str, group: str, expect: Expect, doc: str, apply: Apply, **kw: bool) -> None:
    assert group in GROUPS and name not in MUTATIONS, name
    MUTATIONS[name] = Mutation(name, group, expect, doc, apply, **kw)


def _one(*edits: Edit) -> Apply:
    """Apply ``edits`` to one inner file chosen by the generator."""

    def apply(folder: Path, rng: np.random.Generator) -> None:
        path = de.inner_file(folder, rng)
        for fn in edits:
            fn(path)

    return apply


def _all(*edits: Edit) -> Apply:
    def apply(folder: Path, rng: np.random.Generator) -> None:
        for path in de.series_files(folder):
            for fn in edits:
                fn(path)

    return apply


def _last(fn: Edit) -> Apply:
    return lambda folder, rng: fn(de.series_files(folder)[-1])


def _first(fn: Edit) -> Apply:
    return lambda folder, rng: fn(de.series_files(folder)[0])


def _text(keyword: str, *values: str) -> Edit:
    return lambda path: de.set_text(path, keyword, *values)


def _raw(keyword: str, value: bytes | str) -> Edit:
    return lambda path: de.set_raw(path, keyword, value)


def _us(keyword: str, value: int) -> Edit:
    return lambda path: de.set_us(path, keyword, value)


def _drop(*keywords: str) -> Edit:
    return lambda path: de.delete(path, *keywords)


def _flip(keyword: str) -> Edit:
    return lambda path: de.flip_vr(path, keyword)


# ----------------------------------------------------------------------------- header

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


def _set_sop_uid(path: Path, uid: str) -> None:
    def change(ds: Dataset) -> None:
        ds.SOPInstanceUID = uid
        ds.file_meta.MediaStorageSOPInstanceUID = uid

    de.edit(path, change)


def _duplicate_sop(folder: Path, rng: np.random.Generator) -> None:
    a = de.inner_file(folder, rng)
    files = de.series_files(folder)
    _set_sop_uid(files[files.index(a) + 1], pydicom.dcmread(a).SOPInstanceUID)


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
_add("vr_flip_patient_name", "header", "warn_or_error",
     "one file: (0010,0010) VR 'PN' flipped to 'PO' (Unknown Value Representation)",
     _one(_flip("PatientName")))
_add("vr_flip_rows", "header", "warn_or_error",
     "one file: (0028,0010) VR 'US' flipped to 'UR' (a long VR: what follows shifts)",
     _one(_flip("Rows")))
_add("vr_flip_random", "header", "warn_or_error",
     "one file: a random bit of the VR of a random element", _flip_random_vr)
_add("vr_flip_every_file", "header", "warn_or_error",
     "every file: (0008,0060) Modality VR 'CS' flipped to 'CR'", _all(_flip("Modality")))
_add("frames_garbage", "header", "warn_or_error", "one file: (0028,0008) NumberOfFrames 'xyz!'",
     _one(_text("NumberOfFrames", "xyz!")))
_add("frames_huge", "header", "warn_or_error", "one file: NumberOfFrames 2147483647",
     _one(_text("NumberOfFrames", "2147483647")))
_add("frames_negative", "header", "warn_or_error", "one file: NumberOfFrames -3",
     _one(_text("NumberOfFrames", "-3")))
_add("frames_two_on_one_frame", "header", "warn_or_error",
     "one file: NumberOfFrames 2 on single-frame pixel data", _one(_text("NumberOfFrames", "2")))
_add("nested_sequence_5000", "header", "warn_or_error",
     "one file: a Content Sequence nested 5000 levels (RecursionError)",
     _one(lambda p: de.nest_sequences(p, 5000)))
_add("nested_sequence_50", "header", "same",
     "one file: a Content Sequence nested 50 levels (deep, harmless)",
     _one(lambda p: de.nest_sequences(p, 50)))
_add("deflated_corrupt", "header", "warn_or_error",
     "one file: Deflated Explicit VR LE with a garbled zlib stream", _one(_corrupt_deflated))
_add("deflated_valid", "header", "same", "one file: a valid Deflated Explicit VR LE file",
     _one(de.deflate))
_add("sop_uid_missing", "header", "warn_or_error", "one file: no (0008,0018) SOPInstanceUID",
     _one(_drop("SOPInstanceUID")))
_add("sop_uid_missing_all", "header", "warn_or_error", "every file: no SOPInstanceUID",
     _all(_drop("SOPInstanceUID")))
_add("sop_uid_duplicate", "header", "warn_or_error",
     "two neighbouring files share one SOPInstanceUID (different pixels)", _duplicate_sop)
_add("series_uid_missing", "header", "warn_or_error", "one file: no SeriesInstanceUID",
     _one(_drop("SeriesInstanceUID")))
_add("series_uid_split", "header", "warn_or_error",
     "one file: another SeriesInstanceUID (a one-slice second series)", _one(_series_uid_split))
_add("study_uid_missing_all", "header", "warn_or_error", "every file: no StudyInstanceUID",
     _all(_drop("StudyInstanceUID")))
_add("modality_missing_all", "header", "warn_or_error", "every file: no (0008,0060) Modality",
     _all(_drop("Modality")))
_add("patient_sex_U", "header", "same", "every file: PatientSex 'U'",
     _all(_text("PatientSex", "U")))
_add("patient_sex_m", "header", "same", "every file: PatientSex 'm'",
     _all(_text("PatientSex", "m")))
_add("patient_sex_MALE", "header", "same", "every file: PatientSex 'MALE'",
     _all(_text("PatientSex", "MALE")))
_add("accession_missing", "header", "same", "every file: no (0008,0050) AccessionNumber",
     _all(_drop("AccessionNumber")))
_add("type2_missing", "header", "same", "every file: none of " + ", ".join(TYPE2),
     _all(_drop(*TYPE2)))
_add("type2_empty", "header", "same", "every file: every one of TYPE2 present and empty",
     _all(_empty_type2))
_add("type3_missing", "header", "same", "every file: none of " + ", ".join(TYPE3),
     _all(_drop(*TYPE3)))
_add("instance_number_shuffled", "header", "same",
     "InstanceNumber permuted (position orders the slices)", _shuffle_instance_numbers)
_add("description_long", "header", "same", "every file: SeriesDescription of 20000 characters",
     _all(_raw("SeriesDescription", "NCCT " * 4000)))
_add("private_garbage", "header", "same", "one file: a private block with OB/UN/LO garbage",
     _one(_private_garbage))
_add("meta_length_wrong", "header", "warn_or_error",
     "one file: (0002,0000) group length 12 (far too short)", _one(_meta_length_wrong))
_add("no_preamble_no_meta", "header", "same",
     "one file: no preamble, no file meta (a bare Explicit VR LE dataset)", _one(_no_preamble))
_add("meta_says_implicit", "header", "warn_or_error",
     "one file: file meta says Implicit VR LE, the dataset is explicit", _one(_meta_says_implicit))
# fmt: on

# ----------------------------------------------------------------------------- charset


def _names(charset: str, name: bytes, desc: bytes | None = None) -> Apply:
    edits = [_text("SpecificCharacterSet", charset), _raw("PatientName", name)]
    if desc is not None:
        edits.append(_raw("SeriesDescription", desc))
    return _all(*edits)


# fmt: off
_add("charset_iso_ir_6", "charset", "same", "every file: SpecificCharacterSet 'ISO_IR 6'",
     _all(_text("SpecificCharacterSet", "ISO_IR 6")))
_add("charset_unknown", "charset", "same", "every file: SpecificCharacterSet 'ISO_IR 999'",
     _all(_text("SpecificCharacterSet", "ISO_IR 999")))
_add("charset_missing_latin1", "charset", "same",
     "every file: no SpecificCharacterSet, Latin-1 bytes in PatientName",
     _all(_drop("SpecificCharacterSet"), _raw("PatientName", "M\xfcller^J\xfcrgen")))
_add("charset_utf8", "charset", "same", "every file: ISO_IR 192, UTF-8 name and description",
     _names("ISO_IR 192", "Müller^Zoë".encode(), "Schädel 頭部 🧠".encode()))
_add("charset_bad_utf8", "charset", "same",
     "every file: ISO_IR 192 with invalid UTF-8 in the name and description",
     _names("ISO_IR 192", b"M\xff\xfeller^\xc3", b"NCCT \xed\xa0\x80 \xc0\xaf"))
_add("charset_gb18030", "charset", "same", "every file: GB18030 name and description",
     _names("GB18030", "王^小明".encode("gb18030"), "头部平扫".encode("gb18030")))
_add("charset_iso2022_jp", "charset", "same", "every file: ISO 2022 IR 87 escape sequences",
     _names("\\ISO 2022 IR 87", b"Yamada^Taro=\x1b$B;3ED\x1b(B^\x1b$BB@O:\x1b(B"))
_add("charset_conflicting", "charset", "same",
     "every file: 'ISO_IR 100\\ISO_IR 192' (a combination the standard forbids)",
     _all(_text("SpecificCharacterSet", "ISO_IR 100", "ISO_IR 192")))
_add("charset_mixed_files", "charset", "same",
     "one file ISO_IR 192 with a UTF-8 name, the others Latin-1",
     _one(_text("SpecificCharacterSet", "ISO_IR 192"), _raw("PatientName", "Ærø^Åse".encode())))
_add("description_control_chars", "charset", "same",
     "every file: NUL, ESC, CR/LF, BEL and a terminal colour code in SeriesDescription",
     _all(_raw("SeriesDescription", b"NCCT\x00\x1b[31mRED\r\nline2\x07")))
# fmt: on

# ----------------------------------------------------------------------------- pixel


def _scale(keyword: str, factor: float) -> Edit:
    def fn(path: Path) -> None:
        value = int(pydicom.dcmread(path, stop_before_pixels=True)[keyword].value)
        de.set_us(path, keyword, int(value * factor))

    return fn


def _truncate_file(path: Path) -> None:
    at, length = de.pixel_value(path)
    with path.open("r+b") as f:
        f.truncate(at + length // 2)


def _pixels_half(path: Path) -> None:
    at, length = de.pixel_value(path)
    de.set_raw(path, "PixelData", path.read_bytes()[at : at + length // 2], pad=b"\0")


# fmt: off
_add("rows_half_all", "pixel", "warn_or_error",
     "every file: Rows half the stored rows (the data is twice as long)", _all(_scale("Rows", 0.5)))
_add("rows_half_one", "pixel", "warn_or_error", "one file: Rows halved",
     _one(_scale("Rows", 0.5)))
_add("columns_double_one", "pixel", "warn_or_error", "one file: Columns doubled",
     _one(_scale("Columns", 2.0)))
_add("rows_zero_one", "pixel", "warn_or_error", "one file: Rows 0", _one(_us("Rows", 0)))
_add("rows_zero_all", "pixel", "error", "every file: Rows 0", _all(_us("Rows", 0)))
_add("columns_max_all", "pixel", "error", "every file: Columns 65535",
     _all(_us("Columns", 65535)))
_add("bits_allocated_8_all", "pixel", "error", "every file: BitsAllocated 8 on 16-bit data",
     _all(_us("BitsAllocated", 8), _us("BitsStored", 8), _us("HighBit", 7)))
_add("bits_allocated_8_one", "pixel", "warn_or_error", "one file: BitsAllocated 8",
     _one(_us("BitsAllocated", 8)))
_add("bits_stored_20_all", "pixel", "warn_or_error", "every file: BitsStored 20 > allocated",
     _all(_us("BitsStored", 20)))
_add("samples_per_pixel_3_one", "pixel", "warn_or_error", "one file: SamplesPerPixel 3",
     _one(_us("SamplesPerPixel", 3)))
_add("pixel_representation_unsigned_all", "pixel", "warn_or_error",
     "every file: PixelRepresentation 0 (signed data read as unsigned)",
     _all(_us("PixelRepresentation", 0)))
_add("slope_nan_one", "pixel", "warn_or_error", "one file: RescaleSlope NaN",
     _one(_text("RescaleSlope", "NaN")))
_add("slope_nan_all", "pixel", "error", "every file: RescaleSlope NaN",
     _all(_text("RescaleSlope", "NaN")))
_add("slope_inf_one", "pixel", "warn_or_error", "one file: RescaleSlope Infinity",
     _one(_text("RescaleSlope", "Infinity")))
_add("intercept_huge_one", "pixel", "warn_or_error", "one file: RescaleIntercept 1e300",
     _one(_text("RescaleIntercept", "1e300")))
_add("intercept_huge_all", "pixel", "error", "every file: RescaleIntercept 1e300",
     _all(_text("RescaleIntercept", "1e300")))
_add("intercept_shifted_one", "pixel", "warn_or_error",
     "one file: RescaleIntercept -2024 (1000 HU too low)", _one(_text("RescaleIntercept", "-2024")))
_add("rescale_missing_all", "pixel", "warn_or_error",
     "every file: no RescaleSlope/Intercept (stored values taken as HU)",
     _all(_drop("RescaleSlope", "RescaleIntercept", "RescaleType")))
_add("pixels_truncated_one", "pixel", "warn_or_error",
     "one file ends half-way through Pixel Data", _one(_truncate_file))
_add("pixels_truncated_all", "pixel", "error", "every file ends half-way through Pixel Data",
     _all(_truncate_file))
_add("pixels_short_one", "pixel", "warn_or_error",
     "one file: Pixel Data of half the bytes, its length field consistent", _one(_pixels_half))
_add("pixels_missing_one", "pixel", "warn_or_error", "one file: no Pixel Data",
     _one(_drop("PixelData")))
# fmt: on

# ----------------------------------------------------------------------------- geometry


def _moved(path: Path, axis: int, mm: float) -> list[str]:
    xyz = [float(v) for v in de.text_of(path, "ImagePositionPatient")]
    xyz[axis] += mm
    return [f"{v:.4f}" for v in xyz]


def _shift(axis: int, mm: float) -> Edit:
    return lambda path: de.set_text(path, "ImagePositionPatient", *_moved(path, axis, mm))


def _ipp_component(axis: int, text: str) -> Edit:
    def fn(path: Path) -> None:
        values = de.text_of(path, "ImagePositionPatient")
        values[axis] = text
        de.set_text(path, "ImagePositionPatient", *values)

    return fn


def _iop(*values: str) -> Edit:
    return _text("ImageOrientationPatient", *values)


def _spacing_doubled(path: Path) -> None:
    de.set_text(
        path, "PixelSpacing", *[f"{2 * float(v)}" for v in de.text_of(path, "PixelSpacing")]
    )


def _duplicate_position(folder: Path, rng: np.random.Generator) -> None:
    a = de.inner_file(folder, rng)
    files = de.series_files(folder)
    b = files[files.index(a) + 1]
    de.set_text(b, "ImagePositionPatient", *de.text_of(a, "ImagePositionPatient"))


def _copy_slice(new_uid: bool) -> Apply:
    def apply(folder: Path, rng: np.random.Generator) -> None:
        src = de.inner_file(folder, rng)
        dst = folder / f"COPY_{src.name}"
        shutil.copy2(src, dst)
        if new_uid:
            _set_sop_uid(dst, pydicom.uid.generate_uid(entropy_srcs=[dst.name, "fuzz"]))

    return apply


def _keep(select: Callable[[list[Path]], list[Path]]) -> Apply:
    def apply(folder: Path, rng: np.random.Generator) -> None:
        files = de.series_files(folder)
        keep = set(select(files))
        for path in files:
            if path not in keep:
                path.unlink()

    return apply


def _remove_inner(folder: Path, rng: np.random.Generator) -> None:
    de.inner_file(folder, rng).unlink()


def _jitter_positions(folder: Path, rng: np.random.Generator) -> None:
    for path in de.series_files(folder):
        _shift(2, float(rng.uniform(-0.4, 0.4)))(path)


def _reverse_names(folder: Path, rng: np.random.Generator) -> None:
    files = de.series_files(folder)
    names = [p.name for p in files]
    moved = [p.rename(p.with_suffix(".tmp")) for p in files]
    for path, name in zip(moved, reversed(names), strict=True):
        path.rename(folder / name)


# fmt: off
_add("ipp_nan_one", "geometry", "warn_or_error", "one file: ImagePositionPatient x NaN",
     _one(_ipp_component(0, "NaN")))
_add("ipp_inf_one", "geometry", "warn_or_error", "one file: ImagePositionPatient z Infinity",
     _one(_ipp_component(2, "Infinity")))
_add("ipp_nan_all", "geometry", "error", "every file: ImagePositionPatient NaN\\NaN\\NaN",
     _all(_text("ImagePositionPatient", "NaN", "NaN", "NaN")))
_add("ipp_missing_one", "geometry", "warn_or_error", "one file: no ImagePositionPatient",
     _one(_drop("ImagePositionPatient")))
_add("ipp_missing_all", "geometry", "warn_or_error", "every file: no ImagePositionPatient",
     _all(_drop("ImagePositionPatient")))
_add("iop_nan_one", "geometry", "warn_or_error", "one file: ImageOrientationPatient NaN",
     _one(_iop("NaN", "0", "0", "0", "1", "0")))
_add("iop_nan_all", "geometry", "error", "every file: ImageOrientationPatient NaN",
     _all(_iop("NaN", "0", "0", "0", "1", "0")))
_add("iop_inf_all", "geometry", "error", "every file: ImageOrientationPatient Infinity",
     _all(_iop("1", "0", "0", "0", "Infinity", "0")))
_add("iop_zero_all", "geometry", "error", "every file: ImageOrientationPatient all zero",
     _all(_iop("0", "0", "0", "0", "0", "0")))
_add("iop_parallel_all", "geometry", "error", "every file: row and column directions equal",
     _all(_iop("1", "0", "0", "1", "0", "0")))
_add("iop_non_orthonormal_all", "geometry", "warn_or_error",
     "every file: column direction 0.2 off perpendicular (corrected only with a warning)",
     _all(_iop("1", "0", "0", "0.2", "1", "0")))
_add("iop_scaled_all", "geometry", "warn_or_error", "every file: direction vectors of length 2",
     _all(_iop("2", "0", "0", "0", "2", "0")))
_add("iop_rounding_all", "geometry", "same", "every file: 1e-7 off orthonormal (writer rounding)",
     _all(_iop("1", "1e-7", "0", "0", "1", "-1e-7")))
_add("iop_one_different", "geometry", "warn_or_error",
     "one file: orientation rotated 30 degrees about z",
     _one(_iop("0.866025", "0.5", "0", "-0.5", "0.866025", "0")))
_add("iop_short_all", "geometry", "error", "every file: ImageOrientationPatient of 3 values",
     _all(_iop("1", "0", "0")))
_add("slice_moved_1e9", "geometry", "warn_or_error", "one inner slice moved 1e9 mm in z",
     _one(_shift(2, 1e9)))
_add("last_slice_moved_5000", "geometry", "warn_or_error", "the last slice moved 5000 mm in z",
     _last(_shift(2, 5000.0)))
_add("first_slice_moved_minus_800", "geometry", "warn_or_error",
     "the first slice moved 800 mm down in z", _first(_shift(2, -800.0)))
_add("slice_moved_sideways", "geometry", "warn_or_error", "one inner slice moved 40 mm in x",
     _one(_shift(0, 40.0)))
_add("positions_far_away", "geometry", "warn_or_error",
     "every slice offset by 1e6 mm in x (consistently)", _all(_shift(0, 1e6)))
_add("spacing_1e6_all", "geometry", "error", "every file: PixelSpacing 1e6",
     _all(_text("PixelSpacing", "1e6", "1e6")))
_add("spacing_1e-9_all", "geometry", "error", "every file: PixelSpacing 1e-9",
     _all(_text("PixelSpacing", "1e-9", "1e-9")))
_add("spacing_zero_all", "geometry", "error", "every file: PixelSpacing 0",
     _all(_text("PixelSpacing", "0", "0")))
_add("spacing_missing_all", "geometry", "warn_or_error", "every file: no PixelSpacing",
     _all(_drop("PixelSpacing")))
_add("spacing_one_different", "geometry", "warn_or_error", "one file: PixelSpacing doubled",
     _one(_spacing_doubled))
_add("thickness_huge_all", "geometry", "warn_or_error", "every file: SliceThickness 1e6",
     _all(_text("SliceThickness", "1e6")))
_add("positions_duplicate", "geometry", "warn_or_error",
     "two neighbouring slices share one position", _duplicate_position)
_add("slice_copy_same_uid", "geometry", "same",
     "one file copied under another name (same SOPInstanceUID)", _copy_slice(False))
_add("slice_copy_new_uid", "geometry", "warn_or_error",
     "one file copied with a new SOPInstanceUID (two images at one position)", _copy_slice(True))
_add("slice_missing_inner", "geometry", "warn_or_error", "one inner slice deleted (a gap)",
     _remove_inner)
_add("slices_gap_three", "geometry", "warn_or_error", "three neighbouring inner slices deleted",
     _keep(lambda files: files[: len(files) // 3] + files[len(files) // 3 + 3 :]))
_add("single_slice", "geometry", "error", "only one slice left",
     _keep(lambda files: files[len(files) // 2 : len(files) // 2 + 1]))
_add("positions_jitter", "geometry", "warn_or_error",
     "every slice moved by up to 0.4 mm in z (uneven spacing)", _jitter_positions)
_add("names_reversed", "geometry", "same", "file names in reverse slice order", _reverse_names)
# fmt: on

# ----------------------------------------------------------------------------- folder


def _unreadable_series(folder: Path, rng: np.random.Generator) -> None:
    sub = folder / "locked"
    sub.mkdir()
    for path in de.series_files(folder):
        path.rename(sub / path.name)
    sub.chmod(0)


def _unreadable_extra(folder: Path, rng: np.random.Generator) -> None:
    extra = folder / "locked"
    extra.mkdir()
    for path in de.series_files(de.sibling_series(folder))[:5]:
        shutil.copy2(path, extra / path.name)
    extra.chmod(0)


def _unreadable_file(folder: Path, rng: np.random.Generator) -> None:
    de.inner_file(folder, rng).chmod(0)


def _dicomdir(kind: str) -> Apply:
    def apply(folder: Path, rng: np.random.Generator) -> None:
        own = de.series_files(folder)
        other = de.series_files(de.sibling_series(folder))
        up = other[0].parent.name
        mine = [(p.name, p) for p in own]
        parent: list[de.FileRef] = [(["..", up, p.name], p) for p in other]
        refs: dict[str, list[de.FileRef]] = {
            "valid": list(mine),
            "parent": parent,
            "absolute": [(str(p.resolve()), p) for p in other],
            "mixed": mine + parent,
            "missing": mine + [(f"GONE{k:04d}", own[0]) for k in range(3)],
            "subset": mine[: len(mine) // 2],
        }
        de.write_dicomdir(folder, refs[kind])

    return apply


def _symlink(name: str, target: str) -> Apply:
    return lambda folder, rng: os.symlink(target, folder / name)


def _symlink_loop_pair(folder: Path, rng: np.random.Generator) -> None:
    (folder / "a").mkdir()
    (folder / "b").mkdir()
    os.symlink("../b", folder / "a" / "to_b")
    os.symlink("../a", folder / "b" / "to_a")


def _symlink_outside_file(folder: Path, rng: np.random.Generator) -> None:
    other = de.series_files(de.sibling_series(folder))[0]
    os.symlink(os.path.relpath(other, folder), folder / "LINKED.dcm")


def _write(name: str, data: bytes) -> Apply:
    return lambda folder, rng: (folder / name).write_bytes(data) and None


def _random_bytes(name: str, size: int) -> Apply:
    def apply(folder: Path, rng: np.random.Generator) -> None:
        (folder / name).write_bytes(rng.integers(0, 256, size, dtype=np.uint8).tobytes())

    return apply


def _truncated_header(folder: Path, rng: np.random.Generator) -> None:
    path = de.inner_file(folder, rng)
    path.write_bytes(path.read_bytes()[:300])


def _hidden_files(folder: Path, rng: np.random.Generator) -> None:
    (folder / ".DS_Store").write_bytes(b"\0\0\0\1Bud1" * 50)
    (folder / "._IM00001.dcm").write_bytes(b"\0\5\x16\7" + b"\0" * 200)


def _nested_copy(folder: Path, rng: np.random.Generator) -> None:
    shutil.copytree(folder, folder / "copy" / "again", ignore=shutil.ignore_patterns("copy"))


def _foreign_files(folder: Path, rng: np.random.Generator) -> None:
    for path in de.series_files(de.sibling_series(folder))[:3]:
        shutil.copy2(path, folder / f"X_{path.name}")


def _deep_tree(folder: Path, rng: np.random.Generator) -> None:
    deep = folder.joinpath(*[f"d{k}" for k in range(60)])
    deep.mkdir(parents=True)
    for path in de.series_files(folder):
        path.rename(deep / path.name)


def _odd_names(folder: Path, rng: np.random.Generator) -> None:
    for k, path in enumerate(de.series_files(folder)):
        path.rename(folder / f"slice {k:03d}\n\t'\"$(x)é.dcm")


def _fifo(folder: Path, rng: np.random.Generator) -> None:
    os.mkfifo(folder / "PIPE.dcm")


def _sparse_huge(folder: Path, rng: np.random.Generator) -> None:
    with (folder / "HUGE.dcm").open("wb") as f:
        f.write(b"\0" * 128 + b"DICM")
        f.truncate(16 * 2**30)  # sparse: 16 GiB on paper, nothing on disk


def _empty_folder(folder: Path, rng: np.random.Generator) -> None:
    for path in de.series_files(folder):
        path.unlink()


# fmt: off
_add("unreadable_series_subfolder", "folder", "error",
     "all files in a subfolder without read permission", _unreadable_series, unprivileged=True)
_add("unreadable_extra_subfolder", "folder", "warn_or_error",
     "an extra unreadable subfolder (holding other files)", _unreadable_extra, unprivileged=True)
_add("unreadable_file", "folder", "warn_or_error", "one slice without read permission",
     _unreadable_file, unprivileged=True)
_add("dicomdir_valid", "folder", "same", "a valid DICOMDIR listing the folder's files",
     _dicomdir("valid"))
_add("dicomdir_parent_refs", "folder", "warn_or_error",
     "a DICOMDIR listing only ../<sibling>/ files (another series)", _dicomdir("parent"))
_add("dicomdir_absolute_refs", "folder", "warn_or_error",
     "a DICOMDIR listing the sibling series by absolute paths", _dicomdir("absolute"))
_add("dicomdir_mixed_refs", "folder", "warn_or_error",
     "a DICOMDIR listing the folder's files and ../ files of another series", _dicomdir("mixed"))
_add("dicomdir_missing_refs", "folder", "warn_or_error",
     "a DICOMDIR listing the folder's files and three that do not exist", _dicomdir("missing"))
_add("dicomdir_subset", "folder", "warn_or_error",
     "a DICOMDIR listing only half of the folder's files", _dicomdir("subset"))
_add("dicomdir_garbage", "folder", "warn_or_error", "a DICOMDIR of 4096 random bytes",
     _random_bytes("DICOMDIR", 4096))
_add("symlink_loop_self", "folder", "warn_or_error", "a symlink 'loop' -> '.' in the folder",
     _symlink("loop", "."))
_add("symlink_to_parent", "folder", "warn_or_error",
     "a symlink 'up' -> '..' (reaches the sibling series)", _symlink("up", ".."))
_add("symlink_loop_pair", "folder", "warn_or_error", "subfolders a/ and b/ linking each other",
     _symlink_loop_pair)
_add("symlink_outside_file", "folder", "warn_or_error",
     "a symlinked .dcm file of the sibling series", _symlink_outside_file)
_add("symlink_dev_zero", "folder", "warn_or_error", "ZERO.dcm -> /dev/zero",
     _symlink("ZERO.dcm", "/dev/zero"))
_add("fifo_dcm", "folder", "warn_or_error", "a named pipe PIPE.dcm (a read blocks)", _fifo)
_add("sparse_16gib_dcm", "folder", "warn_or_error",
     "a sparse 16 GiB HUGE.dcm behind a DICM preamble", _sparse_huge)
_add("non_dicom_dcm", "folder", "same", "RANDOM.dcm of 30000 random bytes",
     _random_bytes("RANDOM.dcm", 30000))
_add("empty_file", "folder", "same", "a zero-byte EMPTY.dcm", _write("EMPTY.dcm", b""))
_add("preamble_only", "folder", "same", "ONLY.dcm: 128 zero bytes and 'DICM', nothing else",
     _write("ONLY.dcm", b"\0" * 128 + b"DICM"))
_add("truncated_header", "folder", "warn_or_error", "one slice cut after 300 bytes",
     _truncated_header)
_add("hidden_files", "folder", "same", "a .DS_Store and an AppleDouble ._IM00001.dcm",
     _hidden_files)
_add("nested_duplicate_series", "folder", "warn_or_error",
     "a full copy of the series in copy/again/", _nested_copy)
_add("foreign_files_mixed_in", "folder", "warn_or_error",
     "three files of the sibling series copied in (two series in one folder)", _foreign_files)
_add("deep_tree", "folder", "same", "the files 60 subfolders deep", _deep_tree)
_add("odd_file_names", "folder", "same", "file names with space, newline, tab, quotes, $( )",
     _odd_names)
_add("empty_folder", "folder", "error", "every file deleted", _empty_folder)
# fmt: on
