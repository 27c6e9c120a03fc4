"""Source headers with values highdicom rejects, or without Type 2/3 attributes, still
export (repaired, with a warning each), and the DICOM objects pass dciodvfy."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pydicom
import pytest
from export_cases import Study, make_thrombus
from pydicom.dataset import Dataset

from strokescope.io import load_volume
from strokescope.outputs import export_results
from strokescope.outputs.safe_header import repair
from strokescope.volume import Mask

DROPPED = ("AccessionNumber", "StudyID", "ReferringPhysicianName", "PatientBirthDate")


def _mutated(study: Study, dst: Path, change: Callable[[Dataset], None]) -> Path:
    """A copy of the study's CTA series with ``change`` applied to every file."""
    src = Path(study.cta.meta.source)
    dst.mkdir()
    for path in sorted(src.iterdir()):
        ds = pydicom.dcmread(path)
        change(ds)
        ds.save_as(dst / path.name)
    return dst


def _odd_values(sex: str, charset: str) -> Callable[[Dataset], None]:
    def change(ds: Dataset) -> None:
        ds.PatientSex = sex
        ds.SpecificCharacterSet = charset
        ds.PatientAge = "forty"  # Type 3, not an AS value
        for keyword in DROPPED:
            if keyword in ds:
                delattr(ds, keyword)

    return change


def _dciodvfy_errors(path: Path) -> list[str]:
    run = subprocess.run(["dciodvfy", str(path)], capture_output=True, text=True, check=False)
    return [ln for ln in (run.stdout + run.stderr).splitlines() if ln.startswith("Error")]


@pytest.mark.parametrize(
    ("sex", "charset", "written"),
    [("MALE", "ISO_IR 6", "M"), ("m", "NO_SUCH_CHARSET", "M"), ("U", "ISO_IR 6", "")],
)
@pytest.mark.parametrize("anonymize", [False, True])
def test_odd_source_header_exports(
    study: Study, tmp_path: Path, sex: str, charset: str, written: str, anonymize: bool
) -> None:
    folder = _mutated(study, tmp_path / "cta", _odd_values(sex, charset))
    cta = load_volume(folder)
    result = make_thrombus(cta, Mask(study.thrombus.mask.array, cta.geometry, "thrombus"))
    m = export_results(tmp_path / "out", source=cta, thrombus=result, anonymize=anonymize)
    assert m.seg and m.sr and m.pdf_dicom
    text = "\n".join(m.warnings)
    assert "Patient's Sex is not M, F or O" in text and f"Character Set '{charset}'" in text
    assert "lacks PatientBirthDate, AccessionNumber" in text and "PatientAge is not" in text
    for path in (m.seg, m.sr, m.pdf_dicom):
        ds = pydicom.dcmread(path, stop_before_pixels=True)
        assert ds.PatientSex == ("" if anonymize else written)
        assert ds.AccessionNumber == "" and "PatientAge" not in ds
        assert "SpecificCharacterSet" not in ds or ds.SpecificCharacterSet != charset
        if shutil.which("dciodvfy"):
            assert not _dciodvfy_errors(path), path.name


def test_repair_maps_sex_and_empties_or_drops_bad_values() -> None:
    for given, expected in [("F", "F"), ("female", "F"), (" Other ", "O"), ("X", "")]:
        ds = Dataset()
        ds.PatientSex = given
        lines = repair(ds)
        assert any("Sex" in ln for ln in lines) == (given != expected)
        assert ds.PatientSex == expected
    ds = Dataset()
    ds.StudyInstanceUID = "1.2.3"  # valid: no derived UID
    ds.StudyDate = "20201345"  # Type 2, month 13: emptied
    ds.PatientAge = "forty"  # Type 3 AS: removed
    lines = repair(ds)
    assert ds.StudyDate == "" and "PatientAge" not in ds
    assert all(k in ds for k in ("PatientName", "PatientID", "StudyTime", "AccessionNumber"))
    assert len(lines) == 3 and all("\n" not in ln for ln in lines)


def test_unknown_charset_with_non_ascii_text_becomes_utf8() -> None:
    ds = Dataset()
    ds.SpecificCharacterSet = "LATIN_WHATEVER"
    ds.PatientName = "Müller^Jörg"
    repair(ds)
    assert ds.SpecificCharacterSet == "ISO_IR 192"
