"""Byte-level damage to DICOM files written by dicom_factory (Explicit VR Little Endian).

Each function changes one file in place the way a fuzzer or a broken writer does: a flipped
VR byte, an element pydicom would refuse to write, sequences nested thousands deep, a corrupt
deflated stream. Elements are spliced in just before (7FE0,0010) Pixel Data, where pydicom
reads them like any other (it does not check the order of tags).
"""

from __future__ import annotations

import struct
from pathlib import Path

import pydicom
from pydicom.uid import DeflatedExplicitVRLittleEndian

PIXEL_DATA = b"\xe0\x7f\x10\x00"
ITEM, ITEM_END, SEQ_END = b"\xfe\xff\x00\xe0", b"\xfe\xff\x0d\xe0", b"\xfe\xff\xdd\xe0"
UNDEFINED = b"\xff\xff\xff\xff"
CONTENT_SEQUENCE = b"\x40\x00\x30\xa7"  # (0040,A730)


def _tag(keyword: str) -> bytes:
    tag = pydicom.datadict.tag_for_keyword(keyword)
    assert tag is not None, keyword
    return struct.pack("<HH", tag >> 16, tag & 0xFFFF)


def _splice_before_pixels(path: Path, element: bytes) -> None:
    data = path.read_bytes()
    at = data.rindex(PIXEL_DATA)
    path.write_bytes(data[:at] + element + data[at:])


def flip_vr(path: Path, keyword: str) -> None:
    """Flip the lowest bit of the second VR byte of ``keyword`` ("PN" becomes "PO")."""
    data = bytearray(path.read_bytes())
    at = data.index(_tag(keyword))
    data[at + 5] ^= 0x01
    path.write_bytes(bytes(data))


def add_short_element(path: Path, keyword: str, vr: str, value: bytes) -> None:
    """Add ``keyword`` with a raw (possibly invalid) value of a short-length VR."""
    if len(value) % 2:
        value += b" "
    element = _tag(keyword) + vr.encode() + struct.pack("<H", len(value)) + value
    _splice_before_pixels(path, element)


def nest_sequences(path: Path, depth: int) -> None:
    """Add a (0040,A730) Content Sequence nested ``depth`` levels (undefined lengths)."""
    opening = CONTENT_SEQUENCE + b"SQ\x00\x00" + UNDEFINED + ITEM + UNDEFINED
    closing = ITEM_END + b"\x00" * 4 + SEQ_END + b"\x00" * 4
    _splice_before_pixels(path, opening * depth + closing * depth)


def corrupt_deflated(path: Path) -> None:
    """Re-write as Deflated Explicit VR Little Endian, then garble the deflated stream."""
    ds = pydicom.dcmread(path)
    ds.file_meta.TransferSyntaxUID = DeflatedExplicitVRLittleEndian
    ds.save_as(path, enforce_file_format=True)
    data = bytearray(path.read_bytes())
    (meta_length,) = struct.unpack("<I", data[140:144])  # (0002,0000) after the preamble
    start = 144 + meta_length + 16
    for k in range(start, start + 64):
        data[k] ^= 0xA5
    path.write_bytes(bytes(data))
