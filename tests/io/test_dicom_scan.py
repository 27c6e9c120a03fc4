"""scan_folder: discovery, grouping, splitting and what is left out (and said about it)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np
import pydicom
import pytest
from dicom_factory import (
    MR_IMAGE,
    random_volume,
    set_tags,
    write_sr,
    write_stack,
    write_volume,
)

from strokescope.errors import DicomLoadError
from strokescope.io import load_series, load_volume, scan_folder, scan_folder_report
from strokescope.volume import Volume


def test_two_series_in_one_folder_are_listed_and_must_be_chosen(tmp_path: Path) -> None:
    study = "1.2.826.0.1.3680043.10.1467.7"
    write_stack(
        tmp_path / "a", [0, 2, 4, 6], description="NCCT HEAD", series_number=2, study_uid=study
    )
    write_stack(tmp_path / "b", [0, 1, 2], description="CTA HEAD", series_number=3, study_uid=study)
    found = scan_folder(tmp_path)
    assert [(s.description, s.n_slices) for s in found] == [("NCCT HEAD", 4), ("CTA HEAD", 3)]
    with pytest.raises(DicomLoadError, match="2 CT image series, pick one") as err:
        load_volume(tmp_path)
    assert "NCCT HEAD" in str(err.value) and "CTA HEAD" in str(err.value)
    assert "\n" not in str(err.value)
    assert load_volume(tmp_path, series="cta").shape[0] == 3
    assert load_volume(tmp_path, series=found[0].key[:40]).shape[0] in (3, 4)


def test_series_info_summary_from_headers(tmp_path: Path) -> None:
    write_stack(
        tmp_path,
        [10, 12.5, 15, 17.5],
        description="CTA",
        kernel="Hv40",
        contrast_agent="IOPAMIDOL",
        patient_id="P7",
        study_date="20250102",
    )
    (info,) = scan_folder(tmp_path)
    assert info.modality == "CT" and info.kernel == "Hv40"
    assert info.contrast_agent == "IOPAMIDOL" and info.patient_id == "P7"
    assert info.study_date == "20250102"
    assert info.pixel_spacing == (0.8, 0.7) and info.slice_spacing == pytest.approx(2.5)
    assert (info.rows, info.columns, info.n_slices) == (20, 24, 4)
    assert info.transfer_syntax == "1.2.840.10008.1.2.1" and info.problems == ()
    d = info.to_dict()
    assert d["n_slices"] == 4 and len(d["files"]) == 4 and d["gantry_tilt_deg"] == 0.0


def test_a_series_mixing_matrix_sizes_is_split(tmp_path: Path) -> None:
    uid = "1.2.826.0.1.3680043.10.1467.99"
    write_stack(tmp_path / "a", [0, 1, 2, 3], series_uid=uid)
    big = random_volume(3, shape_yx=(30, 30))
    write_volume(big, tmp_path / "b", series_uid=uid, description="OTHER")
    found = scan_folder(tmp_path)
    assert sorted(s.key for s in found) == [f"{uid}#1", f"{uid}#2"]
    assert all("mixes 2 orientations or matrix sizes" in s.problems[0] for s in found)
    assert {s.n_slices for s in found} == {4, 3}


def test_localizers_and_odd_orientation_images_are_left_out(tmp_path: Path) -> None:
    paths = write_stack(tmp_path / "axial", [0, 2, 4, 6, 8])
    uid = pydicom.dcmread(paths[0]).SeriesInstanceUID
    # an extra image in the same series, sagittal, without the LOCALIZER flag
    odd = write_stack(tmp_path / "odd", [0], series_uid=uid)[0]
    set_tags(odd, ImageOrientationPatient=[0, 1, 0, 0, 0, -1])
    # a separate scout series flagged LOCALIZER
    scout = write_stack(tmp_path / "scout", [0, 1, 2], description="SCOUT")
    for p in scout:
        set_tags(p, ImageType=["ORIGINAL", "PRIMARY", "LOCALIZER"])
    report = scan_folder_report(tmp_path)
    assert [s.n_slices for s in report.series] == [5]
    reasons = [s.reason for s in report.skipped]
    assert sum("localizer (ImageType LOCALIZER)" in r for r in reasons) == 3
    assert any("localizer, scout or single image" in r for r in reasons)
    assert report.warnings == ()


def test_non_image_objects_are_skipped_silently(tmp_path: Path) -> None:
    write_stack(tmp_path, [0, 1, 2])
    write_sr(tmp_path / "sr.dcm")
    report = scan_folder_report(tmp_path)
    assert len(report.series) == 1
    assert [s.reason for s in report.skipped] == ["non-image object (SR)"]
    assert report.warnings == ()


def test_junk_and_truncated_files_are_skipped_with_warnings(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    paths = write_stack(tmp_path, [0, 2, 4, 6])
    rng = np.random.default_rng(1)
    (tmp_path / "junk.dcm").write_bytes(rng.bytes(3000))
    (tmp_path / "notes.txt").write_text("not an image")
    cut = tmp_path / "cut.dcm"
    cut.write_bytes(paths[1].read_bytes()[:-500])
    stub = tmp_path / "stub.dcm"
    stub.write_bytes(paths[2].read_bytes()[:400])
    with caplog.at_level(logging.WARNING, logger="strokescope.io"):
        report = scan_folder_report(tmp_path)
    assert [s.n_slices for s in report.series] == [4]
    text = "\n".join(report.warnings)
    assert f"file {tmp_path / 'junk.dcm'}: not a DICOM file; skipped" in text
    assert "notes.txt" not in text  # plainly not DICOM: listed as left out, no warning
    assert str(tmp_path / "notes.txt") in {s.path for s in report.skipped}
    assert f"file {cut}: truncated: pixel data has" in text
    assert f"file {stub}: truncated: the file ends before its pixel data; skipped" in text
    assert all(w in caplog.text for w in report.warnings)


def test_junk_only_folder_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "a.dcm").write_bytes(b"\x00" * 200)
    (tmp_path / "b.txt").write_text("hello")
    with pytest.raises(DicomLoadError) as err:
        scan_folder(tmp_path)
    assert str(err.value) == (
        f"folder {tmp_path}: no DICOM image series found (2 not a DICOM file)"
    )


def test_empty_and_missing_folders(tmp_path: Path) -> None:
    with pytest.raises(DicomLoadError, match=r"is empty \(no files found\)"):
        scan_folder(tmp_path)
    with pytest.raises(DicomLoadError, match="does not exist"):
        scan_folder(tmp_path / "nope")


def test_unreadable_folder_and_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_stack(tmp_path / "ok", [0, 1, 2, 3])
    (tmp_path / "locked").mkdir()
    real_scandir = os.scandir
    locked = {str(tmp_path / "locked")}

    def scandir(path: str | os.PathLike[str]) -> object:
        if str(path) in locked:
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    report = scan_folder_report(tmp_path)
    assert f"folder {tmp_path / 'locked'}: cannot be read (permission denied); skipped" in (
        report.warnings
    )
    locked.add(str(tmp_path))
    with pytest.raises(DicomLoadError) as err:
        scan_folder(tmp_path)
    assert str(err.value) == f"folder {tmp_path}: cannot be read (permission denied)"


def test_unreadable_file_is_skipped_with_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from strokescope.io import dicom_headers

    paths = write_stack(tmp_path, [0, 1, 2, 3, 4])
    real_open = open

    def fake_open(file: object, *args: object, **kw: object) -> object:
        if str(file) == str(paths[4]):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kw)  # type: ignore[call-overload]

    monkeypatch.setattr(dicom_headers, "open", fake_open, raising=False)
    report = scan_folder_report(tmp_path)
    assert report.series[0].n_slices == 4
    assert f"file {paths[4]}: cannot be read (permission denied); skipped" in report.warnings


def test_mr_only_folder_when_ct_is_required(tmp_path: Path) -> None:
    for p in write_stack(tmp_path, [0, 3, 6], description="T1 AX"):
        set_tags(p, Modality="MR", SOPClassUID=MR_IMAGE)
    with pytest.raises(DicomLoadError) as err:
        load_volume(tmp_path)
    msg = str(err.value)
    assert msg.startswith(f"folder {tmp_path}: no CT image series (found: ")
    assert "MR 'T1 AX', 3 slices" in msg
    assert load_volume(tmp_path, modality="MR").meta.modality == "MR"


def test_dicomdir_lists_the_files(tmp_path: Path) -> None:
    from pydicom.fileset import FileSet

    src = write_stack(tmp_path / "src", [0, 2, 4, 6, 8, 10])
    fs = FileSet()
    for p in src:
        fs.add(p)
    media = tmp_path / "media"
    fs.write(media)
    (media / "UNLISTED.TXT").write_text("ignored: not in the DICOMDIR")
    listed = sorted(p for p in media.rglob("*") if p.is_file() and p.name != "DICOMDIR")
    listed = [p for p in listed if p.suffix != ".TXT"]
    listed[2].unlink()
    report = scan_folder_report(media)
    assert report.used_dicomdir
    assert report.series[0].n_slices == 5
    assert any("1 referenced file(s) missing" in w for w in report.warnings)
    assert not any("UNLISTED" in w for w in report.warnings)
    vol = load_volume(media / "DICOMDIR")
    assert vol.shape[0] == 6 and "1 slice(s) missing" in vol.meta.warnings[-1]


def test_orientation_jitter_does_not_split_a_series(tmp_path: Path) -> None:
    paths = write_stack(tmp_path, [0.0, 1.0, 2.0, 3.0, 4.0, 5.0])
    for k, path in enumerate(paths):  # cosines straddle a rounding boundary (0.0005)
        e = 0.0004 if k % 2 else 0.0006
        set_tags(path, ImageOrientationPatient=[1.0, e, 0.0, -e, 1.0, 0.0])
    (info,) = scan_folder(tmp_path)
    assert info.n_slices == 6 and info.problems == ()


def test_scan_progress_reaches_one(tmp_path: Path) -> None:
    write_stack(tmp_path, [float(z) for z in range(20)])
    seen: list[float] = []
    scan_folder(tmp_path, on_progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == pytest.approx(1.0)


def test_loaded_series_equals_the_written_volume(tmp_path: Path) -> None:
    vol = random_volume(8, seed=5)
    write_volume(vol, tmp_path)
    out = load_series(scan_folder(tmp_path)[0])
    assert isinstance(out, Volume) and out.array.dtype == np.float32
    np.testing.assert_array_equal(out.array, vol.array)
    assert out.geometry.origin == pytest.approx(vol.origin)
    assert np.allclose(out.direction, vol.direction) and out.spacing == pytest.approx(vol.spacing)
