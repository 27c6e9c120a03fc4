"""Whole-case prediction helpers used for the phantom validation after training."""

from __future__ import annotations

import numpy as np
import torch
from training.network import NetworkConfig, ThrombusUNet
from training.validate import predict_full


def test_predict_full_pads_to_the_divisor_and_crops_back() -> None:
    torch.manual_seed(0)
    net = ThrombusUNet(NetworkConfig(base_channels=4, levels=3, deep_supervision=2))
    image = np.random.default_rng(0).uniform(0, 1, (2, 9, 13, 10)).astype(np.float32)
    prob = predict_full(net, image)
    assert prob.shape == (9, 13, 10)
    assert np.all((prob > 0) & (prob < 1))
