"""The outcome network's ONNX export: parity with PyTorch on real stacks, a changed network
refused, and the installed folder run by the app without torch."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from training.scanet import ScaNet
from training.scanet_onnx import PARITY_TOLERANCE, checked_export, install_network, require_parity

from strokescope.errors import InputError, ModelError

CV = {
    "method": "5-fold stratified cross-validation",
    "n": 40,
    "auc": 0.71,
    "auc_low": 0.55,
    "auc_high": 0.87,
    "calibration_slope": 0.9,
    "calibration_intercept": 0.1,
    "accuracy": 0.65,
}


def _stacks(n: int, seed: int) -> np.ndarray:
    """Stacks with a stack's value range (the builder's windows give [-1, 1])."""
    rng = np.random.default_rng(seed)
    return np.clip(rng.normal(-0.6, 0.4, (n, 2, 16, 64, 64)), -1, 1).astype(np.float32)


@pytest.fixture(scope="module")
def net() -> ScaNet:
    torch.manual_seed(0)
    model = ScaNet()
    with torch.no_grad():  # batch-norm statistics other than the initial ones
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)
    return model.eval()


def test_export_agrees_with_torch_and_a_changed_network_is_refused(net: ScaNet) -> None:
    x = _stacks(3, seed=1)
    data, gap = checked_export(net, x)
    assert gap <= PARITY_TOLERANCE
    changed = ScaNet(net.config)
    changed.load_state_dict(net.state_dict())
    with torch.no_grad():
        changed.head.bias += 0.05
    with pytest.raises(ModelError, match="differs from PyTorch"):
        require_parity(changed.eval(), data, x)


RUN_WITHOUT_TORCH = """
import sys
sys.modules["torch"] = None  # importing torch now fails
import numpy as np
from strokescope.outcome.installed import load_outcome_model
model = load_outcome_model(sys.argv[1])
p = model.predict(np.load(sys.argv[2]))
print(model.kind, ",".join(f"{v:.7f}" for v in p))
print(model.describe())
assert "torch" not in [m for m in sys.modules if sys.modules[m] is not None]
"""


@pytest.fixture(scope="module")
def folder(net: ScaNet, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("network")
    y = np.array([0, 1] * 20)
    return install_network(
        net, root / "model", cohort="test cohort", y=y, cv=CV, examples=_stacks(2, 3)
    )


def test_installed_folder_round_trips_through_the_app_without_torch(
    net: ScaNet, folder: Path, tmp_path: Path
) -> None:
    x = _stacks(2, seed=2)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["model_kind"] == "network" and list(manifest["files"]) == [
        "model.onnx",
        "MODEL_CARD.md",
    ]
    assert manifest["cohort"] == {"description": "test cohort", "n": 40, "successes": 20}
    np.save(tmp_path / "x.npy", x)
    done = subprocess.run(
        [sys.executable, "-c", RUN_WITHOUT_TORCH, str(folder), str(tmp_path / "x.npy")],
        capture_output=True,
        text=True,
        check=True,
    )
    kind, values = done.stdout.splitlines()[0].split()
    with torch.no_grad():
        want = torch.sigmoid(net(torch.from_numpy(x))).numpy().reshape(-1)
    assert kind == "network"
    assert np.max(np.abs(np.array(values.split(","), float) - want)) <= PARITY_TOLERANCE
    assert done.stdout.splitlines()[1] == (
        "network on NCCT + CTA, test cohort (n=40), cross-validated AUC 0.71 (95 % CI 0.55-0.87)"
    )
    card = (folder / "MODEL_CARD.md").read_text()
    assert "n = 40 (20 successes)" in card and "ROC-AUC 0.710" in card


def test_the_pipeline_runs_a_network_model_on_the_study_images(
    net: ScaNet, folder: Path, tmp_path: Path
) -> None:
    from strokescope import pipeline
    from strokescope.outcome.network_input import network_input
    from strokescope.thrombus.result import Thrombus
    from strokescope.volume import Geometry, Volume
    from thrombus_results import thrombus_result

    geometry = Geometry((40, 80, 80), (1.0, 1.0, 1.0), (-40.0, -40.0, -20.0))
    rng = np.random.default_rng(4)
    ncct = Volume(rng.normal(35.0, 5.0, geometry.shape).astype(np.float32), geometry)
    cta = Volume(rng.normal(60.0, 30.0, geometry.shape).astype(np.float32), geometry)
    clot = Thrombus(
        label=1,
        volume_mm3=100.0,
        length_mm=12.0,
        max_diameter_mm=3.0,
        ncct_mean_hu=61.0,
        ncct_sd_hu=5.0,
        cta_mean_hu=80.0,
        perviousness_hu=19.0,
        relative_attenuation=1.4,
        side="right",
        centroid_lps=(10.0, 0.0, 0.0),
        segment="M1",
        probability_mean=0.9,
    )
    result = thrombus_result(clot)
    assert pipeline.check_outcome_model(folder).startswith("network on NCCT + CTA, test cohort")
    got = pipeline.predict_outcome(result, model=folder, ncct=ncct, cta=cta)
    stack = network_input(ncct, cta, result).stack[None]
    with torch.no_grad():
        want = float(torch.sigmoid(net(torch.from_numpy(stack))))
    assert got.probability == pytest.approx(want, abs=PARITY_TOLERANCE)
    assert got.features == ("ncct", "cta") and got.model_name == "strokescope-outcome-network"
    without = pipeline.predict_outcome(result, model=folder, ncct=ncct)
    assert without.probability is None and without.reason == "the network needs the CTA images"


def test_outcome_evaluate_runs_a_network_model_on_each_rows_stack(
    net: ScaNet, folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each row's stack is built as at run time (here from stand-in images); the
    probabilities are the network's, a row without a CTA is left out with the reason."""
    from strokescope import pipeline, pipeline_outcome
    from strokescope.outcome.network_input import network_input
    from strokescope.volume import Geometry, Volume
    from thrombus_results import thrombus_result

    geometry = Geometry((40, 80, 80), (1.0, 1.0, 1.0), (-40.0, -40.0, -20.0))
    rows = {f"p{i}": (i % 2, 30.0 + 7.0 * i) for i in range(6)}
    lines = ["id,ncct,cta,outcome"] + [f"{k},{k}_n.nii,{k}_c.nii,{y}" for k, (y, _) in rows.items()]
    lines.append("nocta,x_n.nii,,1")
    (tmp_path / "cohort.csv").write_text("\n".join(lines) + "\n")

    def images(row, models, threads):  # type: ignore[no-untyped-def]
        rng = np.random.default_rng(len(row.id) + int(rows.get(row.id, (0, 0.0))[1]))
        level = rows.get(row.id, (0, 35.0))[1]
        ncct = Volume(rng.normal(level, 5.0, geometry.shape).astype(np.float32), geometry)
        cta = Volume(rng.normal(2 * level, 30.0, geometry.shape).astype(np.float32), geometry)
        return ncct, None if row.cta is None else cta, thrombus_result()

    monkeypatch.setattr(pipeline_outcome, "_row_images", images)
    run = pipeline.evaluate_outcome_model(folder, tmp_path / "cohort.csv", tmp_path / "out")
    record = json.loads((tmp_path / "out" / "evaluation.json").read_text())
    assert run.metrics.n == 6 and record["inputs"] == ["ncct", "cta"]
    assert record["excluded"] == ["nocta (line 8): no CTA series"]
    assert (tmp_path / "out" / "roc.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for patient in record["patients"]:
        ncct, cta, result = images(type("R", (), {"id": patient["id"], "cta": "c"}), None, 1)
        stack = network_input(ncct, cta, result).stack[None]
        with torch.no_grad():
            want = float(torch.sigmoid(net(torch.from_numpy(stack))))
        assert patient["probability"] == pytest.approx(want, abs=PARITY_TOLERANCE)
        assert patient["outcome"] == rows[patient["id"]][0]
    one_outcome = "id,ncct,cta,outcome\np1,a.nii,b.nii,1\np3,c.nii,d.nii,1\n"
    (tmp_path / "one.csv").write_text(one_outcome)
    with pytest.raises(InputError, match="both outcomes"):
        pipeline.evaluate_outcome_model(folder, tmp_path / "one.csv", tmp_path / "out2")


def test_a_network_built_for_another_stack_is_refused(folder: Path, tmp_path: Path) -> None:
    from strokescope import pipeline

    copy = tmp_path / "m"
    shutil.copytree(folder, copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["input"]["spacing_mm"] = 1.0
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelError, match="spacing_mm 1.0.*retrain"):
        pipeline.check_outcome_model(copy)


def test_the_training_command_cross_validates_and_installs(tmp_path: Path) -> None:
    from training.scanet_train import main

    from strokescope.outcome.installed import load_outcome_model

    x = _stacks(8, seed=5)
    y = np.array([0, 1] * 4)
    x[y == 1, 1, :, 24:40, 24:40] = 1.0
    np.savez(tmp_path / "stacks.npz", x=x, y=y)
    argv = [str(tmp_path / "stacks.npz"), "--out", str(tmp_path / "model"), "--cohort", "tiny"]
    assert main([*argv, "--folds", "2", "--epochs", "1", "--work", str(tmp_path / "w")]) == 0
    model = load_outcome_model(tmp_path / "model")
    assert model.kind == "network" and model.manifest["cohort"]["n"] == 8
    assert model.manifest["cross_validation"]["method"] == "2-fold stratified cross-validation"
    assert sorted(p.name for p in (tmp_path / "w" / "folds").iterdir()) == ["fold0.pt", "fold1.pt"]
    assert main([str(tmp_path / "cohort.csv"), *argv[1:]]) == 2  # a cohort file needs --work
