"""The optimisation loop: poly schedule, optimisers, and that it actually learns."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
import torch
from training.losses import deep_supervision_loss
from training.network import NetworkConfig, ThrombusUNet
from training.sampling import Batch
from training.training_loop import OptimSettings, poly_lr, train_stage


def _fixed_batch() -> Batch:
    rng = np.random.default_rng(0)
    image = rng.uniform(0.0, 0.2, (2, 2, 16, 16, 16)).astype(np.float32)
    target = np.zeros((2, 1, 16, 16, 16), np.float32)
    target[:, :, 5:10, 6:11, 4:12] = 1.0
    image[:, 0][target[:, 0] > 0] += 0.5  # a bright NCCT blob marks the target
    return Batch(image, target)


def test_poly_schedule_decays_to_zero() -> None:
    assert poly_lr(0.01, 0, 100) == pytest.approx(0.01)
    assert poly_lr(0.01, 50, 100) == pytest.approx(0.01 * 0.5**0.9)
    assert poly_lr(0.01, 100, 100) == 0.0


def test_optimiser_settings() -> None:
    net = ThrombusUNet(NetworkConfig(base_channels=4, levels=3, deep_supervision=2))
    assert isinstance(OptimSettings().build(net), torch.optim.Adam)
    sgd = OptimSettings(name="sgd").build(net)
    assert isinstance(sgd, torch.optim.SGD)
    assert sgd.defaults["momentum"] == 0.99 and sgd.defaults["nesterov"]
    assert sgd.defaults["lr"] == 0.01
    with pytest.raises(ValueError):
        OptimSettings(name="rmsprop")


@pytest.mark.parametrize(("name", "lr"), [("sgd", None), ("adam", 1e-2)])
def test_loss_falls_when_fitting_one_batch(name: str, lr: float | None) -> None:
    torch.manual_seed(0)
    bias = 0.0 if name == "sgd" else -4.0  # the paper's recipe starts from zero head bias
    net = ThrombusUNet(NetworkConfig(base_channels=4, levels=3, deep_supervision=2, head_bias=bias))
    batch = _fixed_batch()
    x, y = torch.from_numpy(batch.image), torch.from_numpy(batch.target)
    with torch.no_grad():
        before = float(deep_supervision_loss(net(x), y))
    log = train_stage(
        net,
        lambda rng: batch,
        stage="t",
        optim=OptimSettings(name=name, lr=lr),
        seed=0,
        iterations=25,
        log_every=5,
    )
    assert log.iterations == 25 and len(log.loss_curve) == 5
    net.train()
    with torch.no_grad():
        after = float(deep_supervision_loss(net(x), y))
    assert after < 0.9 * before


class _Clock:
    """A stand-in for the loop's ``time`` module: every reading is ``step`` seconds later,
    so the time-budget logic is tested without depending on the machine's speed."""

    def __init__(self, step: float) -> None:
        self.now, self.step = 0.0, step

    def perf_counter(self) -> float:
        self.now += self.step
        return self.now


def test_time_budget_stops_the_loop_and_decays_lr_over_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import training.training_loop as loop

    net = ThrombusUNet(NetworkConfig(base_channels=4, levels=3, deep_supervision=2))
    batch = _fixed_batch()
    monkeypatch.setattr(loop, "time", _Clock(step=0.5))
    tiny = train_stage(
        net, lambda rng: batch, stage="t", optim=OptimSettings(name="sgd"), seed=0, budget_s=0.01
    )
    assert tiny.iterations == 1  # the budget is smaller than one iteration: one step, then stop
    monkeypatch.setattr(loop, "time", _Clock(step=0.1))

    rates: list[float] = []
    opt_build = OptimSettings.build

    def spy(self: OptimSettings, module: Any) -> Any:
        opt = opt_build(self, module)
        step = opt.step

        def recording_step() -> None:
            rates.append(opt.param_groups[0]["lr"])
            step()

        opt.step = recording_step  # type: ignore[assignment,method-assign]
        return opt

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(OptimSettings, "build", spy)
        timed = train_stage(
            net, lambda rng: batch, stage="t", optim=OptimSettings(name="sgd"), seed=0, budget_s=1.5
        )
    assert timed.iterations == len(rates) >= 10
    assert timed.seconds == pytest.approx(1.5, abs=0.2)
    assert rates[0] == pytest.approx(poly_lr(0.01, 1, 15))  # 0.1 s of the 1.5 s spent
    assert rates == sorted(rates, reverse=True) and rates[-1] < 0.01


def test_sgd_recipe_learns_to_segment_a_bright_blob() -> None:
    """Net, loss and the paper's SGD recipe together: 60 iterations fit one batch."""
    from training.validate import predict_full

    from strokescope.evaluation import dice

    torch.manual_seed(0)
    net = ThrombusUNet(NetworkConfig(base_channels=4, levels=3, deep_supervision=2, head_bias=0.0))
    batch = _fixed_batch()
    train_stage(
        net, lambda rng: batch, stage="t", optim=OptimSettings(name="sgd"), seed=0, iterations=60
    )
    scores = [
        dice(predict_full(net, batch.image[i]) >= 0.5, batch.target[i, 0] > 0.5) for i in range(2)
    ]
    assert min(scores) > 0.6


class _Interrupt(Exception):
    pass


def test_checkpointed_run_resumes_to_the_same_weights(tmp_path: Any) -> None:
    def batches(rng: np.random.Generator) -> Batch:
        b = _fixed_batch()
        return Batch(b.image + rng.normal(0, 0.01, b.image.shape).astype(np.float32), b.target)

    def fresh() -> Any:
        torch.manual_seed(0)
        return ThrombusUNet(NetworkConfig(base_channels=4, levels=3, deep_supervision=2))

    settings = {"stage": "t", "optim": OptimSettings(), "seed": 3, "iterations": 12}
    whole = fresh()
    train_stage(whole, batches, **settings, log_every=4)  # type: ignore[arg-type]

    ckpt = tmp_path / "t.ckpt"
    calls = {"n": 0}

    def dying(rng: np.random.Generator) -> Batch:
        calls["n"] += 1
        if calls["n"] == 9:  # killed during iteration 9: the checkpoint of iteration 5 stays
            raise _Interrupt
        return batches(rng)

    with pytest.raises(_Interrupt):
        train_stage(fresh(), dying, **settings, log_every=4, checkpoint=ckpt, checkpoint_every=5)  # type: ignore[arg-type]
    assert torch.load(ckpt, weights_only=False)["iteration"] == 5
    resumed = fresh()
    log = train_stage(
        resumed, batches, **settings, log_every=4, checkpoint=ckpt, checkpoint_every=5
    )  # type: ignore[arg-type]
    assert log.iterations == 12 and [i for i, _ in log.loss_curve] == [4, 8, 12]
    for a, b in zip(whole.state_dict().values(), resumed.state_dict().values(), strict=True):
        torch.testing.assert_close(a, b)
    with pytest.raises(ValueError, match="fixed iteration count"):
        train_stage(fresh(), batches, stage="t", optim=OptimSettings(), seed=0, checkpoint=ckpt)
