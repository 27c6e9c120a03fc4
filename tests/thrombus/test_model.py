"""Model folder checks: manifest, checksums, input spec, device; sessions built once."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from strokescope.errors import ModelError
from strokescope.thrombus.model import load_models, providers_for


def _copy(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst)
    return dst


def test_loads_and_caches(tiny_models: Path) -> None:
    a = load_models(tiny_models, device="cpu", threads=1)
    b = load_models(tiny_models, device="cpu", threads=1)
    assert a is b
    assert a.coarse.channels == ("NCCT", "CTA")
    assert len(a.fine.channels) == 3
    assert set(a.sha256) >= {a.coarse.path.name, a.fine.path.name}
    x = np.zeros((1, 2, *a.coarse.patch_size), np.float32)
    assert a.coarse.run(x).shape == (1, 1, *a.coarse.patch_size)


def test_altered_model_is_refused(tiny_models: Path, tmp_path: Path) -> None:
    folder = _copy(tiny_models, tmp_path / "m")
    onnx_file = next(folder.glob("*fine*.onnx"))
    onnx_file.write_bytes(onnx_file.read_bytes() + b"\0")
    with pytest.raises(ModelError, match="sha256"):
        load_models(folder, device="cpu")


def test_input_spec_mismatch_is_refused(tiny_models: Path, tmp_path: Path) -> None:
    folder = _copy(tiny_models, tmp_path / "m")
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["stages"][0]["input"]["channels"] = ["NCCT"]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelError, match="channels"):
        load_models(folder, device="cpu")


def test_missing_manifest_and_device(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="not installed"):
        load_models(tmp_path, device="cpu")
    with pytest.raises(ModelError, match="device"):
        providers_for("tpu")
    assert providers_for("cpu") == ["CPUExecutionProvider"]
    import onnxruntime as ort

    if "CUDAExecutionProvider" not in ort.get_available_providers():
        assert providers_for("auto") == ["CPUExecutionProvider"]
        with pytest.raises(ModelError, match="gpu extra"):
            providers_for("cuda")


def test_an_optional_scan_stage_loads_and_must_match_the_fine_grid(
    tiny_models: Path, tmp_path: Path
) -> None:
    from training.add_scan_stage import SCAN_FILE, add_scan_stage

    folder = _copy(tiny_models, tmp_path / "m")
    source = _copy(tiny_models, tmp_path / "s")  # any exported folder will do
    manifest = add_scan_stage(folder, source)
    assert manifest["held_out_metrics"]["values"] is None  # pending until measured again
    version = json.loads((tiny_models / "manifest.json").read_text())["version"]
    assert manifest["version"] == f"{version}+scan-{version}"
    models = load_models(folder, device="cpu")
    assert models.scan is not None and models.scan.path.name == SCAN_FILE
    assert models.sha256[SCAN_FILE] == manifest["files"][SCAN_FILE]
    assert models.scan.patch_size == models.fine.patch_size
    scan = manifest["stages"][-1]
    for bad, match in (({"patch_size": [8, 8, 8]}, "scan stage"), ({"stage": "x"}, "may have")):
        manifest["stages"][-1] = {**scan, **bad}
        (folder / "manifest.json").write_text(json.dumps(manifest))
        with pytest.raises(ModelError, match=match):
            load_models(folder, device="cpu")
    (folder / SCAN_FILE).write_bytes((folder / SCAN_FILE).read_bytes() + b"\0")
    with pytest.raises(ModelError, match="sha256"):
        load_models(folder, device="cpu")
    other = json.loads((source / "manifest.json").read_text())
    other["normalisation"]["channels"]["CTA"]["clip_hu"] = [-100.0, 900.0]
    (source / "manifest.json").write_text(json.dumps(other))
    with pytest.raises(SystemExit, match="normalises the inputs differently"):
        add_scan_stage(_copy(tiny_models, tmp_path / "m2"), source)
    assert load_models(tiny_models, device="cpu").scan is None
