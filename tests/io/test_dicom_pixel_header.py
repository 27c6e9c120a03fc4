"""Pixel data and modality LUT values that do not fit the header: a file skipped with a
warning or a one-line error, never a silently wrong volume."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pydicom
import pytest
from dicom_factory import PIXEL, ramp_hu, set_tags, write_stack
from pydicom.uid import DeflatedExplicitVRLittleEndian

from strokescope.cli import main
from strokescope.errors import DicomLoadError
from strokescope.io import load_volume, scan_folder_report
from strokescope.io.sitk_convert import write_volume as write_nifti
from strokescope.volume import Volume

ZS = [0.0, 2.0, 4.0, 6.0, 8.0]
Mutation = Callable[[Path], None]

ONE_FILE: dict[str, tuple[Mutation, str]] = {
    "Rows halved": (
        lambda p: set_tags(p, Rows=10),
        "pixel data does not match the header (960 bytes; Rows x Columns x frames x Bits "
        "Allocated 10 x 24 x 1 x 16 needs 480)",
    ),
    "Rows 0": (lambda p: set_tags(p, Rows=0), "malformed image header (Rows x Columns 0 x 24)"),
    "Bits Allocated 8 on 16-bit data": (
        lambda p: set_tags(p, BitsAllocated=8, BitsStored=8, HighBit=7),
        "pixel data does not match the header (960 bytes; Rows x Columns x frames x Bits "
        "Allocated 20 x 24 x 1 x 8 needs 480)",
    ),
    "slope NaN": (
        lambda p: set_tags(p, RescaleSlope="NaN"),
        "malformed image header (Rescale Slope nan, Rescale Intercept -1024: limits",
    ),
    "huge intercept": (
        lambda p: set_tags(p, RescaleIntercept="1e30"),
        "malformed image header (Rescale Slope 1, Rescale Intercept 1e+30: limits",
    ),
}


def _truth(zs: list[float]) -> np.ndarray:
    j, i = np.mgrid[0:20, 0:24].astype(float)
    return np.stack([ramp_hu(j * PIXEL[0], i * PIXEL[1], z) for z in zs]).astype(np.float32)


@pytest.mark.parametrize("name", list(ONE_FILE))
def test_a_file_whose_pixels_do_not_fit_its_header_is_skipped(name: str, tmp_path: Path) -> None:
    mutate, reason = ONE_FILE[name]
    paths = write_stack(tmp_path, ZS)
    mutate(paths[2])
    report = scan_folder_report(tmp_path)
    assert [w for w in report.warnings if str(paths[2]) in w] == [
        next(w for w in report.warnings if w.startswith(f"file {paths[2]}: {reason}"))
    ]
    vol = load_volume(tmp_path)  # the slice is interpolated from its neighbours, and said so
    np.testing.assert_allclose(vol.array, _truth(ZS), atol=1e-3)
    assert any("1 slice(s) missing between z=2.0 and z=6.0 mm" in w for w in vol.meta.warnings)


def test_every_file_mismatched_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for path in write_stack(tmp_path, ZS):
        set_tags(path, Rows=10)
    assert main(["ht", "--ncct", str(tmp_path), "--click", "z=2 y=5 x=5"]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line == (
        f"strokescope ht: error: folder {tmp_path}: no DICOM image series found "
        "(5 pixel data does not match the header)"
    )


def test_eight_bit_pixels_load(tmp_path: Path) -> None:
    zs = [0.0, 1.0, 2.0, 3.0]
    for path in write_stack(tmp_path, zs, value=lambda y, x, z: 10.0 * z + 0.0 * y):
        ds = pydicom.dcmread(path)
        stored = (ds.pixel_array.astype(np.int32) + int(ds.RescaleIntercept)).astype(np.int8)
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 8, 8, 7, 1
        ds.RescaleIntercept = 0
        ds.PixelData = stored.tobytes()
        ds.save_as(path, enforce_file_format=True)
    vol = load_volume(tmp_path)
    np.testing.assert_array_equal(vol.array[:, 0, 0], [0.0, 10.0, 20.0, 30.0])


def test_deflated_files_load_and_a_mismatch_among_them_is_one_line(tmp_path: Path) -> None:
    paths = write_stack(tmp_path, ZS)
    for path in paths:
        ds = pydicom.dcmread(path)
        ds.file_meta.TransferSyntaxUID = DeflatedExplicitVRLittleEndian
        ds.save_as(path, enforce_file_format=True)
    np.testing.assert_allclose(load_volume(tmp_path).array, _truth(ZS), atol=1e-3)
    for path in paths:  # one stack of 10 x 24 images holding 20 x 24 pixels each
        set_tags(path, Rows=10)
    with pytest.raises(DicomLoadError) as err:
        load_volume(tmp_path)
    assert re.fullmatch(
        rf"file {re.escape(str(tmp_path))}/IM0000\d\.dcm: pixel data does not match the header "
        r"\(960 bytes; Rows x Columns x frames x Bits Allocated 10 x 24 x 1 x 16 needs 480\)",
        str(err.value),
    )


def test_fewer_than_three_distinct_slices_is_a_one_line_error(tmp_path: Path) -> None:
    paths = write_stack(tmp_path / "dicom", ZS)
    for path in paths:
        set_tags(path, ImagePositionPatient=[0.0, 0.0, 0.0])
    with pytest.raises(DicomLoadError, match=r": 1 distinct slice position\(s\); a 3-D volume"):
        load_volume(tmp_path / "dicom")
    image = tmp_path / "slice.nii.gz"
    write_nifti(Volume.from_array(np.zeros((1, 8, 8), np.float32), (1.0, 1.0, 1.0)), image)
    with pytest.raises(DicomLoadError) as err:
        load_volume(image)
    assert str(err.value) == (
        f"{image}: 1 distinct slice position(s); a 3-D volume of at least 3 slices is needed"
    )
