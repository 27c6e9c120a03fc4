"""A tiny untrained model exported by the training package itself (real onnxruntime path)."""

from __future__ import annotations

from pathlib import Path

import pytest


def export_tiny_model(out: Path, *, coarse_bias: float | None = None) -> Path:
    """Export untrained tiny coarse + fine nets with a manifest into ``out``.

    ``coarse_bias`` replaces the coarse top-level head by a constant logit (weights 0), so
    the coarse probability is ``sigmoid(coarse_bias)`` everywhere.
    """
    import torch
    from training.config import DecisionRules, tiny_stages
    from training.manifest import write_manifest
    from training.network import ThrombusUNet
    from training.onnx_export import export_stage

    torch.manual_seed(0)
    out.mkdir(parents=True, exist_ok=True)
    coarse, fine = tiny_stages()
    models = []
    for stage in (coarse, fine):
        net = ThrombusUNet(stage.network)
        if stage.name == "coarse" and coarse_bias is not None:
            with torch.no_grad():
                net.heads[0].weight.zero_()
                net.heads[0].bias.fill_(coarse_bias)
        models.append(export_stage(net, stage, out / f"thrombus_{stage.name}.onnx"))
    write_manifest(out, models, rules=DecisionRules(), training={"data": {}}, version="0.0.0+test")
    return out


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Untrained tiny networks whose coarse stage finds nothing (sigmoid(-8))."""
    return export_tiny_model(tmp_path_factory.mktemp("models_quiet"), coarse_bias=-8.0)


@pytest.fixture(scope="session")
def tiny_models_busy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Untrained tiny networks whose coarse stage flags everything (sigmoid(+8))."""
    return export_tiny_model(tmp_path_factory.mktemp("models_busy"), coarse_bias=8.0)
