"""One path rule and one ``--series`` rule for ``info``, ``ht`` and ``thrombus``.

``info PATH`` accepts what ``ht --ncct PATH`` accepts (folder, DICOM file, NIfTI file) and
refuses the rest with the same line; the row number ``info`` prints is what ``--series``,
``--ncct-series`` and ``--cta-series`` take.
"""

from __future__ import annotations

import json
import logging
import warnings
from pathlib import Path

import numpy as np
import pytest
from dicom_factory import set_tags, write_stack

from strokescope.cli import build_parser, main
from strokescope.cli_thrombus import thrombus_inputs as _thrombus_inputs
from strokescope.errors import DicomLoadError
from strokescope.io import load_volume, pick_series, scan_source
from strokescope.io.sitk_convert import write_mask, write_volume
from strokescope.volume import Mask, Volume

STUDY_UID = "1.2.826.0.1.3680043.10.1467.77"


@pytest.fixture
def study(tmp_path: Path) -> Path:
    """Rows of `info`: 1 NCCT 5 mm, 2 NCCT 1 mm, 3 CTA, 4 MR (series numbers 1-4)."""
    root = tmp_path / "study"
    for n, (folder, description, contrast) in enumerate(
        (("thick", "NCCT HEAD 5mm", ""), ("thin", "NCCT HEAD 1mm", ""), ("cta", "CTA", "OMNI")),
        start=1,
    ):
        write_stack(
            root / folder,
            [0.0, 1.0, 2.0, 3.0],
            description=description,
            contrast_agent=contrast,
            study_uid=STUDY_UID,
            series_number=n,
        )
    for path in write_stack(
        root / "mr", [0.0, 1.0, 2.0], description="T1", study_uid=STUDY_UID, series_number=4
    ):
        set_tags(path, Modality="MR")
    return root


def _rows(text: str) -> dict[str, int]:
    """Description -> row number, read from the `info` table."""
    rows = {}
    for line in text.splitlines():
        cells = line.split()
        if len(cells) > 3 and cells[0].isdigit() and cells[1] in ("CT", "MR", "-"):
            rows[line[10:42].strip()] = int(cells[0])
    return rows


def test_series_takes_the_row_number_info_prints(
    study: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["info", str(study)]) == 0
    rows = _rows(capsys.readouterr().out)
    assert rows == {"NCCT HEAD 5mm": 1, "NCCT HEAD 1mm": 2, "CTA": 3, "T1": 4}
    for description, row in rows.items():
        if description != "T1":
            assert load_volume(study, series=str(row)).meta.description == description
    with pytest.raises(DicomLoadError, match="series 4 is MR 'T1', not a CT image series"):
        load_volume(study, series="4")
    with pytest.raises(DicomLoadError, match=r"no series matches '9' \(rows 1-4"):
        load_volume(study, series="9")
    # the other rules still work, and a UID is never read as a row number
    scan = scan_source(study)
    assert pick_series(scan, "1mm").description == "NCCT HEAD 1mm"
    assert pick_series(scan, scan.series[2].key).description == "CTA"
    ht_help = build_parser()._subparsers._group_actions[0].choices["ht"].format_help()  # type: ignore[union-attr]
    assert "row number that 'strokescope info' prints" in " ".join(ht_help.split())


def test_thrombus_picks_series_by_the_same_rule(study: Path) -> None:
    parser = build_parser()
    args = parser.parse_args(["thrombus", str(study), "--ncct-series", "2", "--cta-series", "CTA"])
    ncct, cta = _thrombus_inputs(args)
    assert ncct.meta.description == "NCCT HEAD 1mm"  # type: ignore[attr-defined]
    assert cta.meta.description == "CTA"  # type: ignore[attr-defined]
    args = parser.parse_args(["thrombus", str(study), "--ncct-series", "1"])
    ncct, cta = _thrombus_inputs(args)
    assert ncct.meta.description == "NCCT HEAD 5mm"  # type: ignore[attr-defined]
    assert cta is not None  # the CTA role is still picked automatically
    args = parser.parse_args(["thrombus", "--ncct", str(study), "--ncct-series", "2"])
    ncct, cta = _thrombus_inputs(args)
    assert ncct.meta.description == "NCCT HEAD 1mm" and cta is None  # type: ignore[attr-defined]
    with pytest.raises(DicomLoadError, match="series 4 is MR"):
        _thrombus_inputs(parser.parse_args(["thrombus", str(study), "--cta-series", "4"]))


