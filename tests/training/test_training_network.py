"""The thrombus U-Net: shapes, deep supervision, blocks, configuration checks."""

from __future__ import annotations

from typing import Any

import pytest
import torch
from training.network import (
    ChannelSpatialAttention,
    NetworkConfig,
    ScaleAwarePyramidFusion,
    ThrombusUNet,
    deep_supervision_weights,
    downsample_target,
)


def test_training_mode_returns_one_output_per_supervised_level() -> None:
    torch.manual_seed(0)
    cfg = NetworkConfig(in_channels=3, base_channels=4, levels=4, deep_supervision=3)
    net = ThrombusUNet(cfg).train()
    outs = net(torch.randn(2, 3, 16, 24, 32))
    assert [tuple(o.shape) for o in outs] == [
        (2, 1, 16, 24, 32),
        (2, 1, 8, 12, 16),
        (2, 1, 4, 6, 8),
    ]


def test_eval_mode_returns_only_full_resolution() -> None:
    net = ThrombusUNet(NetworkConfig(base_channels=4, levels=3, deep_supervision=2)).eval()
    with torch.no_grad():
        outs = net(torch.randn(1, 2, 8, 12, 16))
    assert len(outs) == 1 and tuple(outs[0].shape) == (1, 1, 8, 12, 16)


def test_widths_double_per_level_and_are_capped() -> None:
    cfg = NetworkConfig(base_channels=16, levels=5, max_channels=64)
    assert cfg.widths == (16, 32, 64, 64, 64)
    assert cfg.size_divisor == 16
    assert NetworkConfig.from_dict(cfg.to_dict()) == cfg


@pytest.mark.parametrize(
    "kwargs",
    [{"levels": 2}, {"base_channels": 1}, {"deep_supervision": 4, "levels": 4}, {"in_channels": 0}],
)
def test_invalid_configs_are_refused(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        NetworkConfig(**kwargs)


def test_attention_gates_scale_features_without_changing_shape() -> None:
    torch.manual_seed(1)
    block = ChannelSpatialAttention(6)
    x = torch.randn(1, 6, 5, 6, 7)
    y = block(x)
    assert y.shape == x.shape
    # both gates are sigmoids in (0, 1): every output shrinks its input towards zero
    assert torch.all(torch.abs(y) <= torch.abs(x) + 1e-6)
    assert not torch.allclose(y, x)


def test_pyramid_fusion_weights_its_three_scales() -> None:
    torch.manual_seed(2)
    block = ScaleAwarePyramidFusion(4, dilations=(1, 2, 4))
    x = torch.randn(1, 4, 8, 8, 8)
    assert block(x).shape == x.shape
    feats = torch.cat([b(x) for b in block.branches], dim=1)
    w = torch.softmax(block.scale_logits(feats), dim=1)
    assert torch.allclose(w.sum(dim=1), torch.ones(1, 8, 8, 8), atol=1e-6)


def test_deep_supervision_weights_halve_and_sum_to_one() -> None:
    w = deep_supervision_weights(3)
    assert w == pytest.approx([4 / 7, 2 / 7, 1 / 7])
    assert sum(deep_supervision_weights(5)) == pytest.approx(1.0)


def test_downsampled_target_is_the_thrombus_fraction() -> None:
    t = torch.zeros(1, 1, 4, 4, 4)
    t[0, 0, 0, 0, 0] = 1.0
    t[0, 0, 3, 3, 3] = 1.0
    t[0, 0, 3, 2, 3] = 1.0
    d = downsample_target(t, 2)
    assert d.shape == (1, 1, 2, 2, 2)
    assert d[0, 0, 0, 0, 0] == pytest.approx(1 / 8)
    assert d[0, 0, 1, 1, 1] == pytest.approx(2 / 8)
    assert d.sum() == pytest.approx(3 / 8)
