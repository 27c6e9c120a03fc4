"""Cohort file parsing: what a row means, and one-line errors naming the file and the row."""

from __future__ import annotations

from pathlib import Path

import pytest

from strokescope.batch.cohort import read_cohort
from strokescope.errors import InputError


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "cohort.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_rows_give_cases_with_paths_from_the_cohort_folder(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "Study,truth_volume_mm3,ht_roi\na/s1,12.5,\n\n/abs/s2,,z=3 y=1:4 x=1:4; z=5 y=1:4 x=1:4\n",
    )
    first, second = read_cohort(path)
    assert first.case_id == "s1" and first.row == 2
    assert first.inputs == {"study": (tmp_path / "a" / "s1").resolve()}
    assert first.truth == {"truth_volume_mm3": "12.5"} and not first.wants_ht
    assert second.case_id == "s2" and second.row == 4
    assert second.ht_rois == ("z=3 y=1:4 x=1:4", "z=5 y=1:4 x=1:4")


def test_series_columns_instead_of_a_study(tmp_path: Path) -> None:
    (case,) = read_cohort(_write(tmp_path, "case_id,ncct,cta\np01,n,c\n"))
    assert case.case_id == "p01"
    assert set(case.inputs) == {"ncct", "cta"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty cohort file"),
        ("study\n", "no cases"),
        ("study,stdy\na,b\n", "row 1: unknown column(s) 'stdy'"),
        ("study,Study\na,b\n", "row 1: column(s) given twice: study"),
        ("cta\nc\n", "row 1: needs a 'study' column or an 'ncct' column"),
        ("study,ncct\na,b\n", "row 2: give a study folder or ncct, not both"),
        ("study,cta\na,\n,c\n", "row 3: no study folder and no ncct given"),
        ("case_id,study\nx,a\nx,b\n", "row 3: case_id 'x' already used in row 2"),
        ("case_id,study\nbad/id,a\n", "row 2: case_id 'bad/id' is not a folder name"),
        ("study,truth_length_mm\na,long\n", "row 2: truth_length_mm 'long' is not a number"),
        ("study,truth_volume_mm3\na,-3\n", "row 2: truth_volume_mm3 must be >= 0"),
        ("study,truth_occlusion_class\na,big\n", "row 2: truth_occlusion_class 'big'"),
        ("study\na,b\n", "row 2: 2 cells, header has 1"),
    ],
)
def test_a_malformed_cohort_is_one_line_naming_file_and_row(
    tmp_path: Path, text: str, message: str
) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(InputError) as info:
        read_cohort(path)
    error = str(info.value)
    assert "\n" not in error
    assert error.startswith(str(path))
    assert message in error


def test_missing_cohort_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read the cohort file"):
        read_cohort(tmp_path / "nope.csv")


def test_cli_reports_a_malformed_cohort_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from strokescope.cli import main

    path = _write(tmp_path, "study,stdy\na,b\n")
    assert main(["batch", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert err.startswith("strokescope batch: error:") and "row 1" in err


def test_cli_needs_a_cohort_and_an_out_folder(capsys: pytest.CaptureFixture[str]) -> None:
    from strokescope.cli import main

    assert main(["batch"]) == 2
    assert "give COHORT.csv and --out DIR" in capsys.readouterr().err


def test_importing_the_batch_command_does_not_import_dask() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from strokescope.cli import build_parser; build_parser()\n"
        "import strokescope.batch.run, strokescope.batch.stats\n"
        "print(','.join(m for m in ('dask', 'distributed') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
