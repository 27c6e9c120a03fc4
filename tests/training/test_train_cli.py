"""End to end: ``python -m training.train`` on tiny data for a few iterations, then export."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from training.dataset import list_cases, read_case
from training.onnx_export import INPUT_NAME, OUTPUT_NAME, session
from training.onnx_weights import onnx_parameters
from training.train import main


def _check_outputs(out: Path) -> dict[str, object]:
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["files"]) == {
        "thrombus_coarse.onnx",
        "thrombus_fine.onnx",
        "MODEL_CARD.md",
        "training_log.json",
    }
    for name, digest in manifest["files"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
        assert (out / name).stat().st_mode & 0o044 == 0o044  # readable by the app's user
    stages = {s["stage"]: s for s in manifest["stages"]}
    assert stages["coarse"]["input"]["channels"] == ["NCCT", "CTA"]
    assert stages["fine"]["input"]["channels"] == ["NCCT", "CTA", "coarse_probability"]
    for s in stages.values():
        assert s["checks"]["parity_max_abs_diff"] <= 1e-4
        assert s["opset"] >= 17
        div = s["size_divisor"]
        shape = [2 * div, 3 * div, 2 * div]
        x = np.full((1, len(s["input"]["channels"]), *shape), 0.3, np.float32)
        y = session(out / s["file"], threads=1).run([OUTPUT_NAME], {INPUT_NAME: x})[0]
        assert y.shape == (1, 1, *shape)
    assert manifest["normalisation"]["channels"]["NCCT"]["clip_hu"] == [-20.0, 180.0]
    assert manifest["held_out_metrics"]["values"] is None
    assert "not validated on patients" in manifest["notice"].lower()
    return manifest


def test_train_on_an_nnunet_dataset_and_export(synthetic_dataset: Path, tmp_path: Path) -> None:
    out = tmp_path / "models_onnx"
    args = [
        "--out",
        str(out),
        "--seed",
        "0",
        "--data",
        str(synthetic_dataset),
        "--tiny",
        "--coarse-iterations",
        "3",
        "--fine-iterations",
        "3",
        "--cache",
        str(tmp_path / "c"),
        "--val-fraction",
        "0.25",
        "--threads",
        "1",
    ]
    assert main(args) == 0
    manifest = _check_outputs(out)
    training = manifest["training"]
    assert isinstance(training, dict)
    assert training["data"]["n_train"] == 3 and training["data"]["n_validation"] == 1
    assert [s["iterations"] for s in training["stages"]] == [3, 3]
    assert training["phantom_validation"]["n_cases"] == 1
    card = (out / "MODEL_CARD.md").read_text()
    assert "not been validated on patient images" in card


def _tiny_phantom_args(out: Path, cache: Path, *, threads: int = 1) -> list[str]:
    return [
        "--out",
        str(out),
        "--seed",
        "3",
        "--tiny",
        "--cases",
        "2",
        "--val-fraction",
        "0",
        "--coarse-iterations",
        "2",
        "--fine-iterations",
        "2",
        "--cache",
        str(cache),
        "--threads",
        str(threads),
    ]


def test_train_on_tiny_phantoms(tmp_path: Path) -> None:
    out = tmp_path / "models_onnx"
    cache = tmp_path / "c"
    assert main(_tiny_phantom_args(out, cache)) == 0
    manifest = _check_outputs(out)
    assert "phantoms" in manifest["training"]["data"]["description"]  # type: ignore[index]
    card = (out / "MODEL_CARD.md").read_text()
    assert "synthetic phantoms only" in card
    ckpts = sorted((cache / "checkpoints").glob("*/*.ckpt"))
    assert [c.name for c in ckpts] == ["coarse.ckpt", "fine.ckpt"]  # fixed counts: resumable
    raw = cache / "phantoms_seed3_tiny"
    assert list_cases(raw) == ("PHANTOM_003_0000", "PHANTOM_003_0001")
    case = read_case(raw, "PHANTOM_003_0000")
    assert case.ncct.shape == case.cta.shape == case.label.geometry.shape


def test_workers_and_jobs_train_the_same_recipe_in_parallel(tmp_path: Path) -> None:
    """The many-core path (a GPU machine's): data written and prepared by several processes,
    batches drawn by workers; the run records where it trained."""
    out, cache = tmp_path / "models", tmp_path / "cache"
    args = _tiny_phantom_args(out, cache) + ["--workers", "2", "--jobs", "2", "--device", "cpu"]
    assert main(args) == 0
    manifest = _check_outputs(out)
    log = json.loads((out / "training_log.json").read_text())
    assert log["device"] == "cpu" and log["batch_workers"] == 2
    assert [s["iterations"] for s in log["stages"]] == [2, 2]
    assert manifest["training"]["data"]["n_train"] == 2  # type: ignore[index]
    assert len(list((cache / "phantoms_seed3_tiny" / "labelsTr").glob("*.nii.gz"))) == 2


def test_an_unknown_device_is_refused_in_one_line(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    args = _tiny_phantom_args(tmp_path / "m", tmp_path / "c") + ["--device", "tpu"]
    with pytest.raises(SystemExit) as e:
        main(args)
    assert e.value.code == 2
    assert "device must be cpu or cuda" in capsys.readouterr().err
    assert not (tmp_path / "c").exists()


def test_coarse_iterations_beside_coarse_from_are_refused(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """A coarse stage that is kept cannot also be trained: one line, exit 2, nothing written."""
    args = _tiny_phantom_args(tmp_path / "m", tmp_path / "c")
    args += ["--coarse-from", str(tmp_path), "--coarse-iterations", "5"]
    with pytest.raises(SystemExit) as e:
        main(args)
    assert e.value.code == 2
    assert "drop --coarse-iterations" in capsys.readouterr().err
    assert not (tmp_path / "c").exists()


def _weights(folder: Path) -> dict[str, str]:
    manifest = json.loads((folder / "manifest.json").read_text())
    return {k: v for k, v in manifest["files"].items() if k.endswith(".onnx")}


def test_two_runs_with_one_seed_write_bit_identical_models(tmp_path: Path) -> None:
    """`make train` is reproducible: fresh data and caches, same seed, same weights."""
    digests = []
    for run in ("a", "b"):
        out, cache = tmp_path / run / "models", tmp_path / run / "cache"
        assert main(_tiny_phantom_args(out, cache, threads=2)) == 0
        digests.append(_weights(out))
    assert len(digests[0]) == 2
    assert digests[0] == digests[1]


def test_fine_tuning_starts_from_a_model_folder_and_adds_a_dataset(
    synthetic_dataset: Path, tmp_path: Path
) -> None:
    """--init-from takes the exported weights; --extra-data trains on a second dataset."""
    first, cache = tmp_path / "first", tmp_path / "c"
    assert main(_tiny_phantom_args(first, cache)) == 0
    args = _tiny_phantom_args(tmp_path / "tuned", cache)
    zero = args.index("2", args.index("--coarse-iterations"))
    args[zero] = "1"  # one coarse step: weights move a little from the first model's
    args += ["--init-from", str(first), "--extra-data", str(synthetic_dataset)]
    assert main(args) == 0
    manifest = _check_outputs(tmp_path / "tuned")
    data = manifest["training"]["data"]  # type: ignore[index]
    assert data["n_train"] == 2 + 4 and data["extra"] == [str(synthetic_dataset)]
    assert manifest["training"]["initialised_from"] == str(first)  # type: ignore[index]
    before = onnx_parameters(first / "thrombus_coarse.onnx")
    after = onnx_parameters(tmp_path / "tuned" / "thrombus_coarse.onnx")
    assert before.keys() == after.keys()
    step = max(float(np.abs(after[k] - before[k]).max()) for k in before)
    assert 0.0 < step <= 1.01e-3  # one Adam step of lr 1e-3 from the first model's weights


def test_coarse_from_keeps_a_folders_coarse_network_and_trains_the_fine_one(
    tmp_path: Path,
) -> None:
    """--coarse-from: the coarse weights are another folder's, bit for bit; only fine trains."""
    first, cache = tmp_path / "first", tmp_path / "c"
    assert main(_tiny_phantom_args(first, cache)) == 0
    args = _tiny_phantom_args(tmp_path / "fine_only", cache)
    del args[args.index("--coarse-iterations") : args.index("--coarse-iterations") + 2]
    assert main(args + ["--coarse-from", str(first)]) == 0
    _check_outputs(tmp_path / "fine_only")
    log = json.loads((tmp_path / "fine_only" / "training_log.json").read_text())
    assert [s["stage"] for s in log["stages"]] == ["fine"]
    assert log["coarse_from"] == str(first)
    kept = onnx_parameters(tmp_path / "fine_only" / "thrombus_coarse.onnx")
    source = onnx_parameters(first / "thrombus_coarse.onnx")
    assert all(np.array_equal(kept[k], source[k]) for k in source)
    fine_a = onnx_parameters(first / "thrombus_fine.onnx")
    fine_b = onnx_parameters(tmp_path / "fine_only" / "thrombus_fine.onnx")
    assert any(not np.array_equal(fine_a[k], fine_b[k]) for k in fine_a)
