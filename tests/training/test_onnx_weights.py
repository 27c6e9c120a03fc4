"""Weights read back from an exported stage: the same function, refusals of other nets."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import torch
from training.config import tiny_stages
from training.network import ProbabilityModel, ThrombusUNet
from training.onnx_export import PARITY_TOLERANCE, export_stage
from training.onnx_weights import load_onnx_weights

from strokescope.errors import InputError


def _trained_like(net: ThrombusUNet) -> ThrombusUNet:
    """Give every parameter (norms included) distinct values, as training does."""
    gen = torch.Generator().manual_seed(7)
    with torch.no_grad():
        for p in net.parameters():
            p.add_(0.1 * torch.randn(p.shape, generator=gen))
    return net


@pytest.mark.parametrize("stage", [0, 1])
def test_weights_from_onnx_compute_the_exported_function(tmp_path: Path, stage: int) -> None:
    torch.manual_seed(0)
    config = tiny_stages()[stage]
    net = _trained_like(ThrombusUNet(config.network))
    path = tmp_path / "stage.onnx"
    export_stage(net, config, path)
    back = ThrombusUNet(config.network)
    load_onnx_weights(back, path)
    for key, value in net.state_dict().items():
        if not key.startswith("heads.") or key.startswith("heads.0."):
            assert torch.equal(back.state_dict()[key], value), key
    c = config.network.in_channels
    x = np.random.default_rng(1).normal(0, 1, (1, c, 16, 24, 24)).astype(np.float32)
    with torch.no_grad():
        want = ProbabilityModel(net.eval())(torch.from_numpy(x)).numpy()
        got = ProbabilityModel(back.eval())(torch.from_numpy(x)).numpy()
    assert np.abs(got - want).max() <= PARITY_TOLERANCE


def test_a_different_architecture_is_refused(tmp_path: Path) -> None:
    coarse, _ = tiny_stages()
    export_stage(ThrombusUNet(coarse.network), coarse, tmp_path / "c.onnx")
    wider = ThrombusUNet(replace(coarse.network, base_channels=6))
    with pytest.raises(InputError, match="c.onnx: .* has shape"):
        load_onnx_weights(wider, tmp_path / "c.onnx")
    deeper = ThrombusUNet(replace(coarse.network, levels=4))
    with pytest.raises(InputError, match="no weights for"):
        load_onnx_weights(deeper, tmp_path / "c.onnx")
