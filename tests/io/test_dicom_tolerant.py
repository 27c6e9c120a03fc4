"""One bad file never stops a folder: the scan, the loader and the export's re-read of the
source headers share one tolerant reader that skips it with a one-line warning."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from dicom_factory import set_tags, write_stack
from dicom_mutate import add_short_element, corrupt_deflated, flip_vr, nest_sequences

from strokescope.io import load_volume, scan_folder_report
from strokescope.io.dicom_read import MAX_NESTING, SkipFile, read_dataset
from strokescope.outputs.source_refs import read_source_headers

Mutation = Callable[[Path], None]

MUTATIONS: dict[str, tuple[Mutation, str]] = {
    "flipped VR byte": (
        lambda p: flip_vr(p, "ReferringPhysicianName"),
        "unreadable DICOM (NotImplementedError: Unknown Value Representation 'PO'",
    ),
    "garbage NumberOfFrames": (
        lambda p: add_short_element(p, "NumberOfFrames", "IS", b"x7!"),
        "malformed image header (Number of Frames 'x7!')",
    ),
    "5000-deep sequence": (
        lambda p: nest_sequences(p, 5000),
        "unreadable DICOM (RecursionError: maximum recursion depth exceeded",
    ),
    "corrupt deflated": (corrupt_deflated, "unreadable DICOM (zlib.error: Error -3"),
    "no SOPInstanceUID": (lambda p: set_tags(p, SOPInstanceUID=None), "no SOPInstanceUID"),
}


@pytest.mark.parametrize("name", list(MUTATIONS))
def test_one_bad_file_is_skipped_with_one_warning(name: str, tmp_path: Path) -> None:
    mutate, reason = MUTATIONS[name]
    paths = write_stack(tmp_path, [0, 2, 4, 6, 8, 10])
    mutate(paths[2])
    report = scan_folder_report(tmp_path)
    assert [s.n_slices for s in report.series] == [5]
    (warning,) = report.warnings
    assert warning.startswith(f"file {paths[2]}: {reason}")
    assert warning.endswith("; skipped") and "\n" not in warning
    vol = load_volume(tmp_path)
    assert vol.shape[0] == 6  # the gap is filled, and said so
    assert any("1 slice(s) missing between z=2.0 and z=6.0 mm" in w for w in vol.meta.warnings)


def test_export_reread_passes_over_the_files_the_scan_skipped(tmp_path: Path) -> None:
    paths = write_stack(tmp_path, [0, 2, 4, 6])
    for k, (mutate, _reason) in enumerate(MUTATIONS.values()):
        extra = tmp_path / f"bad{k}.dcm"
        extra.write_bytes(paths[0].read_bytes())
        set_tags(extra, SOPInstanceUID=f"1.2.826.0.1.3680043.10.1467.99.{k}")
        mutate(extra)
    vol = load_volume(tmp_path)
    headers = read_source_headers(vol)
    assert headers is not None
    assert [str(h.SOPInstanceUID) for h in headers] == list(vol.meta.sop_instance_uids)


def test_nesting_is_bounded_without_recursion(tmp_path: Path) -> None:
    (path,) = write_stack(tmp_path / "ok", [0])
    nest_sequences(path, MAX_NESTING)
    read_dataset(path)
    (deep,) = write_stack(tmp_path / "deep", [0])
    nest_sequences(deep, MAX_NESTING + 2)
    with pytest.raises(SkipFile, match=f"nested deeper than {MAX_NESTING} levels"):
        read_dataset(deep)


def test_cli_info_lists_the_good_series_and_names_each_bad_file_once(tmp_path: Path) -> None:
    paths = write_stack(tmp_path, [float(z) for z in range(0, 20, 2)])
    bad = paths[1 : 1 + len(MUTATIONS)]
    for path, (mutate, _reason) in zip(bad, MUTATIONS.values(), strict=False):
        mutate(path)
    run = subprocess.run(
        [sys.executable, "-m", "strokescope.cli", "info", str(tmp_path)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0 and "Traceback" not in run.stderr
    for path in bad:
        assert run.stderr.count(f"file {path}: ") == 1
