"""``strokescope thrombus --outcome-model DIR`` (and ``$STROKESCOPE_OUTCOME_MODEL``): the
installed outcome model runs on the study and its probability, with the model card's line,
reaches the report and every export; a bad folder is one line and exit status 2 before
any analysis. The analysis itself is a stand-in (a known clot on the CTA grid): these tests
are about the option, not the thrombus models."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pydicom
import pytest

from outcome_model_files import COHORT, FEATURES, edit_manifest, train_tiny_model
from strokescope import pipeline
from strokescope.cli import main
from strokescope.outcome.prediction import OUTCOME
from strokescope.phantom import PhantomOptions, generate_study, write_study
from strokescope.resources import OUTCOME_MODEL_ENV
from strokescope.thrombus.result import Thrombus, ThrombusResult
from strokescope.vessels.reading import TREE_CAVEAT
from strokescope.volume import Mask, Volume


@pytest.fixture(scope="module")
def study(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small seeded phantom written as DICOM (NCCT + CTA)."""
    root = tmp_path_factory.mktemp("study")
    return write_study(generate_study(PhantomOptions(seed=3).small()), root / "s").root


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return train_tiny_model(tmp_path_factory.mktemp("outcome"))


def _clot_on(cta: Volume) -> ThrombusResult:
    arr = np.zeros(cta.shape, bool)
    k, j, i = (s // 2 for s in cta.shape)
    arr[k - 1 : k + 2, j - 1 : j + 2, i - 3 : i + 4] = True
    clot = Thrombus(1, 63.0, 15.0, 3.0, 61.0, 5.0, 80.0, 19.0, 1.4, "left", (0, 0, 0), "M1", 0.9)
    return ThrombusResult(
        (clot,), True, True, "LVO", Mask(arr, cta.geometry, "thrombus"), None, None,
        "stand-in", {}, "LVO if ICA/M1 component",
    )  # fmt: skip


@pytest.fixture
def analysed(monkeypatch: pytest.MonkeyPatch) -> list[ThrombusResult]:
    """Replace the analysis by a stand-in; the list holds each result it gave."""
    done: list[ThrombusResult] = []

    def analyze(ncct: Volume, cta: Volume | None, **_options: Any) -> ThrombusResult:
        assert cta is not None
        done.append(_clot_on(cta))
        return done[-1]

    monkeypatch.setattr(pipeline, "analyze_thrombus", analyze)
    monkeypatch.delenv(OUTCOME_MODEL_ENV, raising=False)
    return done


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["thrombus", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_option_puts_the_probability_in_the_report_and_every_export(
    study: Path,
    model: Path,
    tmp_path: Path,
    analysed: list[ThrombusResult],
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "out"
    code, stdout, err = _run(capsys, str(study), "--outcome-model", str(model), "--out", str(out))
    assert code == 0, err
    expected = pipeline.predict_outcome(analysed[0], model=model)
    assert expected.probability is not None and f"{COHORT} (n=160)" in expected.model
    assert expected.line() in stdout.splitlines()
    doc = json.loads((out / "results-001" / "results.json").read_text())
    assert doc["outcome"]["prediction"] == expected.to_dict()
    (row,) = csv.DictReader((out / "results-001" / "results.csv").open())
    assert float(row["outcome_probability"]) == pytest.approx(expected.probability, abs=0.01)
    assert COHORT.encode() in (out / "results-001" / "report.pdf").read_bytes()
    assert b"outcome-probability" in (out / "results-001" / "sr.dcm").read_bytes()
    code, stdout, _ = _run(capsys, str(study), "--outcome-model", str(model), "--json")
    assert json.loads(stdout)["outcome_prediction"] == expected.to_dict()


def test_without_a_model_the_exports_show_features_only(
    study: Path, tmp_path: Path, analysed: list[ThrombusResult], capsys: pytest.CaptureFixture[str]
) -> None:
    code, stdout, _ = _run(capsys, str(study), "--out", str(tmp_path))
    assert code == 0 and OUTCOME not in stdout
    doc = json.loads((tmp_path / "results-001" / "results.json").read_text())
    assert doc["outcome"]["prediction"] is None and doc["outcome"]["features"]
    code, stdout, _ = _run(capsys, str(study), "--json")
    assert "outcome_prediction" not in json.loads(stdout)


def test_environment_variable_names_the_default_model(
    study: Path,
    model: Path,
    analysed: list[ThrombusResult],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv(OUTCOME_MODEL_ENV, str(model))
    code, stdout, err = _run(capsys, str(study))
    assert code == 0 and f"{OUTCOME} " in stdout and f"outcome model {model}" in err
    monkeypatch.setenv(OUTCOME_MODEL_ENV, "")  # set but empty: no model
    code, stdout, _ = _run(capsys, str(study))
    assert code == 0 and OUTCOME not in stdout


def _broken(model: Path, tmp_path: Path, how: str) -> tuple[Path, str]:
    """A copy of ``model`` broken one way, and the words the error must say."""
    folder = tmp_path / how
    if how == "missing manifest":
        folder.mkdir()
        return folder, f"{folder}: no manifest.json"
    shutil.copytree(model, folder)
    if how == "checksum":
        with (folder / "MODEL_CARD.md").open("a") as fh:
            fh.write("edited\n")
        return folder, f"{folder / 'MODEL_CARD.md'}: sha256 differs"
    if how == "unknown feature":
        edit_manifest(folder, input={"features": ["nihss", FEATURES[1]]})
        return folder, "features not computed from a study by this version: nihss"
    edit_manifest(folder, input={"units": ["cm", "HU"]})
    return folder, "feature units differ from this version's: clot_length_mm in 'cm'"


@pytest.mark.parametrize("how", ["missing manifest", "checksum", "unknown feature", "unit"])
def test_bad_folder_is_one_line_and_status_2_before_the_analysis(
    how: str,
    study: Path,
    model: Path,
    tmp_path: Path,
    analysed: list[ThrombusResult],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder, words = _broken(model, tmp_path, how)
    code, stdout, err = _run(capsys, str(study), "--outcome-model", str(folder))
    assert code == 2 and not analysed and stdout == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith("strokescope thrombus: error: ") and words in err
    assert str(folder) in err
    monkeypatch.setenv(OUTCOME_MODEL_ENV, str(folder))
    code, _, err = _run(capsys, str(study))
    assert code == 2 and err.rstrip().endswith(f"(named by ${OUTCOME_MODEL_ENV})")


def _tree_segment_hu(seg_path: Path, study: Path) -> float:
    """Median source HU under the SEG's "Arterial tree" segment (the last, after the
    thrombus), its codes checked on the way."""
    seg = pydicom.dcmread(seg_path)
    assert [s.SegmentLabel for s in seg.SegmentSequence] == ["Thrombus", "Arterial tree"]
    tree = seg.SegmentSequence[1]
    assert tree.SegmentedPropertyCategoryCodeSequence[0].CodeValue == "91723000"
    assert tree.SegmentedPropertyTypeCodeSequence[0].CodeValue == "88556005"
    sources = {}
    for f in study.rglob("*"):
        if f.is_file():
            ds = pydicom.dcmread(f, stop_before_pixels=True, force=True)
            sources[str(getattr(ds, "SOPInstanceUID", ""))] = f
    frames = seg.pixel_array.reshape(-1, seg.Rows, seg.Columns)
    hu = []
    for frame, item in zip(frames, seg.PerFrameFunctionalGroupsSequence, strict=True):
        if item.SegmentIdentificationSequence[0].ReferencedSegmentNumber != 2:
            continue
        ref = item.DerivationImageSequence[0].SourceImageSequence[0].ReferencedSOPInstanceUID
        src = pydicom.dcmread(sources[ref])
        image = src.pixel_array * float(src.RescaleSlope) + float(src.RescaleIntercept)
        hu.append(image[frame > 0])
    assert hu, "the tree segment has no frame"
    return float(np.median(np.concatenate(hu)))


def test_arteries_option_adds_the_tree_to_the_report_and_the_json(
    study: Path,
    tmp_path: Path,
    analysed: list[ThrombusResult],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    stand_in = pipeline.analyze_thrombus  # registered: the tree reads through the motion

    def registered(*args: Any, **options: Any) -> ThrombusResult:
        return replace(stand_in(*args, **options), cta_to_ncct=np.eye(4))

    monkeypatch.setattr(pipeline, "analyze_thrombus", registered)
    code, stdout, err = _run(capsys, str(study), "--arteries", "--json")
    assert code == 0, err
    arteries = json.loads(stdout)["arteries"]
    assert 0 <= arteries["clot_burden_score"]["score"] <= 10 and arteries["segments"]
    assert [c["thrombus"] for c in arteries["thrombi"]] == [1]
    code, stdout, _ = _run(capsys, str(study), "--arteries", "--out", str(tmp_path))
    assert "Clot burden score" in stdout and TREE_CAVEAT in stdout
    sr = tmp_path / "results-001" / "sr.dcm"
    text = str(pydicom.dcmread(sr))
    assert "Arterial tree" in text and "L-M1" in text and "R-ICAs" in text
    seg = tmp_path / "results-001" / "seg.dcm"
    assert _tree_segment_hu(seg, study) > 150.0  # the tree's segment lies on opacified lumen
    if shutil.which("dciodvfy") is not None:
        for path in (sr, seg):
            run = subprocess.run(["dciodvfy", str(path)], capture_output=True, text=True)
            out = (run.stdout + run.stderr).splitlines()
            assert not [ln for ln in out if ln.startswith("Error")], path.name
    code, stdout, _ = _run(capsys, str(study))
    assert code == 0 and "Clot burden score" not in stdout
