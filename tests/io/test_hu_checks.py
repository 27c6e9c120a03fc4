"""HU plausibility after the modality LUT: images without rescale values, and one slice on
another scale than its neighbours.

Before these checks a series without (0028,1052)/(0028,1053) was read with its stored values
as HU (air at 0: "click ... is outside the brain"), and one file with Rescale Intercept -2024
among -1024 silently changed a thrombus volume.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pydicom
import pytest
from dicom_factory import PIXEL, set_tags, write_stack, write_volume

from strokescope.errors import DicomLoadError
from strokescope.io import load_volume, scan_folder_report
from strokescope.phantom import PhantomOptions, generate_study, write_study
from strokescope.volume import Volume

SHAPE = (12, 40, 48)
HU_WARNINGS = ("neighbouring slices", "Rescale Slope")


def _head(seed: int = 16) -> Volume:
    """Air around an ellipse of brain (30-40 HU) with a skull rim and noise, seeded."""
    rng = np.random.default_rng(seed)
    _z, y, x = np.mgrid[0 : SHAPE[0], 0 : SHAPE[1], 0 : SHAPE[2]]
    r = ((y - SHAPE[1] / 2) / 15) ** 2 + ((x - SHAPE[2] / 2) / 18) ** 2
    arr = np.where(r < 1, 35.0, -1000.0)
    arr[(r >= 0.8) & (r < 1)] = 1200.0
    arr += rng.normal(0, 8, SHAPE).round()
    return Volume.from_array(arr.astype(np.float32), (3.0, *PIXEL), origin=(0.0, 0.0, 0.0))


def _hu_warnings(warnings: tuple[str, ...]) -> list[str]:
    return [w for w in warnings if any(key in w for key in HU_WARNINGS)]


def test_normal_series_raise_no_hu_warning(tmp_path: Path) -> None:
    write_volume(_head(), tmp_path / "head")
    assert _hu_warnings(load_volume(tmp_path / "head").meta.warnings) == []
    steep = write_stack(tmp_path / "ramp", [0, 5, 10, 15, 20], value=lambda y, x, z: 80.0 * z + y)
    assert _hu_warnings(load_volume(steep[0].parent).meta.warnings) == []  # 400 HU/slice


def test_phantoms_raise_no_hu_warning(tmp_path: Path) -> None:
    for seed in (3, 16):
        options = PhantomOptions(seed=seed, hemorrhage="PH", hemorrhage_ml=12).small()
        paths = write_study(generate_study(options), tmp_path / str(seed))
        for folder in (paths.ncct, paths.cta, paths.followup):
            assert folder is not None
            assert _hu_warnings(load_volume(folder).meta.warnings) == [], folder


@pytest.mark.parametrize("k", [0, 5, SHAPE[0] - 1])
def test_one_slice_with_a_shifted_intercept_is_named(tmp_path: Path, k: int) -> None:
    paths = write_volume(_head(), tmp_path)
    set_tags(paths[k], RescaleIntercept="-2024")
    vol = load_volume(tmp_path)
    (warning,) = _hu_warnings(vol.meta.warnings)
    assert warning.startswith(f"file {paths[k]}: its HU differ from the neighbouring slices by")
    assert re.search(r"by -(99\d|100\d) \(median\)", warning)
    assert "Rescale Intercept -2024 (neighbours -1024)" in warning


def _drop_rescale(paths: list[Path], *, store_hu: bool) -> None:
    for path in paths:
        ds = pydicom.dcmread(path)
        if store_hu:  # a writer that stores HU itself (signed, no rescale)
            hu = ds.pixel_array.astype(np.int32) + int(ds.RescaleIntercept)
            ds.PixelData = hu.astype(np.int16).tobytes()
        for keyword in ("RescaleSlope", "RescaleIntercept", "RescaleType"):
            delattr(ds, keyword)
        ds.save_as(path)


def test_no_rescale_on_offset_values_is_refused(tmp_path: Path) -> None:
    _drop_rescale(write_volume(_head(), tmp_path), store_hu=False)
    (series,) = scan_folder_report(tmp_path).series
    assert any("12 of 12 images have no (0028,1053) Rescale Slope" in p for p in series.problems)
    with pytest.raises(DicomLoadError, match=r"cannot be HU \(air at -?\d+ instead of near -1000"):
        load_volume(tmp_path)


def test_no_rescale_on_hu_values_warns_and_loads(tmp_path: Path) -> None:
    reference = _head()
    _drop_rescale(write_volume(reference, tmp_path), store_hu=True)
    vol = load_volume(tmp_path)
    (warning,) = _hu_warnings(vol.meta.warnings)
    assert warning.endswith("their stored values are taken as HU")
    np.testing.assert_array_equal(vol.array, reference.array)
