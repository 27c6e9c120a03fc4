"""One series with impossible geometry never hides the others (a fuzzing finding).

A folder holds a good NCCT stack and a second series whose headers a fuzzer damaged: a
non-finite or degenerate Image Orientation (Patient), or an absurd Pixel Spacing. The scan
lists the good series and names the bad one (or its files) in one warning line each;
``info`` and ``ht --out`` work on the good series.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from dicom_factory import set_tags, write_stack, write_volume

from strokescope.cli import main
from strokescope.errors import DicomLoadError, GeometryError
from strokescope.io import load_volume, scan_folder_report
from strokescope.volume import Volume

STUDY_UID = "1.2.826.0.1.3680043.10.1467.16"
GOOD = [2.0 * k for k in range(6)]
BAD = [2.0 * k for k in range(5)]
NAN = float("nan")

DEFECTS: dict[str, tuple[dict[str, object], str]] = {
    "NaN orientation": (
        {"ImageOrientationPatient": [NAN, 0.0, 0.0, 0.0, 1.0, 0.0]},
        "orientation not finite (0020,0037 Image Orientation (Patient) [nan 0 0 0 1 0])",
    ),
    "Inf orientation": (
        {"ImageOrientationPatient": [1.0, 0.0, 0.0, 0.0, float("inf"), 0.0]},
        "orientation not finite (0020,0037 Image Orientation (Patient) [1 0 0 0 inf 0])",
    ),
    "parallel orientation": (
        {"ImageOrientationPatient": [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]},
        "Image Orientation (Patient) [1 0 0 1 0 0] is not two orthonormal direction cosines",
    ),
    "pixel spacing 1e6": (
        {"PixelSpacing": [1e6, 1e6]},
        "pixel spacing out of range (0028,0030 Pixel Spacing 1e+06 x 1e+06 mm; limits 0.05-10 mm)",
    ),
    "pixel spacing 1e-9": (
        {"PixelSpacing": [1e-9, 1e-9]},
        "pixel spacing out of range (0028,0030 Pixel Spacing 1e-09 x 1e-09 mm; limits 0.05-10 mm)",
    ),
    "NaN pixel spacing": (
        {"PixelSpacing": [NAN, 0.7]},
        "pixel spacing out of range (0028,0030 Pixel Spacing nan x 0.7 mm; limits 0.05-10 mm)",
    ),
}


def _folder(tmp_path: Path, defect: str) -> tuple[Path, list[Path]]:
    """A study folder: a good NCCT stack, and a second series with ``defect`` in every file."""
    folder = tmp_path / "study"
    write_stack(folder / "ncct", GOOD, description="NCCT HEAD", study_uid=STUDY_UID)
    bad = write_stack(
        folder / "bad", BAD, description="BROKEN", study_uid=STUDY_UID, series_number=2
    )
    tags, _reason = DEFECTS[defect]
    for path in bad:
        set_tags(path, **tags)
    return folder, bad


@pytest.mark.parametrize("defect", list(DEFECTS))
def test_a_bad_series_is_named_and_the_good_one_listed(defect: str, tmp_path: Path) -> None:
    folder, bad = _folder(tmp_path, defect)
    report = scan_folder_report(folder)
    assert [(s.description, s.n_slices) for s in report.series] == [("NCCT HEAD", 6)]
    reason = DEFECTS[defect][1]
    named = [w for w in report.warnings if reason in w]
    assert named and all("\n" not in w for w in report.warnings)
    assert any(str(bad[0]) in w for w in named)  # the file (or the series' first file)
    assert any(reason in s.reason for s in report.skipped)
    assert load_volume(folder).shape[0] == 6


@pytest.mark.parametrize("defect", ["NaN orientation", "pixel spacing 1e6"])
def test_one_bad_file_of_a_series_is_skipped_and_its_slice_interpolated(
    defect: str, tmp_path: Path
) -> None:
    paths = write_stack(tmp_path, GOOD)
    set_tags(paths[2], **DEFECTS[defect][0])
    report = scan_folder_report(tmp_path)
    assert [s.n_slices for s in report.series] == [5]
    (warning,) = report.warnings
    assert warning == f"file {paths[2]}: {DEFECTS[defect][1]}; skipped"
    vol = load_volume(tmp_path)
    assert vol.shape[0] == 6
    assert any("1 slice(s) missing between z=2.0 and z=6.0 mm" in w for w in vol.meta.warnings)


def test_a_folder_of_nan_orientations_says_why_it_holds_no_series(tmp_path: Path) -> None:
    for path in write_stack(tmp_path, BAD):
        set_tags(path, **DEFECTS["NaN orientation"][0])
    with pytest.raises(DicomLoadError) as err:
        scan_folder_report(tmp_path)
    assert str(err.value) == (
        f"folder {tmp_path}: no DICOM image series found (5 orientation not finite)"
    )


def test_the_only_series_refused_for_its_geometry_is_the_error(tmp_path: Path) -> None:
    for path in write_stack(tmp_path, BAD):
        set_tags(path, **DEFECTS["parallel orientation"][0])
    with pytest.raises(GeometryError, match=r"^series [0-9.]+: Image Orient.*; refused$"):
        scan_folder_report(tmp_path)


def test_two_refused_series_are_both_counted(tmp_path: Path) -> None:
    for name in ("a", "b"):
        for path in write_stack(tmp_path / name, BAD):
            set_tags(path, **DEFECTS["parallel orientation"][0])
    with pytest.raises(GeometryError, match=r"; refused \(and 1 more series refused\)$"):
        scan_folder_report(tmp_path)


@pytest.mark.parametrize("defect", list(DEFECTS))
def test_info_lists_the_good_series(
    defect: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder, _bad = _folder(tmp_path, defect)
    assert main(["info", str(folder)]) == 0
    out = capsys.readouterr().out
    assert f"{folder}: 1 image series in 11 files" in out
    assert "NCCT HEAD" in out and DEFECTS[defect][1] in out


def _head(shape: tuple[int, int, int] = (8, 112, 112)) -> Volume:
    """A seeded head: brain 30 HU, skull, scalp, and a 7.0 mL bleed of 70 HU (axes z, y, x)."""
    spacing = (5.0, 1.8, 1.8)
    z, y, x = (np.arange(n) * s - n * s / 2 for n, s in zip(shape, spacing, strict=True))
    z, y, x = z[:, None, None], y[None, :, None], x[None, None, :]
    r = np.sqrt((z / 60) ** 2 + (y / 85) ** 2 + (x / 70) ** 2)
    arr = np.select([r <= 1.0, r <= 1.1, r <= 1.18], [30.0, 1200.0, 40.0], -1000.0)
    arr[(z / 10) ** 2 + ((y + 15) / 14) ** 2 + ((x - 20) / 12) ** 2 <= 1.0] = 70.0
    arr += np.random.default_rng(16).normal(0.0, 4.0, shape).round()
    return Volume.from_array(arr.astype(np.float32), spacing, origin=(0.0, 0.0, 0.0))


@pytest.mark.parametrize("defect", ["NaN orientation", "parallel orientation", "pixel spacing 1e6"])
def test_ht_out_analyses_the_good_series(
    defect: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "study"
    write_volume(_head(), folder / "ncct", description="NCCT HEAD", study_uid=STUDY_UID)
    for path in write_stack(folder / "bad", BAD, study_uid=STUDY_UID, series_number=2):
        set_tags(path, **DEFECTS[defect][0])
    out = tmp_path / "out"
    argv = ["ht", "--ncct", str(folder), "--click", "z=4 y=48 x=67", "--json", "--out", str(out)]
    assert main(argv) == 0
    assert "Traceback" not in capsys.readouterr().err
    saved = json.loads((out / "results-001" / "results.json").read_text())["hemorrhage"]
    assert saved["volume_ml"] == pytest.approx(7.0, abs=1.0)
