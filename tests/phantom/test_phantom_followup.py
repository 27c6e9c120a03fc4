"""Follow-up haemorrhage: target volume, HU, pattern; written DICOM geometry; CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pydicom
import pytest

from strokescope.cli import main
from strokescope.io.sitk_convert import read_mask
from strokescope.phantom import PhantomOptions, generate_study, write_study
from strokescope.phantom.followup_lesions import HI2_BLOOD_HU, PH_BLOOD_HU

FU = {
    "matrix": 96,
    "inplane_mm": 2.0,
    "slice_mm": 2.0,
    "slices": 40,
    "followup_matrix": 128,
    "noise_hu": 0.0,
    "streaks": False,
}


@pytest.mark.parametrize(
    ("kind", "ml", "seed"),
    [("PH", 0.5, 1), ("PH", 8.0, 2), ("PH", 40.0, 3), ("HI2", 2.0, 4), ("HI2", 15.0, 5)],
)
def test_hemorrhage_volume_hits_target(kind: str, ml: float, seed: int) -> None:
    study = generate_study(
        PhantomOptions(seed=seed, hemorrhage=kind, hemorrhage_ml=ml, cta=False, **FU)  # type: ignore[arg-type]
    )
    assert study.followup is not None
    mask = study.masks["hemorrhage"]
    assert mask.geometry == study.followup.geometry
    assert study.followup.meta.slice_thickness_mm == 5.0
    assert 25 <= study.followup.shape[0] <= 40
    assert mask.volume_ml == pytest.approx(ml, rel=0.02)
    assert study.truth.hemorrhage_volume_ml == pytest.approx(mask.volume_ml, rel=1e-3)
    centroid = mask.geometry.index_to_lps(np.argwhere(mask.array).mean(axis=0))
    assert centroid[0] > 5.0  # default side "left" is LPS +x
    values = study.followup.array[mask.array]
    low, high = (PH_BLOOD_HU if kind == "PH" else HI2_BLOOD_HU)[2:]
    assert low - 8 <= np.median(values) <= high


def test_hi2_is_petechial_and_ph_confluent() -> None:
    def components(kind: str) -> int:
        study = generate_study(
            PhantomOptions(seed=9, hemorrhage=kind, hemorrhage_ml=10.0, cta=False, **FU)  # type: ignore[arg-type]
        )
        m = study.masks["hemorrhage"].array
        from scipy import ndimage

        return int(ndimage.label(m)[1])

    assert components("HI2") > 3 * components("PH")


@pytest.mark.parametrize(("ml", "seed"), [(5.0, 1), (25.0, 3), (45.0, 4)])
def test_ph_is_regular_enough_for_abc2(ml: float, seed: int) -> None:
    """A PH phantom that ABC/2 misjudges by far is too lobulated to pass for a hematoma.
    Kothari's slice weighting (0.5 for slices at 25-75 % of the largest area, 0 below)
    shortens C, so on a smooth, nearly ellipsoidal bleed ABC/2 reads about 0.65-0.9 of
    the volume (an ellipsoid sliced every 1 mm: 0.67); patients' irregular bleeds read
    10-37 % high (CLINICAL_VALUES)."""
    from strokescope.hemorrhage import abc2

    opts = {**FU, "followup_matrix": 512}
    study = generate_study(
        PhantomOptions(seed=seed, hemorrhage="PH", hemorrhage_ml=ml, cta=False, **opts)  # type: ignore[arg-type]
    )
    mask = study.masks["hemorrhage"]
    estimate = abc2(mask)
    assert estimate is not None
    assert 0.6 <= estimate.volume_ml / mask.volume_ml <= 1.5


def test_written_study_geometry_and_identity(tmp_path: Path) -> None:
    tilt = 12.0
    study = generate_study(
        PhantomOptions(seed=1, tilt_deg=tilt, hemorrhage="PH", hemorrhage_ml=3.0, **FU)
    )
    paths = write_study(study, tmp_path / "out", processes=2)
    files = sorted(paths.ncct.glob("*.dcm"))
    assert len(files) == study.ncct.shape[0]
    first, second = (pydicom.dcmread(f) for f in files[:2])
    t = np.deg2rad(tilt)
    np.testing.assert_allclose(
        [float(v) for v in first.ImageOrientationPatient],
        [1, 0, 0, 0, np.cos(t), np.sin(t)],
        atol=1e-5,
    )
    step = np.subtract(
        [float(v) for v in second.ImagePositionPatient],
        [float(v) for v in first.ImagePositionPatient],
    )
    np.testing.assert_allclose(step, [0, 0, 2.0 / np.cos(t)], atol=1e-3)
    assert float(first.GantryDetectorTilt) == pytest.approx(tilt)
    assert float(first.SliceThickness) == pytest.approx(2.0)
    assert study.ncct.meta.gantry_tilt_deg == tilt and not study.ncct.geometry.is_orthogonal
    hu = first.pixel_array * float(first.RescaleSlope) + float(first.RescaleIntercept)
    np.testing.assert_allclose(hu, np.rint(study.ncct.array[0]), atol=0.5)
    cta = pydicom.dcmread(next(paths.cta.glob("*.dcm")))  # type: ignore[union-attr]
    fu = pydicom.dcmread(next(paths.followup.glob("*.dcm")))  # type: ignore[union-attr]
    assert cta.StudyInstanceUID == first.StudyInstanceUID
    assert fu.StudyInstanceUID != first.StudyInstanceUID
    assert fu.PatientID == cta.PatientID == first.PatientID
    assert "ContrastBolusAgent" in cta and "ContrastBolusAgent" not in first
    truth = json.loads(paths.truth_json.read_text())
    assert "research use only" in truth["research_use"].lower()
    assert "synthetic" in truth["synthetic"].lower()
    assert truth["options"]["seed"] == 1 and truth["hemorrhage_type"] == "PH"
    brain = read_mask(paths.masks["brain"])  # tilted grid -> NRRD keeps the shear
    np.testing.assert_allclose(brain.geometry.direction, study.ncct.geometry.direction, atol=1e-6)
    hem = read_mask(paths.masks["hemorrhage"])
    assert paths.masks["hemorrhage"].name == "hemorrhage.nii.gz"
    assert hem.voxel_count == study.masks["hemorrhage"].voxel_count


def test_cli_writes_study(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cli"
    code = main(
        [
            "phantom",
            str(out),
            "--matrix",
            "64",
            "--inplane-mm",
            "2",
            "--slice-mm",
            "3",
            "--occlusion",
            "ICA",
            "--side",
            "right",
            "--length-mm",
            "20",
            "--rotation",
            "2,1,0",
            "--seed",
            "3",
            "--no-streaks",
        ]
    )
    assert code == 0
    text = capsys.readouterr().out
    assert "right ICA" in text and "20.0 mm" in text
    truth = json.loads((out / "truth" / "truth.json").read_text())
    assert truth["occlusion_class"] == "LVO" and truth["thrombus_length_mm"] == 20.0
    assert (out / "truth" / "thrombus.nii.gz").exists() and any((out / "cta").iterdir())


def test_cli_bad_option_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["phantom", str(tmp_path), "--hemorrhage", "PH:lots"]) == 2
    assert main(["phantom", str(tmp_path), "--slice-mm", "9"]) == 2
    assert "slice_mm" in capsys.readouterr().err
