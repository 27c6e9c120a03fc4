"""A bare data set (no preamble, no file meta) is read in the encoding pydicom finds in it.

The scan took such a file to be Implicit VR Little Endian (the default when (0002,0010)
Transfer Syntax UID is absent) and read the "OW" VR bytes of an explicit Pixel Data element
as its length: "truncated: pixel data has 22351 of ... bytes" for a whole file.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pydicom
import pytest
from dicom_factory import write_stack

from strokescope.io import load_volume, scan_folder_report
from strokescope.io.dicom_pixels import read_frames


def _bare(path: Path, *, implicit: bool) -> None:
    ds = pydicom.dcmread(path)
    del ds.file_meta
    ds.preamble = None
    pydicom.dcmwrite(path, ds, implicit_vr=implicit, little_endian=True)
    assert path.read_bytes()[128:132] != b"DICM"


@pytest.mark.parametrize("implicit", [False, True])
def test_bare_dataset_is_read_whole(tmp_path: Path, implicit: bool) -> None:
    zs = [0, 2, 4, 6, 8]
    reference = load_volume(Path(write_stack(tmp_path / "ref", zs)[0]).parent).array
    paths = write_stack(tmp_path / "ct", zs)
    _bare(paths[2], implicit=implicit)
    report = scan_folder_report(tmp_path / "ct")
    assert report.warnings == ()
    (series,) = report.series
    assert series.n_slices == 5
    vol = load_volume(tmp_path / "ct")
    np.testing.assert_array_equal(vol.array, reference)
    # the decoder (pydicom) reads it too, not only the native reader
    decoded = [replace(f, pixel_offset=-1) for f in series.frames]
    stack = read_frames(decoded, series.pixel_format, (series.rows, series.columns))
    np.testing.assert_array_equal(np.sort(stack, axis=0), np.sort(reference, axis=0))


def test_meta_saying_implicit_over_explicit_data_is_read_whole(tmp_path: Path) -> None:
    zs = [0, 2, 4, 6, 8]
    reference = load_volume(Path(write_stack(tmp_path / "ref", zs)[0]).parent).array
    paths = write_stack(tmp_path / "ct", zs)
    data = paths[2].read_bytes()
    at = data.index(b"1.2.840.10008.1.2.1\0", 132)  # (0002,0010) in the file meta
    paths[2].write_bytes(data[:at] + b"1.2.840.10008.1.2\0\0\0" + data[at + 20 :])
    (series,) = scan_folder_report(tmp_path / "ct").series
    assert series.n_slices == 5
    assert any("Expected implicit VR, but found explicit VR" in p for p in series.problems)
    np.testing.assert_array_equal(load_volume(tmp_path / "ct").array, reference)
    decoded = [replace(f, pixel_offset=-1) for f in series.frames]
    stack = read_frames(decoded, series.pixel_format, (series.rows, series.columns))
    np.testing.assert_array_equal(np.sort(stack, axis=0), np.sort(reference, axis=0))
