"""Loading DICOM series whose geometry headers are damaged: a warning or one-line refusal.

Series are written by code (``dicom_factory``) and one header is then mutated, as the
DICOM fuzzer did; ``ht`` and ``info`` must end with one line and a non-zero exit.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from dicom_factory import PIXEL, ramp_hu, set_tags, write_stack

from strokescope.cli import main
from strokescope.errors import GeometryError
from strokescope.io import geometry_limits, load_volume

ZS = [2.0 * k for k in range(8)]


def _truth(zs: list[float]) -> np.ndarray:
    j, i = np.mgrid[0:20, 0:24].astype(float)
    return np.stack([ramp_hu(j * PIXEL[0], i * PIXEL[1], z) for z in zs]).astype(np.float32)


def test_a_last_slice_moved_5000_mm_is_left_out_with_a_warning_naming_it(
    tmp_path: Path,
) -> None:
    paths = write_stack(tmp_path, ZS)
    set_tags(paths[-1], ImagePositionPatient=[0.0, 0.0, ZS[-1] - 5000.0])
    vol = load_volume(tmp_path)
    np.testing.assert_allclose(vol.array, _truth(ZS[:-1]))
    assert vol.meta.warnings == (
        f"series {vol.meta.extra['series_key']}: {paths[-1]} lies 4986.0 mm from the "
        "rest of the stack; slice left out",
    )


def test_a_non_finite_position_is_left_out_and_its_gap_interpolated(tmp_path: Path) -> None:
    paths = write_stack(tmp_path, ZS)
    set_tags(paths[3], ImagePositionPatient=[0.0, float("nan"), ZS[3]])
    vol = load_volume(tmp_path)
    np.testing.assert_allclose(vol.array, _truth(ZS), atol=1e-3)  # the ramp is linear in z
    assert f"{paths[3]}: Image Position (Patient) (0, nan, 6) is not finite" in vol.meta.warnings[0]


def test_a_corrected_orientation_is_a_warning(tmp_path: Path) -> None:
    for path in write_stack(tmp_path, ZS):
        set_tags(path, ImageOrientationPatient=[1.0, 0.0, 0.0, 0.0, 1.005, 0.0])
    vol = load_volume(tmp_path)
    np.testing.assert_allclose(vol.array, _truth(ZS))
    assert vol.meta.warnings == (
        f"series {vol.meta.extra['series_key']}: Image Orientation (Patient) [1 0 0 0 1.005 0] "
        "is not orthonormal (error 0.005); corrected",
    )


def test_the_planned_grid_is_checked_before_anything_is_allocated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_stack(tmp_path, [0.0, 2.0, 4.0, 14.0, 16.0])  # resampled: 9 slices
    monkeypatch.setattr(geometry_limits, "MAX_GRID_VOXELS", 5 * 20 * 24 + 9 * 20 * 24 - 1)

    def no_read(*args: object, **kwargs: object) -> None:
        raise AssertionError("pixels read before the grid was checked")

    monkeypatch.setattr("strokescope.io.dicom_load.read_frames", no_read)
    with pytest.raises(GeometryError, match=r"would need 5 x 20 x 24 and 9 x 20 x 24 voxels"):
        load_volume(tmp_path)


@pytest.fixture
def study(tmp_path: Path) -> tuple[Path, list[Path]]:
    folder = tmp_path / "ncct"
    return folder, write_stack(folder, ZS, description="NCCT HEAD")


def _one_line_error(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    assert main(argv) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in lines[0]
    return lines[0]


@pytest.mark.parametrize(
    ("tags", "reason"),
    [
        ({"ImageOrientationPatient": [1, 0, 0, 1, 0, 0]}, "[1 0 0 1 0 0] is not two orthonormal"),
        ({"ImageOrientationPatient": [0, 0, 0, 0, 1, 0]}, "[0 0 0 0 1 0] is not two orthonormal"),
    ],
)
def test_ht_on_impossible_geometry_ends_with_one_line(
    study: tuple[Path, list[Path]],
    capsys: pytest.CaptureFixture[str],
    tags: dict[str, object],
    reason: str,
) -> None:
    folder, paths = study
    for path in paths:
        set_tags(path, **tags)
    line = _one_line_error(["ht", "--ncct", str(folder), "--click", "z=2 y=5 x=5"], capsys)
    assert line.startswith("strokescope ht: error: series ") and reason in line
    assert line.endswith("; refused")


@pytest.mark.parametrize("spacing", [1e6, 1e-9])
def test_ht_on_an_impossible_pixel_spacing_ends_with_one_line(
    study: tuple[Path, list[Path]], capsys: pytest.CaptureFixture[str], spacing: float
) -> None:
    folder, paths = study
    for path in paths:
        set_tags(path, PixelSpacing=[spacing, spacing])
    line = _one_line_error(["ht", "--ncct", str(folder), "--click", "z=2 y=5 x=5"], capsys)
    assert line == (
        f"strokescope ht: error: folder {folder}: no DICOM image series found "
        f"({len(paths)} pixel spacing out of range)"
    )


def test_ht_refuses_a_gap_too_wide_to_interpolate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_stack(tmp_path, [0.0, 2.0, 4.0, 6.0, 100.0, 102.0, 104.0])
    line = _one_line_error(["ht", "--ncct", str(tmp_path), "--click", "z=2 y=5 x=5"], capsys)
    assert line.endswith(
        ": a gap of 46 missing slices is too wide to interpolate (limit 20); refused"
    )


def test_info_on_a_degenerate_orientation_ends_with_one_line(
    study: tuple[Path, list[Path]], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, paths = study
    for path in paths:
        set_tags(path, ImageOrientationPatient=[0, 0, 0, 0, 1, 0])
    line = _one_line_error(["info", str(folder)], capsys)
    assert line.startswith("strokescope info: error: series ") and line.endswith("; refused")


def test_info_lists_an_outlier_slice_as_a_problem(
    study: tuple[Path, list[Path]], capsys: pytest.CaptureFixture[str]
) -> None:
    folder, paths = study
    set_tags(paths[2], ImagePositionPatient=[0.0, 0.0, 1e9])
    assert main(["info", str(folder)]) == 0
    out = capsys.readouterr().out
    assert "Image Position (Patient) (0, 0, 1e+09) lies more than 5 m from the origin" in out
