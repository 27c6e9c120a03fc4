"""A scan stays inside the folder given: DICOMDIR references and symbolic links leading out
are not followed, and unreadable parts are named (never a traceback, never "is empty")."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pydicom
import pytest
from dicom_factory import write_stack

from strokescope.cli import main
from strokescope.errors import DicomLoadError
from strokescope.io import load_volume, scan_folder_report
from strokescope.io.folder_files import list_files
from strokescope.outputs import source_refs


def _study(tmp_path: Path) -> tuple[Path, Path]:
    """Two sibling series folders: a (4 slices) and b (5 slices)."""
    a, b = tmp_path / "study" / "a", tmp_path / "study" / "b"
    write_stack(a, [0, 2, 4, 6], description="SERIES A")
    write_stack(b, [0, 1, 2, 3, 4], description="SERIES B")
    return a, b


def test_links_leading_out_are_not_followed(tmp_path: Path) -> None:
    a, b = _study(tmp_path)
    (a / "up").symlink_to(a.parent)  # a loop through the study: would pull in series b
    (a / "borrowed.dcm").symlink_to(b / "IM00001.dcm")
    (a / "here").symlink_to(a)  # a loop inside: followed once
    (a / "twin.dcm").symlink_to(a / "IM00001.dcm")  # the same file twice: listed once
    report = scan_folder_report(a)
    assert [(s.description, s.n_slices) for s in report.series] == [("SERIES A", 4)]
    assert report.series[0].problems == ()
    assert report.warnings == (
        f"folder {a}: 2 symbolic link(s) pointing outside it not followed "
        f"({a / 'borrowed.dcm'}, {a / 'up'})",
    )


def test_export_reread_lists_the_folder_as_the_scan_did(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a, _b = _study(tmp_path)
    (a / "up").symlink_to(a.parent)
    vol = load_volume(a)
    read: list[Path] = []

    def spy(path: Path, **kw: Any) -> Any:
        read.append(path)
        return pydicom.dcmread(path, stop_before_pixels=True)

    monkeypatch.setattr(source_refs, "read_dataset", spy)
    headers = source_refs.read_source_headers(vol)
    assert headers is not None and len(headers) == 4
    assert read and all(p.parent == a for p in read)


def test_dicomdir_references_leading_out_are_ignored(tmp_path: Path) -> None:
    from pydicom.fileset import FileSet

    src = write_stack(tmp_path / "src", [0, 2, 4, 6, 8, 10], description="MEDIA")
    other = write_stack(tmp_path / "other", [0, 1, 2], description="OTHER")
    fs = FileSet()
    for p in src:
        fs.add(p)
    media = tmp_path / "media"
    fs.write(media)
    dicomdir = pydicom.dcmread(media / "DICOMDIR")
    images = [r for r in dicomdir.DirectoryRecordSequence if r.DirectoryRecordType == "IMAGE"]
    for record in images[:2]:  # redirected below: not an unlisted file left in the folder
        media.joinpath(*record.ReferencedFileID).unlink()
    images[0].ReferencedFileID = ["..", "other", other[0].name]
    images[1].ReferencedFileID = str(other[1])  # an absolute path
    dicomdir.save_as(media / "DICOMDIR")
    report = scan_folder_report(media)
    assert report.used_dicomdir
    assert [(s.description, s.n_slices) for s in report.series] == [("MEDIA", 4)]
    (warning,) = [w for w in report.warnings if "outside" in w]
    assert warning.startswith(f"{media / 'DICOMDIR'}: 2 reference(s) outside the folder ignored")


def test_a_folder_of_unreadable_subfolders_is_not_called_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    real_scandir = os.scandir

    def scandir(path: str | os.PathLike[str]) -> Any:
        if str(path) == str(locked):
            raise PermissionError(13, "Permission denied", str(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    listing = list_files(tmp_path)
    assert listing.unreadable == [str(locked)]
    with pytest.raises(DicomLoadError) as err:
        scan_folder_report(tmp_path)
    assert str(err.value) == f"folder {tmp_path}: no readable files ({locked} could not be read)"


def test_a_folder_that_can_be_listed_but_not_entered_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Read but no search permission: names are listed, every stat below fails (EACCES)."""
    write_stack(tmp_path, [0, 2, 4])
    real_stat = os.stat

    def stat(path: Any, *args: Any, **kw: Any) -> Any:
        if str(path).startswith(f"{tmp_path}{os.sep}"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_stat(path, *args, **kw)

    monkeypatch.setattr(os, "stat", stat)
    assert main(["info", str(tmp_path)]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line == (
        f"strokescope info: error: folder {tmp_path}: no DICOM image series found "
        "(3 cannot be read)"
    )


def test_dicomdir_listing_part_of_the_folder_is_reported_and_the_folder_walked(
    tmp_path: Path,
) -> None:
    from pydicom.fileset import FileSet

    src = write_stack(tmp_path / "src", [0, 2, 4, 6, 8, 10], description="MEDIA")
    fs = FileSet()
    for p in src[:3]:  # the index lists half of the series
        fs.add(p)
    media = tmp_path / "media"
    fs.write(media)
    for p in src[3:]:
        shutil.copy(p, media / f"EXTRA{p.name}")
    report = scan_folder_report(media)
    assert not report.used_dicomdir
    assert [(s.description, s.n_slices) for s in report.series] == [("MEDIA", 6)]
    (warning,) = report.warnings
    assert warning == (
        f"{media / 'DICOMDIR'}: the folder holds 3 DICOM file(s) the DICOMDIR does not list "
        "(EXTRAIM00004.dcm, EXTRAIM00005.dcm, EXTRAIM00006.dcm); the whole folder is analysed, "
        "not only the 3 file(s) it lists"
    )
