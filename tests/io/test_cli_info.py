"""`strokescope info DIR [--json]`: table, JSON, and one-line errors (in-process and installed)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from dicom_factory import write_sr, write_stack

from strokescope.cli import main


@pytest.fixture
def study(tmp_path: Path) -> Path:
    uid = "1.2.826.0.1.3680043.10.1467.5"
    write_stack(
        tmp_path / "ncct",
        [0.0, 5.0, 10.0, 20.0],
        description="NCCT HEAD",
        kernel="H30s",
        study_uid=uid,
    )
    write_stack(
        tmp_path / "cta",
        [0.0, 1.0, 2.0],
        description="CTA HEAD",
        study_uid=uid,
        contrast_agent="IOPAMIDOL",
        series_number=4,
    )
    write_sr(tmp_path / "report.dcm")
    (tmp_path / "junk.bin").write_bytes(b"\x01" * 300)
    return tmp_path


def test_info_table(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", str(study)]) == 0
    out = capsys.readouterr().out
    assert f"{study}: 2 image series in 9 files (folder walk)" in out
    ncct = next(line for line in out.splitlines() if "NCCT HEAD" in line)
    assert ncct.split()[:2] == ["1", "CT"] and " 4 " in ncct and "H30s" in ncct
    assert "0.8 x 0.7 x 5" in ncct and ncct.rstrip().endswith("1")
    cta = next(line for line in out.splitlines() if "CTA HEAD" in line)
    assert "IOPAMIDOL" in cta and cta.rstrip().endswith("none")
    assert "1 slice(s) missing between z=10.0 and z=20.0 mm" in out
    assert "non-image object (SR)" in out and "junk.bin: not a DICOM file" in out


def test_info_json(study: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["info", str(study), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [s["description"] for s in data["series"]] == ["NCCT HEAD", "CTA HEAD"]
    first = data["series"][0]
    assert (first["n_slices"], first["slice_spacing"], first["kernel"]) == (4, 5.0, "H30s")
    assert first["problems"] and "missing" in first["problems"][0]
    assert data["series"][1]["contrast_agent"] == "IOPAMIDOL"
    assert data["n_files"] == 9 and len(data["skipped"]) == 2


def test_info_bad_folder_is_one_line_and_nonzero(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["info", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err.strip()
    assert err == f"strokescope info: error: {tmp_path / 'missing'}: does not exist"


def _entry_point() -> str:
    exe = Path(sys.executable).parent / "strokescope"
    return str(exe) if exe.exists() else (shutil.which("strokescope") or "")


@pytest.mark.skipif(not _entry_point(), reason="strokescope entry point not installed")
def test_installed_entry_point(study: Path, tmp_path: Path) -> None:
    ok = subprocess.run([_entry_point(), "info", str(study)], capture_output=True, text=True)
    assert ok.returncode == 0 and "NCCT HEAD" in ok.stdout
    assert "Traceback" not in ok.stderr
    empty = tmp_path / "empty"
    empty.mkdir()
    bad = subprocess.run([_entry_point(), "info", str(empty)], capture_output=True, text=True)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert bad.stderr.strip().splitlines() == [
        f"strokescope info: error: folder {empty}: is empty (no files found)"
    ]
