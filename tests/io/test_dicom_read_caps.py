"""The tolerant reader bounds the work one file can cause: a file over the size limit is not
read, a header is parsed from at most ``MAX_HEADER_BYTES``. Before the caps a sparse 16 GiB
file behind a ``DICM`` preamble kept the scan busy for about an hour."""

from __future__ import annotations

import contextlib
import copy
import logging
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from dicom_factory import write_stack

from strokescope.io import dicom_read, load_volume, scan_folder_report
from strokescope.io.dicom_read import SkipFile, read_dataset
from strokescope.outputs.source_refs import read_source_headers


def _sparse(path: Path, size: int) -> Path:
    with path.open("wb") as f:
        f.write(b"\0" * 128 + b"DICM")
        f.truncate(size)  # sparse: nothing on disk
    return path


@contextlib.contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Raise ``TimeoutError`` in the test after ``seconds`` (a hang fails, not blocks)."""

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_sparse_16gib_file_is_skipped_at_once(tmp_path: Path) -> None:
    write_stack(tmp_path, [0, 2, 4, 6])
    huge = _sparse(tmp_path / "HUGE.dcm", 16 * 2**30)
    with deadline(20):
        report = scan_folder_report(tmp_path)
    assert [s.n_slices for s in report.series] == [4]
    (warning,) = report.warnings
    assert (
        warning == f"file {huge}: file of 16 GiB, over the 4 GiB limit per file; not read; skipped"
    )
    vol = load_volume(tmp_path)  # the export's re-read passes over it as well
    headers = read_source_headers(vol)
    assert headers is not None and len(headers) == 4


def test_zeros_after_preamble_stop_at_the_header_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dicom_read, "MAX_HEADER_BYTES", 2**16)
    zeros = _sparse(tmp_path / "ZEROS.dcm", 2**30)  # under the size limit
    with deadline(20), pytest.raises(SkipFile, match="header longer than 0.0625 MiB"):
        read_dataset(zeros)


def test_header_within_the_cap_reads_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (path,) = write_stack(tmp_path, [0])
    size = path.stat().st_size
    assert dicom_read.MAX_FILE_BYTES == 4 * 2**30
    monkeypatch.setattr(dicom_read, "MAX_HEADER_BYTES", 2000)  # < file, > header
    assert size > 2000
    ds = read_dataset(path)
    assert ds.filename == str(path) and "PixelData" not in ds and ds.Rows == 20
    with path.open("rb") as fp:
        read_dataset(fp)
        assert fp.read(4) == b"\xe0\x7f\x10\x00"  # left right before the pixel data
    monkeypatch.setattr(dicom_read, "MAX_FILE_BYTES", size - 1)
    with pytest.raises(SkipFile, match="limit per file"):
        read_dataset(path)


def test_a_header_copies_without_a_note(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (path,) = write_stack(tmp_path, [0])
    ds = read_dataset(path)
    with caplog.at_level(logging.WARNING, logger="pydicom"):
        copied = copy.deepcopy(ds)  # the export repairs copies of the source headers
    assert caplog.records == [] and copied.filename == str(path) and copied.buffer is None
