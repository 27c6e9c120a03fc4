"""ONNX export: checker, dynamic spatial axes, parity with PyTorch, and a parity that fails."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
onnx = pytest.importorskip("onnx")

from export.network import ProbabilityModel, ThrombusUNet  # noqa: E402
from export.onnx_export import (  # noqa: E402
    INPUT_NAME,
    OUTPUT_NAME,
    PARITY_TOLERANCE,
    export_stage,
    parity,
    session,
    sha256_file,
)
from export.train import tiny_stages  # noqa: E402


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
