"""Where a file's pixel data lies, how many bytes its header says it holds, and how its
stored values are laid out.

The scan (:mod:`strokescope.io.dicom_headers`) finds the byte offset of uncompressed
little-endian pixel data so the loader can read it straight from disk; the decoder
(:mod:`strokescope.io.dicom_pixels`) reads every other uncompressed layout through pydicom.
Both hold the pixel data to one rule, :func:`length_mismatch`: exactly (0028,0010) Rows x
(0028,0011) Columns x (0028,0002) Samples per Pixel x (0028,0008) Number of Frames x
(0028,0100) Bits Allocated bits (plus the pad byte of an odd length). pydicom would read the
first bytes of a longer buffer as the image, a silently wrong volume (Rows 256 on 512 x 512
data).
"""

from __future__ import annotations

import struct
from typing import Any

from strokescope.io.dicom_read import SkipFile
from strokescope.io.series_info import PixelFormat

EXPLICIT_LE = "1.2.840.10008.1.2.1"
IMPLICIT_LE = "1.2.840.10008.1.2"
EXPLICIT_BE = "1.2.840.10008.1.2.2"
DEFLATED_LE = "1.2.840.10008.1.2.1.99"
PIXEL_DATA_TAG = b"\xe0\x7f\x10\x00"


def expected_bytes(ds: Any, n_frames: int, fmt: PixelFormat) -> int:
    """Bytes of uncompressed pixel data the header of ``ds`` describes (no pad byte)."""
    samples = int(ds.get("SamplesPerPixel", 1) or 1)
    bits = int(ds.Rows) * int(ds.Columns) * samples * n_frames * fmt.bits_allocated
    return (bits + 7) // 8


def length_mismatch(length: int, ds: Any, n_frames: int, fmt: PixelFormat) -> str:
    """``""`` when ``length`` bytes of pixel data fit the header, else a one-line reason."""
    expected = expected_bytes(ds, n_frames, fmt)
    if expected <= length <= expected + expected % 2:
        return ""
    return (
        f"pixel data does not match the header ({length} bytes; Rows x Columns x frames x "
        f"Bits Allocated {ds.Rows} x {ds.Columns} x {n_frames} x {fmt.bits_allocated} "
        f"needs {expected})"
    )


def pixel_offset(fp: Any, ds: Any, fmt: PixelFormat, n_frames: int, size: int) -> int:
    """Byte offset of native pixel data after the header; -1 when pydicom must decode it.

    ``fp`` stands right after the header. Raises :class:`SkipFile` when the file is shorter
    than its pixel data says, or the pixel data is longer than the header says.
    """
    if fmt.transfer_syntax == DEFLATED_LE:  # the header came from an inflated copy
        return -1
    where = fp.tell()
    head = fp.read(12)
    if head[:4] != PIXEL_DATA_TAG:
        if len(head) < 4:
            raise SkipFile("truncated: the file ends before its pixel data", warn=True)
        return -1  # float pixel data or an odd layout: let pydicom handle it
    if fmt.transfer_syntax not in (EXPLICIT_LE, IMPLICIT_LE) or not fmt.numpy_dtype:
        return -1
    if fmt.transfer_syntax == EXPLICIT_LE and head[4:6] in (b"OB", b"OW"):
        (length,) = struct.unpack("<I", head[8:12])
        start = where + 12
    else:
        (length,) = struct.unpack("<I", head[4:8])
        start = where + 8
    if length == 0xFFFFFFFF:
        return -1
    expected = expected_bytes(ds, n_frames, fmt)
    if length < expected or size < start + expected:
        have = max(0, min(length, size - start))
        raise SkipFile(f"truncated: pixel data has {have} of {expected} bytes", warn=True)
    if reason := length_mismatch(length, ds, n_frames, fmt):
        raise SkipFile(reason, warn=True)
    return start


def transfer_syntax_of(ds: Any) -> str:
    """The transfer syntax the data set of ``ds`` is actually encoded in.

    (0002,0010) Transfer Syntax UID of the file meta, unless it is absent (a bare data set
    without preamble or file meta) or names an uncompressed syntax that contradicts the
    encoding pydicom found while parsing (``original_encoding``): then the encoding found.
    Reading explicit VR data with the lengths of implicit VR took the VR bytes "OW" for a
    length (22351 of 32768 bytes, a "truncated" file that was whole).
    """
    meta = getattr(ds, "file_meta", None)
    declared = str(meta.get("TransferSyntaxUID", "") or "").strip() if meta is not None else ""
    implicit, little = getattr(ds, "original_encoding", (None, None))
    if implicit is None:
        return declared or IMPLICIT_LE
    found = IMPLICIT_LE if implicit else EXPLICIT_LE if little else EXPLICIT_BE
    if declared in ("", IMPLICIT_LE, EXPLICIT_LE, EXPLICIT_BE):
        return found
    return declared


def pixel_format_of(ds: Any, transfer_syntax: str) -> PixelFormat:
    """Stored-value layout and padding of dataset ``ds`` (see :class:`PixelFormat`)."""
    signed = int(ds.get("PixelRepresentation", 0)) == 1
    bits_alloc = int(ds.get("BitsAllocated", 16))

    def as_stored(value: Any) -> int | None:
        if value is None or value == b"" or value == "":
            return None
        if isinstance(value, bytes):
            value = struct.unpack("<h" if signed else "<H", value[:2])[0]
        v = int(value)
        if signed and bits_alloc == 16 and v > 32767:
            v -= 65536
        return v

    return PixelFormat(
        bits_allocated=bits_alloc,
        bits_stored=int(ds.get("BitsStored", bits_alloc)),
        signed=signed,
        padding_value=as_stored(ds.get("PixelPaddingValue")),
        padding_limit=as_stored(ds.get("PixelPaddingRangeLimit")),
        transfer_syntax=transfer_syntax,
        modality_lut_sequence="ModalityLUTSequence" in ds,
    )
