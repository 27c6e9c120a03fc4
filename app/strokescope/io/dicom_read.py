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

Two caps bound the work one file can cause, whatever its bytes say: a file larger than
:data:`MAX_FILE_BYTES` is skipped before it is parsed, and a header is read from at most
its first :data:`MAX_HEADER_BYTES` (pydicom walks a run of zero bytes as empty elements
at a few MB/s, so a sparse 16 GiB file behind a ``DICM`` preamble took an hour); a header
that does not end within them is skipped too.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any, BinaryIO

from strokescope.io.pydicom_notes import log_only

MAX_NESTING = 64
"""Deepest sequence nesting accepted (SR content trees are far shallower)."""
MAX_REASON = 160
MAX_FILE_BYTES = 4 * 2**30
"""Largest file read (4 GiB): far above one CT instance, even a multi-frame one."""
MAX_HEADER_BYTES = 8 * 2**20
"""Most bytes parsed before (7FE0,0010) Pixel Data (8 MiB): an Enhanced CT of 10,000
frames needs about half of it; a run of zeros this long parses in a few seconds."""


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


class _Capped(io.RawIOBase):
    """A view of an open binary file that ends ``cap`` bytes after where it started.

    Positions (``tell``/``seek``) are those of the underlying file, which moves along.
    """

    def __init__(self, fp: BinaryIO, cap: int) -> None:
        super().__init__()
        self._fp = fp
        self.end = fp.tell() + cap
        self.hit_end = False

    @property
    def name(self) -> Any:
        """The file's name, which pydicom records as the dataset's ``filename``."""
        return getattr(self._fp, "name", None)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        room = self.end - self._fp.tell()
        view = memoryview(buffer).cast("B")
        if room < len(view):
            self.hit_end = True
            view = view[: max(0, room)]
        return self._fp.readinto(view) if len(view) else 0  # type: ignore[attr-defined]

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return self._fp.seek(offset, whence)

    def tell(self) -> int:
        return self._fp.tell()


def _size_of(fp: BinaryIO) -> int:
    try:
        return os.fstat(fp.fileno()).st_size
    except (OSError, AttributeError, io.UnsupportedOperation):
        here = fp.tell()
        size = fp.seek(0, os.SEEK_END)
        fp.seek(here)
        return size


def _gib(n: int) -> str:
    return f"{n / 2**30:.3g} GiB"


def read_dataset(source: Path | BinaryIO, *, stop_before_pixels: bool = True) -> Any:
    """Parse a DICOM file (a path or an open binary file) and convert all its elements.

    Parameters
    ----------
    source
        The file. An open file is read from its current position and left after the
        header (or after the pixel data with ``stop_before_pixels=False``).
    stop_before_pixels
        Stop before (7FE0,0010) Pixel Data (header only; the default). Only then is the
        header read from at most :data:`MAX_HEADER_BYTES`.

    Raises
    ------
    SkipFile
        With ``warn=True`` and a one-line reason when the file is larger than
        :data:`MAX_FILE_BYTES`, its header does not end within :data:`MAX_HEADER_BYTES`,
        it cannot be parsed, any of its elements cannot be converted, or its sequences
        nest too deep.
    OSError
        The file cannot be opened or read.
    """
    if isinstance(source, str | os.PathLike):
        with open(source, "rb") as fp:
            return read_dataset(fp, stop_before_pixels=stop_before_pixels)
    size = _size_of(source)
    if size > MAX_FILE_BYTES:
        raise SkipFile(
            f"file of {_gib(size)}, over the {_gib(MAX_FILE_BYTES)} limit per file; not read",
            warn=True,
        )
    return _parse(source, stop_before_pixels=stop_before_pixels)


def _parse(fp: BinaryIO, *, stop_before_pixels: bool) -> Any:
    import pydicom

    log_only()
    capped = _Capped(fp, MAX_HEADER_BYTES) if stop_before_pixels else None
    try:
        ds = pydicom.dcmread(capped or fp, stop_before_pixels=stop_before_pixels, force=True)
        if capped is not None:  # read as from the open file: no buffer to copy or keep
            ds.buffer, ds.fileobj_type = None, open
        _record_encoding(ds)
        _convert_all(ds)
    except SkipFile:
        raise
    except OSError as exc:
        if exc.errno is not None:  # a real I/O error; pydicom's parse errors carry none
            raise
        raise _unreadable(exc, capped) from exc
    except Exception as exc:  # any failure to parse an untrusted file means "skip it"
        raise _unreadable(exc, capped) from exc
    if capped is not None and capped.hit_end and fp.tell() >= capped.end:
        raise _too_long()
    return ds


def _record_encoding(ds: Any) -> None:
    """Make ``ds.original_encoding`` say how the data set was parsed.

    pydicom reports the encoding of the file meta's Transfer Syntax UID even when it found
    the other VR encoding in the data and read that ("Expected implicit VR, but found
    explicit VR"); its raw elements know what was read.
    """
    from pydicom.dataelem import RawDataElement

    for tag in list(ds.keys()):  # keys: iterating ds itself would convert every element
        raw = ds.get_item(tag)
        if isinstance(raw, RawDataElement):
            ds.set_original_encoding(raw.is_implicit_VR, raw.is_little_endian)
            return


def _unreadable(exc: BaseException, capped: _Capped | None) -> SkipFile:
    """The :class:`SkipFile` for a parse failure, named by its root cause (pydicom turns
    e.g. a ``RecursionError`` inside a read into an ``OSError``)."""
    if capped is not None and capped.hit_end:
        return _too_long()
    root = exc
    while (inner := root.__cause__ or root.__context__) is not None:
        root = inner
    return SkipFile(f"unreadable DICOM ({_reason(root)})", warn=True)


def _too_long() -> SkipFile:
    return SkipFile(
        f"header longer than {MAX_HEADER_BYTES / 2**20:g} MiB (the limit) or no end of "
        "header found; not read",
        warn=True,
    )
