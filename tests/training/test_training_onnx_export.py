"""ONNX export: checker, dynamic spatial axes, parity with PyTorch, and a parity that fails."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
import torch
from training.config import tiny_stages
from training.network import ProbabilityModel, ThrombusUNet
from training.onnx_export import (
    INPUT_NAME,
    OUTPUT_NAME,
    PARITY_TOLERANCE,
    export_stage,
    parity,
    session,
)

from strokescope.resources import sha256_file


def test_exported_fine_stage_matches_pytorch_on_other_sizes(tmp_path: Path) -> None:
    torch.manual_seed(0)
    _, fine = tiny_stages()
    net = ThrombusUNet(fine.network)
    path = tmp_path / "fine.onnx"
    result = export_stage(net, fine, path)
    assert result.max_abs_diff <= PARITY_TOLERANCE
    assert result.sha256 == sha256_file(path)
    model = onnx.load(str(path))
    onnx.checker.check_model(model)
    assert model.opset_import[0].version >= 17
    assert "Research use only" in model.doc_string
    meta = {p.key: p.value for p in model.metadata_props}
    assert meta["channels"] == "NCCT,CTA,coarse_probability"
    sess = session(path, threads=1)
    x = np.random.default_rng(3).uniform(0, 1, (2, 3, 12, 20, 16)).astype(np.float32)
    out = sess.run([OUTPUT_NAME], {INPUT_NAME: x})[0]
    assert out.shape == (2, 1, 12, 20, 16)
    assert np.all((out >= 0) & (out <= 1))
    with torch.no_grad():
        want = ProbabilityModel(net.eval())(torch.from_numpy(x)).numpy()
    assert np.abs(out - want).max() <= PARITY_TOLERANCE


def test_parity_detects_a_different_network(tmp_path: Path) -> None:
    torch.manual_seed(0)
    coarse, _ = tiny_stages()
    net = ThrombusUNet(coarse.network)
    export_stage(net, coarse, tmp_path / "c.onnx")
    other = ThrombusUNet(coarse.network)  # new random weights
    x = np.random.default_rng(0).uniform(0, 1, (1, 2, *coarse.patch_size)).astype(np.float32)
    sess = session(tmp_path / "c.onnx", threads=1)
    assert parity(sess, ProbabilityModel(net.eval()), [x]) <= PARITY_TOLERANCE
    assert parity(sess, ProbabilityModel(other.eval()), [x]) > 100 * PARITY_TOLERANCE


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # the TorchScript exporter's notices
def test_export_norm_matches_instance_norm_and_stays_exact_in_onnxruntime(tmp_path: Path) -> None:
    from training.network import ExportInstanceNorm

    torch.manual_seed(0)
    norm = torch.nn.InstanceNorm3d(2, affine=True)
    with torch.no_grad():
        norm.weight.copy_(torch.tensor([0.5, 2.0]))
        norm.bias.copy_(torch.tensor([0.1, -0.3]))
    # a large mean over many voxels: a single float32 sum loses ~1e-5 here (ORT's fused op)
    x = 10.0 + 0.5 * torch.randn(1, 2, 48, 64, 64)
    staged = ExportInstanceNorm(norm)
    with torch.no_grad():
        want = norm(x).numpy()
        assert np.abs(staged(x).numpy() - want).max() <= 1e-5
    path = tmp_path / "norm.onnx"
    torch.onnx.export(
        staged,
        (x,),
        str(path),
        dynamo=False,
        opset_version=17,
        input_names=["i"],
        output_names=["o"],
    )
    got = session(path, threads=1).run(["o"], {"i": x.numpy()})[0]
    assert np.abs(got - want).max() <= 5e-6


def test_freshly_initialised_net_exports(tmp_path: Path) -> None:
    """Identical initial norm weights must not trip the exporter's initializer de-duplication."""
    torch.manual_seed(0)
    coarse, _ = tiny_stages()
    result = export_stage(ThrombusUNet(coarse.network), coarse, tmp_path / "fresh.onnx")
    assert result.max_abs_diff <= PARITY_TOLERANCE
