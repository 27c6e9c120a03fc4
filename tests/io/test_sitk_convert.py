"""NIfTI/MHA headers outside the geometry limits are refused before any pixel is read."""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from dicom_factory import random_volume

from strokescope.cli import main
from strokescope.errors import GeometryError
from strokescope.io.sitk_convert import (
    image_file_info,
    read_mask,
    read_volume,
    write_mask,
    write_volume,
)
from strokescope.volume import Mask

READERS: list[Callable[[Path], object]] = [read_volume, read_mask, image_file_info]


@pytest.fixture
def mha(tmp_path: Path) -> Path:
    """A small uncompressed MHA image (its header is text)."""
    path = tmp_path / "ct.mha"
    vol = random_volume(4, seed=5, shape_yx=(5, 6))
    write_volume(vol, path)
    return path


def _edit_header(path: Path, key: str, value: str) -> Path:
    lines = path.read_bytes().split(b"\n")
    k = next(i for i, line in enumerate(lines) if line.startswith(key.encode() + b" = "))
    lines[k] = f"{key} = {value}".encode()
    out = path.with_name(f"{key}.mha")
    out.write_bytes(b"\n".join(lines))
    return out


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        ("DimSize", "60000 50000 40000", "would need 40000 x 50000 x 60000 voxels"),
        ("ElementSpacing", "1e6 0.7 2", r"pixel spacing 0.7 x 1e\+06 mm is outside"),
        ("ElementSpacing", "0.8 0.7 1e-9", "slice spacing 1e-09 mm is outside 0.05-20 mm"),
        ("TransformMatrix", "1 0.3 0 0 1 0 0 0 1", "direction matrix is not orthonormal"),
        ("TransformMatrix", "0 0 0 0 1 0 0 0 1", "direction matrix is not orthonormal"),
        ("TransformMatrix", "1 0 0 0 1 0 0 0.8 0.6", "slice axis tilted by 53.1 deg"),
        ("Offset", "0 0 1e9", r"origin \(0, 0, 1e\+09\) is not within 5 m"),
    ],
)
def test_an_mha_header_outside_the_limits_is_refused(
    mha: Path, key: str, value: str, reason: str
) -> None:
    bad = _edit_header(mha, key, value)
    for read in READERS:
        with pytest.raises(GeometryError, match=f"^{bad}: .*{reason}.*; refused$"):
            read(bad)


def test_a_nifti_asking_for_terabytes_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ct.nii"
    write_volume(random_volume(4, seed=6, shape_yx=(5, 6)), path)
    raw = bytearray(path.read_bytes())
    struct.pack_into("<3h", raw, 42, 30000, 30000, 30000)  # dim[1..3]
    path.write_bytes(bytes(raw))
    for read in READERS:
        with pytest.raises(GeometryError, match="would need 30000 x 30000 x 30000 voxels"):
            read(path)


def test_files_within_the_limits_still_read(mha: Path) -> None:
    vol = read_volume(mha)
    assert vol.shape == (4, 5, 6) and vol.spacing == pytest.approx((2.0, 0.8, 0.7))
    mask_path = write_mask(Mask(vol.array > 0, vol.geometry), mha.with_name("m.nii.gz"))
    mask = read_mask(mask_path)
    np.testing.assert_array_equal(mask.array, vol.array > 0)


def test_cli_on_a_refused_image_file_ends_with_one_line(
    mha: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = _edit_header(mha, "ElementSpacing", "0 0.7 2")
    for argv in (["info", str(bad)], ["ht", "--ncct", str(bad), "--click", "z=1 y=1 x=1"]):
        assert main(argv) == 2
        lines = capsys.readouterr().err.strip().splitlines()
        assert lines == [
            f"strokescope {argv[0]}: error: {bad}: pixel spacing 0.7 x 0 mm is "
            "outside 0.05-10 mm; refused"
        ]
