"""Compressed transfer syntaxes decode to exactly the original HU.

RLE, JPEG 2000 and JPEG-LS files are written with pydicom's ``Dataset.compress`` (JPEG 2000
via pylibjpeg-openjpeg, JPEG-LS via pyjpegls); JPEG Lossless (processes 14 and 14 SV1) and a
second JPEG-LS flavour with dcmtk (Debian package ``dcmtk``), skipped when it is absent.
"""

from __future__ import annotations

import importlib.util
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from dicom_factory import compress_with_dcmtk, compress_with_pydicom, random_volume, write_volume
from pydicom.uid import (
    JPEG2000Lossless,
    JPEGLosslessSV1,
    JPEGLSLossless,
    RLELossless,
)

from strokescope.io import load_volume, scan_folder

needs_dcmtk = pytest.mark.skipif(shutil.which("dcmcjpeg") is None, reason="dcmtk not installed")
needs_pyjpegls = pytest.mark.skipif(
    importlib.util.find_spec("jpeg_ls") is None, reason="pyjpegls not installed"
)

Encoder = Callable[[list[Path]], None]
CASES: list[tuple[str, str, Encoder, list[pytest.MarkDecorator]]] = [
    ("rle", RLELossless, lambda p: compress_with_pydicom(p, RLELossless), []),
    ("j2k", JPEG2000Lossless, lambda p: compress_with_pydicom(p, JPEG2000Lossless), []),
    ("jls", JPEGLSLossless, lambda p: compress_with_pydicom(p, JPEGLSLossless), [needs_pyjpegls]),
    ("jls-dcmtk", JPEGLSLossless, lambda p: compress_with_dcmtk(p, "dcmcjpls"), [needs_dcmtk]),
    ("jpeg-sv1", JPEGLosslessSV1, lambda p: compress_with_dcmtk(p, "dcmcjpeg"), [needs_dcmtk]),
    (
        "jpeg-14",
        "1.2.840.10008.1.2.4.57",
        lambda p: compress_with_dcmtk(p, "dcmcjpeg", "--encode-lossless"),
        [needs_dcmtk],
    ),
]


@pytest.mark.parametrize(
    ("syntax", "encode"),
    [pytest.param(s, e, id=name, marks=marks) for name, s, e, marks in CASES],
)
def test_compressed_series_decode_to_the_original_hu(
    tmp_path: Path, syntax: str, encode: Encoder
) -> None:
    vol = random_volume(4, seed=21, shape_yx=(64, 64))
    encode(write_volume(vol, tmp_path))
    (info,) = scan_folder(tmp_path)
    assert info.transfer_syntax == syntax
    assert all(f.pixel_offset == -1 for f in info.frames)  # decoded, not read raw
    out = load_volume(tmp_path)
    assert out.meta.extra["transfer_syntax"] == syntax
    np.testing.assert_array_equal(out.array, vol.array)
    assert out.meta.warnings == ()


def test_big_endian_and_implicit_little_endian(tmp_path: Path) -> None:
    import pydicom
    from pydicom.filewriter import dcmwrite
    from pydicom.uid import ExplicitVRBigEndian, ImplicitVRLittleEndian

    vol = random_volume(4, seed=23)
    for name, syntax in (("be", ExplicitVRBigEndian), ("il", ImplicitVRLittleEndian)):
        for path in write_volume(vol, tmp_path / name):
            ds = pydicom.dcmread(path)
            ds.PixelData = ds.pixel_array.astype(">i2" if name == "be" else "<i2").tobytes()
            ds.file_meta.TransferSyntaxUID = syntax
            dcmwrite(
                path, ds, implicit_vr=name == "il", little_endian=name != "be", force_encoding=True
            )
        (info,) = scan_folder(tmp_path / name)
        assert info.transfer_syntax == syntax
        assert all((f.pixel_offset >= 0) == (name == "il") for f in info.frames)
        np.testing.assert_array_equal(load_volume(tmp_path / name).array, vol.array)


def test_corrupt_compressed_frame_is_a_one_line_error(tmp_path: Path) -> None:
    import pydicom
    from pydicom.encaps import encapsulate

    from strokescope.errors import DicomLoadError

    vol = random_volume(3, seed=25, shape_yx=(64, 64))
    paths = write_volume(vol, tmp_path)
    compress_with_pydicom(paths, JPEG2000Lossless)
    ds = pydicom.dcmread(paths[1])
    ds.PixelData = encapsulate([np.random.default_rng(0).bytes(800)])
    ds.save_as(paths[1], enforce_file_format=True)
    with pytest.raises(DicomLoadError) as err:
        load_volume(tmp_path)
    assert str(err.value).startswith(f"file {paths[1]}: cannot decode pixel data")
    assert "\n" not in str(err.value)
