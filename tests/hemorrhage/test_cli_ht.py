from __future__ import annotations

import json
from pathlib import Path

import pytest
from ht_cases import Case, make_case

from strokescope.cli import main
from strokescope.io.dicom_write import SeriesIdentity, write_ct_series
from strokescope.io.sitk_convert import read_mask, write_volume


@pytest.fixture(scope="module")
def small_case() -> Case:
    return make_case(seed=13, shape=(24, 192, 192), semi_mm=(8.0, 12.0, 10.0))


def test_ht_on_nifti_writes_mask_and_json(
    small_case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nii = write_volume(small_case.ncct, tmp_path / "ncct.nii.gz")
    k, j, i = small_case.centre_index
    roi = f"z={k - 2}:{k + 2} y={j - 20}:{j + 20} x={i - 20}:{i + 20}"
    out = tmp_path / "out"
    code = main(["ht", "--ncct", str(nii), "--roi", roi, "--json", "--out", str(out)])
    assert code == 0
    printed = json.loads(capsys.readouterr().out)
    saved = json.loads((out / "results-001" / "results.json").read_text())["hemorrhage"]
    assert printed == saved
    assert saved["rois"][0]["rule"] is not None
    assert saved["volume_ml"] > 0
    assert saved["global_50_80_volume_ml"] > 0
    mask = read_mask(out / "results-001" / "hemorrhage_mask.nii.gz")
    assert mask.geometry.shape == small_case.ncct.shape
    assert mask.volume_ml == pytest.approx(saved["volume_ml"], abs=1e-3)


def test_ht_on_dicom_with_click_prints_report(
    small_case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_ct_series(small_case.ncct, tmp_path / "dicom", SeriesIdentity())
    k, j, i = small_case.centre_index
    args = ["ht", "--ncct", str(tmp_path / "dicom"), "--click", f"z={k} y={j} x={i}"]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert text.startswith("Impression: Hemorrhage ")
    assert "Hemorrhage volume" in text and "ABC/2" in text and "Research use only" in text
    assert "rule '" not in text  # the SD rule is method detail: --verbose
    assert main([*args, "--verbose"]) == 0
    verbose = capsys.readouterr().out
    assert "rule '" in verbose and "SD class 'under-segmented'" in verbose
    assert "slice  area mm2" in verbose


def test_ht_bad_roi_is_one_line_error(
    small_case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nii = write_volume(small_case.ncct, tmp_path / "ncct.nii.gz")
    assert main(["ht", "--ncct", str(nii), "--roi", "z=1 y=500:510 x=1:4"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("strokescope ht: error:") and "outside the image" in err
    assert "\n" not in err
    assert main(["ht", "--ncct", str(nii)]) == 2
    assert "--roi or --click" in capsys.readouterr().err


def test_roi_partly_outside_warns_the_same_on_z_and_y(
    small_case: Case, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    nii = write_volume(small_case.ncct, tmp_path / "ncct.nii.gz")
    k, j, i = small_case.centre_index
    nz, ny, _ = small_case.ncct.shape
    past_z = f"z={k - 2}:{nz + 5} y={j - 20}:{j + 20} x={i - 20}:{i + 20}"
    past_y = f"z={k - 2}:{k + 2} y={j - 20}:{ny + 5} x={i - 20}:{i + 20}"
    assert main(["ht", "--ncct", str(nii), "--roi", past_z, "--roi", past_y]) == 0
    out = capsys.readouterr().out
    assert f"warning: ROI {past_z} clipped to the image: z={k - 2}:{nz - 1} " in out
    assert (
        f"warning: ROI {past_y} clipped to the image: z={k - 2}:{k + 2} y={j - 20}:{ny - 1} " in out
    )
