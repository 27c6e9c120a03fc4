"""load_series / load_volume: ordering, HU, metadata and every repaired or refused fault."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pydicom
import pytest
from dicom_factory import (
    PIXEL,
    duplicate_file,
    enhanced_ct,
    ramp_hu,
    random_volume,
    set_tags,
    write_stack,
    write_volume,
)

from strokescope.errors import GeometryError, InputError
from strokescope.io import load_series, load_volume, scan_folder
from strokescope.io.sitk_convert import write_volume as write_nifti
from strokescope.volume import Volume


def _truth(zs: list[float]) -> np.ndarray:
    j, i = np.mgrid[0:20, 0:24].astype(float)
    return np.stack([ramp_hu(j * PIXEL[0], i * PIXEL[1], z) for z in zs]).astype(np.float32)


def test_shuffled_file_names_and_reversed_instance_numbers(tmp_path: Path) -> None:
    vol = random_volume(10, seed=2)
    paths = write_volume(vol, tmp_path)
    rng = np.random.default_rng(7)
    names = rng.permutation(len(paths))
    for k, path in enumerate(paths):
        set_tags(path, InstanceNumber=len(paths) - k)
        path.rename(tmp_path / f"x{names[k]:03d}")
    out = load_volume(tmp_path)
    np.testing.assert_array_equal(out.array, vol.array)
    assert out.origin == pytest.approx(vol.origin)
    expected = [pydicom.dcmread(p).SOPInstanceUID for p in sorted(tmp_path.iterdir())]
    positions = [
        float(pydicom.dcmread(p).ImagePositionPatient[2]) for p in sorted(tmp_path.iterdir())
    ]
    assert list(out.meta.sop_instance_uids) == [expected[i] for i in np.argsort(positions)]
    assert out.meta.warnings == ()


def test_slices_stored_head_to_feet_come_out_ascending(tmp_path: Path) -> None:
    vol = random_volume(6, seed=4)
    flipped = Volume.from_array(
        vol.array[::-1],
        vol.spacing,
        origin=vol.geometry.index_to_lps((5, 0, 0)),
        direction=((0.0, 0.0, 1.0), (0.0, 1.0, 0.0), (-1.0, 0.0, 0.0)),
    )
    write_volume(flipped, tmp_path)
    out = load_volume(tmp_path)
    np.testing.assert_array_equal(out.array, vol.array)
    assert out.origin == pytest.approx(vol.origin) and out.direction == vol.direction


@pytest.mark.parametrize(
    ("dropped", "text"),
    [
        ([10.0], "1 slice(s) missing between z=8.0 and z=12.0 mm"),
        ([10.0, 12.0, 14.0], "3 slice(s) missing between z=8.0 and z=16.0 mm"),
    ],
)
def test_missing_slices_interpolate_or_refuse(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, dropped: list[float], text: str
) -> None:
    zs = [2.0 * k for k in range(12)]
    write_stack(tmp_path, [z for z in zs if z not in dropped])
    (info,) = scan_folder(tmp_path)
    assert info.problems == (f"series {info.key}: {text}",)
    with caplog.at_level(logging.WARNING, logger="strokescope.io"):
        vol = load_series(info)
    assert vol.shape == (12, 20, 24) and vol.spacing[0] == pytest.approx(2.0)
    np.testing.assert_allclose(vol.array, _truth(zs), atol=1e-3)
    assert vol.meta.warnings == (
        f"series {info.key}: {text}; interpolated onto a uniform 2.0 mm grid",
    )
    assert vol.meta.warnings[0] in caplog.text
    with pytest.raises(GeometryError) as err:
        load_series(info, missing="refuse")
    assert str(err.value) == f"series {info.key}: {text}; refused (missing='refuse')"
    with pytest.raises(InputError, match="missing='skip'"):
        load_series(info, missing="skip")


def test_non_uniform_spacing_is_resampled(tmp_path: Path) -> None:
    zs = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 7.0, 9.0, 11.0, 13.0]
    write_stack(tmp_path, zs)
    vol = load_volume(tmp_path)
    assert vol.shape[0] == 14 and vol.spacing[0] == pytest.approx(1.0)
    np.testing.assert_allclose(vol.array, _truth([float(z) for z in range(14)]), atol=1e-3)
    (warning,) = vol.meta.warnings
    assert warning.endswith(
        "non-uniform slice spacing (1.0 to 2.0 mm); resampled to a uniform 1.0 mm"
    )
    assert vol.meta.resampled is True


def test_duplicate_positions_keep_one(tmp_path: Path) -> None:
    paths = write_stack(tmp_path, [0.0, 2.0, 4.0, 6.0])
    duplicate_file(paths[2], tmp_path / "dup.dcm")
    vol = load_volume(tmp_path)
    assert vol.shape[0] == 4
    np.testing.assert_allclose(vol.array, _truth([0.0, 2.0, 4.0, 6.0]))
    (warning,) = vol.meta.warnings
    assert warning.endswith(
        "1 duplicate slice position(s) (first at z=4.0 mm); kept one image per position"
    )
    assert pydicom.dcmread(paths[2]).SOPInstanceUID in vol.meta.sop_instance_uids


def test_rescale_slope_and_intercept(tmp_path: Path) -> None:
    vol = random_volume(4, seed=9)
    paths = write_volume(vol, tmp_path)
    for k, path in enumerate(paths):
        ds = pydicom.dcmread(path)
        slope, intercept = 0.5, -1000.0 - k
        stored = np.rint((vol.array[k] - intercept) / slope).astype(np.int16)
        ds.PixelData = stored.tobytes()
        ds.RescaleSlope, ds.RescaleIntercept = slope, intercept
        ds.save_as(path, enforce_file_format=True)
    out = load_volume(tmp_path)
    np.testing.assert_array_equal(out.array, vol.array)


def test_pixel_padding_value_becomes_air(tmp_path: Path) -> None:
    vol = random_volume(3, seed=11)
    paths = write_volume(vol, tmp_path)
    pad = np.zeros(vol.shape[1:], bool)
    pad[:3, :] = True
    for path in paths:
        ds = pydicom.dcmread(path)
        stored = ds.pixel_array.copy()
        stored[pad] = -2000
        ds.PixelData = stored.tobytes()
        ds.add_new(0x00280120, "SS", -2000)
        ds.save_as(path, enforce_file_format=True)
    out = load_volume(tmp_path)
    assert np.all(out.array[:, pad] == -1024.0)
    np.testing.assert_array_equal(out.array[:, ~pad], vol.array[:, ~pad])
    assert np.all(load_series(scan_folder(tmp_path)[0], padding_hu=-3000.0).array[:, pad] == -3000)


def test_enhanced_multiframe_ct(tmp_path: Path) -> None:
    vol = random_volume(7, seed=13)
    order = [3, 0, 6, 1, 5, 2, 4]
    intercepts = [-1024.0 if f % 2 else -1000.0 for f in range(7)]
    enhanced_ct(vol, tmp_path / "mf.dcm", frame_order=order, intercepts=intercepts)
    (info,) = scan_folder(tmp_path)
    assert info.multi_frame and info.n_slices == 7 and info.kernel == "Qr40"
    out = load_series(info)
    np.testing.assert_array_equal(out.array, vol.array)
    assert out.origin == pytest.approx(vol.origin) and out.spacing == pytest.approx(vol.spacing)
    assert out.meta.extra["frame_numbers"] == tuple(order.index(k) + 1 for k in range(7))


def test_metadata_from_headers(tmp_path: Path) -> None:
    write_stack(
        tmp_path,
        [0.0, 1.25, 2.5],
        description="CTA HEAD",
        kernel="Hv36",
        contrast_agent="IOMEPROL",
        patient_id="PID9",
        patient_name="DOE^JANE",
        study_date="20250317",
    )
    vol = load_volume(tmp_path)
    ds = pydicom.dcmread(sorted(tmp_path.iterdir())[0])
    m = vol.meta
    assert (m.series_uid, m.study_uid) == (ds.SeriesInstanceUID, ds.StudyInstanceUID)
    assert m.frame_of_reference_uid == ds.FrameOfReferenceUID
    assert (m.description, m.kernel, m.contrast_agent) == ("CTA HEAD", "Hv36", "IOMEPROL")
    assert (m.patient_id, m.patient_name, m.study_date) == ("PID9", "DOE^JANE", "20250317")
    assert m.slice_thickness_mm == pytest.approx(1.0) and m.gantry_tilt_deg == 0.0
    assert m.source == str(tmp_path) and m.has_contrast and len(m.sop_instance_uids) == 3


def test_single_file_path_loads_its_series_and_nifti_goes_through_sitk(tmp_path: Path) -> None:
    paths = write_stack(tmp_path / "dcm", [0.0, 2.0, 4.0])
    vol = load_volume(paths[1])
    assert vol.shape == (3, 20, 24)
    nifti = write_nifti(vol, tmp_path / "vol.nii.gz")
    back = load_volume(nifti)
    np.testing.assert_allclose(back.array, vol.array)
    assert back.origin == pytest.approx(vol.origin)


def test_progress_is_monotonic(tmp_path: Path) -> None:
    write_stack(tmp_path, [0.0, 2.0, 6.0, 8.0])
    seen: list[float] = []
    load_volume(tmp_path, on_progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == pytest.approx(1.0) and len(seen) >= 3
