"""Training the NCCT arterial map: data, a resumable loop, export and the run-time loader."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
import training.artery_map as am
from training.artery_data import write_artery_dataset

from strokescope.errors import ModelError
from strokescope.phantom import PhantomOptions, generate_study
from strokescope.vessels.ncct_map import MANIFEST_NAME, artery_map, load_artery_map


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("artery_data")
    paths = write_artery_dataset(root, n=3, seed=0, spacing_mm=1.0, tiny=True)
    assert all(p.is_file() for p in paths)
    return root


def test_cases_hold_the_ncct_and_its_arteries(tiny_data: Path) -> None:
    with np.load(sorted(tiny_data.glob("*.npz"))[0]) as d:
        hu, label = d["hu"].astype(np.float32), d["label"].astype(np.float32)
    assert hu.shape == label.shape
    artery = label >= 0.5
    assert artery.sum() > 20
    # flowing blood (and clot) is denser than the brain round it on the NCCT
    brain = (hu > 15) & (hu < 45) & ~artery
    assert np.median(hu[artery]) > np.median(hu[brain])


def test_a_resumed_run_equals_an_uninterrupted_one(
    tiny_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cases = am.load_cases(sorted(tiny_data.glob("*.npz")))
    recipe = am.Recipe(iterations=4, patch=(16, 16, 16), base_channels=4)
    torch.set_num_threads(1)
    straight, _ = am.train(cases, recipe, 3, tmp_path / "a.pt")
    monkeypatch.setattr(am, "CHECKPOINT_EVERY", 2)
    real = am.batch_at

    def interrupted(cases, recipe, seed, iteration):  # type: ignore[no-untyped-def]
        if iteration == 2:
            raise KeyboardInterrupt
        return real(cases, recipe, seed, iteration)

    monkeypatch.setattr(am, "batch_at", interrupted)
    with pytest.raises(KeyboardInterrupt):
        am.train(cases, recipe, 3, tmp_path / "b.pt")
    monkeypatch.setattr(am, "batch_at", real)
    resumed, info = am.train(cases, recipe, 3, tmp_path / "b.pt")
    assert info["iterations"] == 4
    for (name, a), b in zip(
        straight.state_dict().items(), resumed.state_dict().values(), strict=True
    ):
        assert torch.equal(a, b), name


def test_export_loads_and_maps_a_phantom(tiny_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "models"
    args = ["--data", str(tiny_data), "--out", str(out), "--iterations", "2"]
    assert am.main([*args, "--validation", "1", "--threads", "1"]) == 0
    manifest = json.loads((out / MANIFEST_NAME).read_text())
    assert manifest["network"]["checks"]["parity_max_abs_diff"] <= 1e-4
    assert "not for diagnosis" in manifest["notice"]
    model = load_artery_map(out, threads=1)
    ncct = generate_study(PhantomOptions(seed=5, inplane_mm=2.0, matrix=96, slice_mm=2.5)).ncct
    result = artery_map(ncct, model)
    assert result.probability.shape == result.mask.geometry.shape == result.hu.shape
    assert result.mask.geometry.spacing == (1.0, 1.0, 1.0)
    assert 0.0 <= float(result.probability.min()) <= float(result.probability.max()) <= 1.0

    altered = tmp_path / "altered"
    shutil.copytree(out, altered)
    onnx_file = altered / "arteries_ncct.onnx"
    onnx_file.write_bytes(onnx_file.read_bytes()[:-1] + b"\x00")
    with pytest.raises(ModelError, match="sha256"):
        load_artery_map(altered, threads=1)
    (altered / MANIFEST_NAME).unlink()
    with pytest.raises(ModelError, match="not installed"):
        load_artery_map(altered, threads=1)


def test_the_tissue_remap_keeps_the_order_of_tissues() -> None:
    hu = np.linspace(-1000.0, 1500.0, 2501).astype(np.float32)
    for seed in range(20):
        moved = am.remap_hu(hu, np.random.default_rng(seed), 4.0)
        assert np.all(np.diff(moved) >= 0)  # CSF < brain < blood < clot < bone still
        shift = moved[hu <= -100] - hu[hu <= -100]
        assert np.allclose(shift, shift[0], atol=1e-3)  # air and fat shift, unstretched
    assert np.allclose(am.remap_hu(hu, np.random.default_rng(0), 0.0), hu)
