"""The NCCT noise estimate behind the "heavy NCCT noise" warning."""

from __future__ import annotations

import numpy as np
import pytest

from strokescope.thrombus.guardrails import NOISE_MAX_HU, input_warnings, noise_sd
from strokescope.volume import Volume


@pytest.mark.parametrize("sigma", [3.0, 8.0, 14.0])
def test_noise_sd_recovers_white_noise_on_soft_tissue(sigma: float) -> None:
    rng = np.random.default_rng(int(sigma))
    array = (35.0 + rng.normal(0.0, sigma, (120, 96, 96))).astype(np.float32)
    estimate = noise_sd(Volume.from_array(array, (1.0, 0.5, 0.5)))
    assert estimate == pytest.approx(sigma, rel=0.06)


def test_heavy_noise_warns_and_normal_noise_does_not() -> None:
    rng = np.random.default_rng(0)
    array = (35.0 + rng.normal(0.0, 10.0, (60, 64, 64))).astype(np.float32)
    vol = Volume.from_array(array, (1.0, 0.5, 0.5))
    assert not any("noise" in w for w in input_warnings(vol, vol, noise_sd(vol)))
    heavy = input_warnings(vol, vol, NOISE_MAX_HU + 5.0)
    assert any(w.startswith("heavy NCCT noise") for w in heavy)