def _error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    return err.split(": error: ", 1)[1]


def test_info_and_ht_accept_and_refuse_the_same_paths(
    study: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    one_file = sorted((study / "cta").iterdir())[0]
    assert main(["info", str(one_file)]) == 0
    out = capsys.readouterr().out
    assert f"cta: 1 image series in 4 files (the series holding {one_file.name})" in out
    assert _rows(out) == {"CTA": 1}
    assert load_volume(one_file).meta.description == "CTA"

    vol = Volume.from_array(np.zeros((5, 6, 7), np.float32), (2.0, 0.5, 0.25))
    nii = write_volume(vol, tmp_path / "head.nii.gz")
    assert main(["info", str(nii)]) == 0
    out = capsys.readouterr().out
    assert "(NIfTI/NRRD/MHA image file)" in out
    row = next(line for line in out.splitlines() if line.startswith(" 1 "))
    assert "head.nii.gz" in row and " 5 " in row and "0.5 x 0.25 x 2" in row

    notes = study / "notes.txt"
    notes.write_text("not an image")
    roi = ["--roi", "z=1 y=1:4 x=1:4"]
    for path in (notes, tmp_path / "missing"):
        info_err = _error(capsys, ["info", str(path)])
        assert info_err == _error(capsys, ["ht", "--ncct", str(path), *roi])
    assert _error(capsys, ["info", str(notes)]) == (
        f"file {notes}: not part of a loadable image series"
    )


def test_info_leaves_out_phantom_truth_files_quietly(
    study: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    truth = study / "truth"
    grid = Volume.from_array(np.zeros((3, 4, 5), np.float32), (1.0, 1.0, 1.0)).geometry
    write_mask(Mask(np.zeros((3, 4, 5), bool), grid, "hemorrhage"), truth / "hemorrhage.nii.gz")
    (truth / "truth.json").write_text("{}")
    (study / "junk.dcm").write_bytes(b"\x01" * 300)
    assert main(["info", str(study)]) == 0
    out = capsys.readouterr().out
    assert "truth" not in out.split("Left out", 1)[-1].split("Not DICOM")[0]
    assert "junk.dcm: not a DICOM file" in out  # real DICOM noise is still listed
    assert "Not DICOM by name, not read: 2 NIfTI/NRRD/MHA/JSON file(s)" in out
    assert main(["info", str(study), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert not [s for s in data["skipped"] if "truth" in s["path"]]
    assert data["n_ignored"] == 2


def test_pydicom_warnings_become_one_problem_line_per_series(
    study: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for n, path in enumerate(sorted((study / "thin").iterdir())):
            set_tags(path, SOPInstanceUID=f"1.2.3.0{n + 1}")  # leading zero: invalid UI
    caplog.clear()
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")
        assert main(["info", str(study)]) == 0
    out = capsys.readouterr()
    assert [str(w.message) for w in caught] == []
    assert [r.getMessage() for r in caplog.records if r.name.startswith("pydicom")] == []
    problems = out.out.split("Problems:", 1)[1].splitlines()
    pydicom_lines = [line for line in problems if "pydicom" in line]
    assert pydicom_lines == [
        "   2  pydicom warnings in 4 of 4 file(s): Invalid value for VR UI: '1.2.3.01'."
    ]
    assert "Invalid value" not in out.err
