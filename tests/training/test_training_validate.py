"""Whole-case prediction helpers used for the phantom validation after training."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from training.network import NetworkConfig, ThrombusUNet  # noqa: E402
from training.validate import _tiles, dice, predict_full  # noqa: E402


@pytest.mark.parametrize(("lo", "hi"), [((10, 10, 10), (20, 73, 200)), ((0, 5, 3), (63, 69, 67))])
def test_tiles_cover_the_candidate_box(lo: tuple[int, ...], hi: tuple[int, ...]) -> None:
    size = (64, 64, 64)
    covered = np.zeros((300, 300, 300), bool)
    off = 50  # tiles may start before 0
    for start in _tiles(np.asarray(lo), np.asarray(hi), size):
        s = [v + off for v in start]
        covered[s[0] : s[0] + 64, s[1] : s[1] + 64, s[2] : s[2] + 64] = True
    box = covered[
        lo[0] + off : hi[0] + off + 1, lo[1] + off : hi[1] + off + 1, lo[2] + off : hi[2] + off + 1
    ]
    assert box.all()


def test_predict_full_pads_to_the_divisor_and_crops_back() -> None:
    torch.manual_seed(0)
    net = ThrombusUNet(NetworkConfig(base_channels=4, levels=3, deep_supervision=2))
    image = np.random.default_rng(0).uniform(0, 1, (2, 9, 13, 10)).astype(np.float32)
    prob = predict_full(net, image)
    assert prob.shape == (9, 13, 10)
    assert np.all((prob > 0) & (prob < 1))


def test_dice_counts_overlap() -> None:
    a = np.zeros((4, 4, 4), bool)
    b = np.zeros((4, 4, 4), bool)
    a[0, 0, :2] = True
    b[0, 0, 1:3] = True
    assert dice(a, b) == pytest.approx(0.5)
    assert dice(a & False, b & False) == 1.0
