"""The one tolerant reader of DICOM files: a dataset, or :class:`SkipFile` with a reason.

Every header the package parses goes through :func:`read_dataset`: the folder scan
(:mod:`strokescope.io.dicom_headers`), the pixel decoder (:mod:`strokescope.io.dicom_pixels`)
and the export's re-read of the source headers (:mod:`strokescope.outputs.source_refs`).
A file from the wild can fail in many ways: an unknown VR after a flipped byte
(``NotImplementedError``), a corrupt deflated stream (``zlib.error``), sequences nested
thousands of levels deep (``RecursionError``), values that do not parse. pydicom converts
elements lazily, so such a failure could surface long after the file was "read" (in the
middle of an export); the reader therefore converts every element up front, walking nested
sequences without recursion and refusing more than :data:`MAX_NESTING` levels. Whatever goes
wrong becomes one :class:`SkipFile` whose reason names the failure; the caller skips the
file with a warning and goes on with the rest of the folder.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, BinaryIO

from strokescope.io.pydicom_notes import log_only

MAX_NESTING = 64
"""Deepest sequence nesting accepted (SR content trees are far shallower)."""
MAX_REASON = 160


class SkipFile(Exception):
    """A file that is not part of any volume; ``warn`` says whether the user should hear."""

    def __init__(self, reason: str, *, warn: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.warn = warn


def looks_like_dicom(head: bytes) -> bool:
    """Does a file that starts with ``head`` (>= 132 bytes read) look like DICOM?

    True for Part-10 files ("DICM" at offset 128) and for bare little-endian datasets that
    start with a group 0x0008 or 0x0002 element (old files written without a preamble).
    """
    if len(head) >= 132 and head[128:132] == b"DICM":
        return True
    return len(head) >= 8 and head[:2] in (b"\x08\x00", b"\x02\x00") and head[3:4] == b"\x00"


def _reason(exc: BaseException) -> str:
    """``Type: first line of the message``, shortened to one line."""
    kind = type(exc).__name__
    if type(exc).__module__ not in ("builtins", "__main__"):
        kind = f"{type(exc).__module__.split('.')[0]}.{kind}"
    lines = str(exc).strip().splitlines()
    text = f"{kind}: {lines[0]}" if lines else kind
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 1] + "~"


def _convert_all(ds: Any) -> None:
    """Convert every element of ``ds`` (nested items too), iteratively.

    Raises :class:`SkipFile` for sequences nested deeper than :data:`MAX_NESTING`; lets the
    conversion errors of pydicom propagate.
    """
    pending: list[tuple[Any, int]] = [(ds, 0)]
    while pending:
        item, depth = pending.pop()
        for tag in list(item.keys()):
            elem = item[tag]  # converts a raw element: VR, value and nested items
            if elem.VR == "SQ" and elem.value:
                if depth >= MAX_NESTING:
                    raise SkipFile(
                        f"unreadable DICOM (sequences nested deeper than {MAX_NESTING} levels)",
                        warn=True,
                    )
                pending.extend((sub, depth + 1) for sub in elem.value)


def read_dataset(source: Path | BinaryIO, *, stop_before_pixels: bool = True) -> Any:
    """Parse a DICOM file (a path or an open binary file) and convert all its elements.

    Parameters
    ----------
    source
        The file. An open file is read from its current position and left after the
        header (or after the pixel data with ``stop_before_pixels=False``).
    stop_before_pixels
        Stop before (7FE0,0010) Pixel Data (header only; the default).

    Raises
    ------
    SkipFile
        With ``warn=True`` and a one-line reason when the file cannot be parsed, any of its
        elements cannot be converted, or its sequences nest too deep.
    OSError
        The file cannot be opened or read.
    """
    import pydicom

    log_only()
    try:
        ds = pydicom.dcmread(source, stop_before_pixels=stop_before_pixels, force=True)
        _convert_all(ds)
    except SkipFile:
        raise
    except OSError:
        raise
    except Exception as exc:  # any failure to parse an untrusted file means "skip it"
        raise SkipFile(f"unreadable DICOM ({_reason(exc)})", warn=True) from exc
    return ds
