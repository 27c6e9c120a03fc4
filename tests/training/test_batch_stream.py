"""Batches drawn in the loop or by worker processes, and the device a stage trains on."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from training.batch_stream import batches, device_of
from training.network import NetworkConfig, ThrombusUNet
from training.sampling import Batch
from training.training_loop import OptimSettings, train_stage


def _draw(rng: np.random.Generator) -> Batch:
    image = rng.normal(size=(1, 2, 8, 8, 8)).astype(np.float32)
    return Batch(image, (image[:, :1] > 1.0).astype(np.float32))


def _first(stream, n):  # type: ignore[no-untyped-def]
    return [x.numpy() for x, _ in itertools.islice(stream, n)]


def test_in_loop_batches_are_the_generators_own_sequence() -> None:
    stream = batches(
        _draw, np.random.default_rng(5), seed=5, start=0, workers=0, device=torch.device("cpu")
    )
    expected_rng = np.random.default_rng(5)
    for got in _first(stream, 3):
        np.testing.assert_array_equal(got, _draw(expected_rng).image)


def test_workers_draw_from_generators_keyed_by_seed_worker_and_start() -> None:
    stream = batches(
        _draw, np.random.default_rng(0), seed=7, start=40, workers=2, device=torch.device("cpu")
    )
    got = _first(stream, 4)
    # The loader takes from its workers in turn: worker 0, worker 1, worker 0, worker 1.
    rngs = [np.random.default_rng([7, w, 40]) for w in (0, 1)]
    expected = [_draw(rngs[i % 2]).image for i in range(4)]
    for g, e in zip(got, expected, strict=True):
        np.testing.assert_array_equal(g, e)
    assert not np.array_equal(got[0], got[1])  # the workers do not repeat each other


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="cpu or cuda"):
        device_of("mps")
    if not torch.cuda.is_available():
        with pytest.raises(ValueError, match="no CUDA device"):
            device_of("cuda")
    with pytest.raises(ValueError, match="workers"):
        next(
            batches(
                _draw,
                np.random.default_rng(0),
                seed=0,
                start=0,
                workers=-1,
                device=torch.device("cpu"),
            )
        )


def test_a_stage_learns_from_worker_batches() -> None:
    torch.manual_seed(0)
    net = ThrombusUNet(NetworkConfig(base_channels=4, levels=3, deep_supervision=2))
    image = np.random.default_rng(0).uniform(0.0, 0.2, (2, 2, 16, 16, 16)).astype(np.float32)
    target = np.zeros((2, 1, 16, 16, 16), np.float32)
    target[:, :, 5:10, 6:11, 4:12] = 1.0
    image[:, 0][target[:, 0] > 0] += 0.5
    log = train_stage(
        net,
        lambda rng: Batch(image + rng.normal(0, 0.01, image.shape).astype(np.float32), target),
        stage="t",
        optim=OptimSettings(lr=1e-2),
        seed=0,
        iterations=30,
        log_every=5,
        workers=2,
    )
    first, last = log.loss_curve[0][1], log.loss_curve[-1][1]
    assert log.iterations == 30 and last < 0.8 * first
