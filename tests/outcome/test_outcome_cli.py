"""``strokescope outcome train`` / ``evaluate`` on cohort files with feature columns: the
whole path from CSV to an installed ONNX model and a held-out evaluation, and the one-line
refusals of bad input."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from cohort_files import write_cohort
from training.outcome_onnx import PARITY_TOLERANCE, install_model, parity_inputs

from strokescope.cli import main
from strokescope.outcome.installed import load_outcome_model
from strokescope.outcome.train import model_from_dict


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("outcome")
    cohort = write_cohort(root / "train.csv", 240, seed=5, mtici=True)
    assert (
        main(["outcome", "train", str(cohort), "--out", str(root / "run"), "--bootstrap", "40"])
        == 0
    )
    return root


def test_train_writes_fit_and_plots(trained: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fit = json.loads((trained / "run" / "fit.json").read_text())
    assert fit["n"] == 240 and fit["model"]["names"] == [
        "clot_length_mm",
        "perviousness_hu",
        "collateral_grade",
    ]
    cv = fit["cross_validation"]
    assert cv["auc_low"] < cv["auc"] < cv["auc_high"] and cv["auc"] > 0.65
    assert [np.sign(c["per_sd"]) for c in fit["coefficients"]] == [-1, 1, 1]
    for png in ("calibration.png", "roc.png"):
        assert (trained / "run" / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_installed_onnx_matches_numpy_and_evaluates_a_held_out_cohort(
    trained: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = install_model(trained / "run" / "fit.json", trained / "model", cohort="synthetic law")
    manifest = json.loads((folder / "manifest.json").read_text())
    assert set(manifest["files"]) == {"model.onnx", "MODEL_CARD.md"}
    assert "not validated on patients" in manifest["research_use"]
    assert manifest["cohort"]["n"] == 240 and "auc_low" in manifest["cross_validation"]
    assert "Research use only" in (folder / "MODEL_CARD.md").read_text()
    model = model_from_dict(json.loads((trained / "run" / "fit.json").read_text()))
    x = parity_inputs(model, n=500, seed=9)
    gap = np.abs(load_outcome_model(folder).predict(x) - model.predict(x)).max()
    assert gap <= PARITY_TOLERANCE
    held_out = write_cohort(trained / "test.csv", 150, seed=6)
    out = trained / "eval"
    assert main(["outcome", "evaluate", str(folder), str(held_out), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "ROC-AUC" in text and "specificity" in text and "synthetic law (n=240)" in text
    metrics = json.loads((out / "evaluation.json").read_text())["metrics"]
    assert metrics["n"] == 150 and metrics["auc"] > 0.65
    for key in ("accuracy", "sensitivity", "specificity", "precision"):
        assert metrics[key]["low"] <= metrics[key]["value"] <= metrics[key]["high"]
    assert (out / "roc.png").is_file()


def test_altered_model_is_refused_in_one_line(
    trained: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = install_model(trained / "run" / "fit.json", tmp_path / "m", cohort="x")
    (folder / "MODEL_CARD.md").write_text("edited")
    code = main(
        [
            "outcome",
            "evaluate",
            str(folder),
            str(trained / "train.csv"),
            "--out",
            str(tmp_path / "e"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and "sha256 differs" in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id,length,outcome\na,3,yes\n", "line 2: outcome 'yes' is not 0/1"),
        ("id,length,mtici\na,3,2d\n", "line 2: mtici '2d' is not an mTICI grade"),
        ("id,length,outcome\na,three,1\n", "line 2: column length: 'three' is not a number"),
        ("id,length\na,3\n", "needs one outcome column"),
        ("id,length,outcome\na,3,1\na,4,0\n", "line 3: id 'a' repeats"),
        ("id,outcome\na,1\n", "line 2: no images"),
        (
            "id,length,outcome\n" + "".join(f"r{i},{i},{i % 2}\n" for i in range(6)),
            "has 3 successes",
        ),
    ],
)
def test_bad_cohort_files_give_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, message: str
) -> None:
    cohort = tmp_path / "c.csv"
    cohort.write_text(text)
    code = main(["outcome", "train", str(cohort), "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err.strip()
    assert code == 2 and message in err and len(err.splitlines()) == 1
    assert str(cohort) in err


def test_a_held_out_cohort_of_one_outcome_is_refused_in_one_line(
    trained: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = install_model(trained / "run" / "fit.json", trained / "model1", cohort="law")
    cohort = write_cohort(trained / "all.csv", 30, seed=7)
    lines = cohort.read_text().splitlines()
    column = lines[0].split(",").index("outcome")
    ones = [
        ",".join(f if k != column else "1" for k, f in enumerate(r.split(","))) for r in lines[1:]
    ]
    single = trained / "single.csv"
    single.write_text("\n".join([lines[0], *ones]) + "\n")
    out = trained / "eval1"
    assert main(["outcome", "evaluate", str(folder), str(single), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "single.csv" in err[0] and "both outcomes" in err[0]
    assert not (out / "evaluation.json").exists()
