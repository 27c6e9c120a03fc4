"""The optimisation loop of one stage: optimiser, poly learning rate, time budget.

The default is Adam at 1e-3 with poly decay ``lr * (1 - it / max_it) ** 0.9`` and weight
decay 3e-5. The paper's recipe, SGD with Nesterov momentum 0.99 at 0.01 (``--optimizer
sgd``), needs far more iterations than a 2-core CPU run has (a few hundred to a few
thousand): from the constant-prior start, where the Dice gradient per thrombus voxel is
~1e-6, it did not move. Coarse stage, 32 x 48 x 48 crops, 1 thread, held-out
thrombus-centred patches: SGD after 120 iterations mean probability on thrombus 0.01, hard
Dice 0.00; Adam after 120 iterations 0.59 and 0.08, after 240 0.82 and 0.28. (With
64 x 80 x 80 crops SGD sat at loss 1.0019, all background, for 210 iterations.) Fine stage,
Adam, head bias -4, coarse-probability channel blanked: after 61 iterations (1 thread)
0.88 and hard Dice 0.40 on held-out thrombus/vessel-centred 64^3 patches.

When no iteration count is given, the learning rate decays over the elapsed fraction of
the time budget and the loop stops when the budget is spent; pass the count to make a run
repeatable (the decay then runs over iterations).

With a fixed count, ``checkpoint`` names a file that receives the net, the optimiser, both
random generators, the loss curve and the iteration every ``checkpoint_every`` iterations
(written atomically); a run started again with the same file resumes where the last
checkpoint left off and, when the loop draws its own batches (``workers`` 0, on the CPU),
ends with the same weights as an uninterrupted run.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from training.batch_stream import MakeBatch, batches
from training.losses import deep_supervision_loss
from training.network import ThrombusUNet

log = logging.getLogger(__name__)

GRAD_CLIP = 12.0
MEMORY_FORMAT = torch.channels_last_3d
"""Layout of weights and activations while training. oneDNN's 3-D convolutions run faster
channels-last: one fine step (batch 2 of 48^3 crops, 12 channels, forward and backward)
0.47 s against 0.65 s with 2 threads, 0.83 s against 1.24 s with 1 thread, on this
machine. The net goes back to the plain layout when the loop ends."""
POLY_EXPONENT = 0.9


@dataclass(frozen=True)
class OptimSettings:
    """Optimiser of a run (``name`` sgd or adam; ``lr`` None = that optimiser's default)."""

    name: str = "adam"
    lr: float | None = None
    weight_decay: float = 3e-5

    def __post_init__(self) -> None:
        if self.name not in ("sgd", "adam"):
            raise ValueError(f"optimizer must be 'sgd' or 'adam', got {self.name!r}")
        if self.lr is not None and not 0.0 < self.lr <= 1.0:
            raise ValueError(f"learning rate must be in (0, 1], got {self.lr}")
        if not 0.0 <= self.weight_decay < 0.1:
            raise ValueError(f"weight decay must be in [0, 0.1), got {self.weight_decay}")

    @property
    def initial_lr(self) -> float:
        if self.lr is not None:
            return self.lr
        return 0.01 if self.name == "sgd" else 1e-3

    def build(self, net: torch.nn.Module) -> torch.optim.Optimizer:
        if self.name == "sgd":
            return torch.optim.SGD(
                net.parameters(),
                lr=self.initial_lr,
                momentum=0.99,
                nesterov=True,
                weight_decay=self.weight_decay,
            )
        return torch.optim.Adam(
            net.parameters(), lr=self.initial_lr, weight_decay=self.weight_decay
        )


@dataclass
class StageLog:
    """What happened while training one stage (for training_log.json)."""

    stage: str
    iterations: int = 0
    seconds: float = 0.0
    seconds_per_iteration: float = 0.0
    loss_curve: list[tuple[int, float]] = field(default_factory=list)
    final_loss: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage,
            "iterations": self.iterations,
            "seconds": round(self.seconds, 1),
            "seconds_per_iteration": round(self.seconds_per_iteration, 3),
            "final_loss": self.final_loss,
            "loss_curve": [[i, round(v, 5)] for i, v in self.loss_curve],
        }


def poly_factor(progress: float) -> float:
    """The paper's poly decay ``(1 - progress) ** 0.9`` for progress in [0, 1]."""
    return (1.0 - min(max(progress, 0.0), 1.0)) ** POLY_EXPONENT


def poly_lr(initial: float, iteration: int, total: int) -> float:
    return initial * poly_factor(iteration / total)


def _resume(
    checkpoint: Path | None,
    identity: dict[str, Any],
    net: ThrombusUNet,
    opt: torch.optim.Optimizer,
    rng: np.random.Generator,
    out: StageLog,
) -> tuple[int, float | None, float]:
    """Restore net, optimiser, generators and loss curve from ``checkpoint`` when it belongs
    to this run (``identity``); (iteration, loss EMA, seconds done) to continue from."""
    if checkpoint is None or not checkpoint.is_file():
        return 0, None, 0.0
    state = torch.load(checkpoint, weights_only=False, map_location="cpu")
    if state["identity"] != identity:
        log.warning(
            "%s: %s belongs to another run (%s); starting afresh",
            identity["stage"],
            checkpoint,
            state["identity"],
        )
        return 0, None, 0.0
    net.load_state_dict(state["net"])
    opt.load_state_dict(state["optimizer"])
    rng.bit_generator.state = state["rng"]
    torch.set_rng_state(state["torch_rng"])
    out.loss_curve = [tuple(p) for p in state["loss_curve"]]
    it = int(state["iteration"])
    log.info("%s: resumed from %s at iteration %d", identity["stage"], checkpoint, it)
    return it, state["ema"], float(state["seconds"])


def train_stage(
    net: ThrombusUNet,
    make_batch: MakeBatch,
    *,
    stage: str,
    optim: OptimSettings,
    seed: int,
    iterations: int | None = None,
    budget_s: float = 60.0,
    log_every: int = 10,
    checkpoint: Path | None = None,
    checkpoint_every: int = 200,
    workers: int = 0,
) -> StageLog:
    """Train ``net`` in place on batches from ``make_batch``; return the log.

    Parameters
    ----------
    iterations
        Exact number of iterations, or None to fill ``budget_s`` seconds.
    checkpoint
        Resume from and save to this file (needs ``iterations``).
    workers
        Processes drawing batches ahead of the loop (:mod:`training.batch_stream`; 0: the
        loop draws them, repeatable bit for bit). The net trains on the device it is on.
    """
    if iterations is not None and iterations < 1:
        raise ValueError(f"{stage}: iterations must be >= 1, got {iterations}")
    if checkpoint is not None and iterations is None:
        raise ValueError(f"{stage}: checkpoints need a fixed iteration count")
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    net.to(memory_format=MEMORY_FORMAT)  # type: ignore[call-overload]  # torch stubs lack it
    opt = optim.build(net)
    out = StageLog(stage=stage)
    identity = {"stage": stage, "seed": seed, "iterations": iterations, "optimizer": optim.name}
    it, ema, done_s = _resume(checkpoint, identity, net, opt, rng, out)
    t0 = time.perf_counter() - done_s
    net.train()
    stream = batches(make_batch, rng, seed=seed, start=it, workers=workers, device=_device(net))
    while True:
        # Fixed count: poly decay over iterations (repeatable). Time budget: poly decay over
        # elapsed time, so a slow first iteration (allocation, warm-up) cannot shrink the run.
        elapsed = time.perf_counter() - t0
        if iterations is not None:
            if it >= iterations:
                break
            progress = it / iterations
        else:
            if elapsed >= budget_s and it >= 1:
                break
            progress = min(elapsed / budget_s, 1.0)
        for group in opt.param_groups:
            group["lr"] = optim.initial_lr * poly_factor(progress)
        value = _step(net, opt, next(stream))
        ema = value if ema is None else 0.9 * ema + 0.1 * value
        it += 1
        if checkpoint is not None and (it % checkpoint_every == 0 or it == iterations):
            curve = [*out.loss_curve, *([(it, ema)] if it % log_every == 0 else [])]
            state = {"identity": identity, "iteration": it, "ema": ema, "loss_curve": curve}
            state["seconds"] = time.perf_counter() - t0
            _save_checkpoint(checkpoint, {**state, **_generators_and_weights(net, opt, rng)})
        if it % log_every == 0:
            out.loss_curve.append((it, ema))
            log.info(
                "%s it %d (%.0f/%.0f s) loss %.4f (ema %.4f)",
                stage,
                it,
                time.perf_counter() - t0,
                budget_s if iterations is None else float("nan"),
                value,
                ema,
            )
    net.to(memory_format=torch.contiguous_format)  # type: ignore[call-overload]
    return _finished(out, it, ema, time.perf_counter() - t0)


def _finished(out: StageLog, it: int, ema: float | None, seconds: float) -> StageLog:
    """``out`` completed with the run's totals (the last EMA on the loss curve)."""
    if ema is not None and (not out.loss_curve or out.loss_curve[-1][0] != it):
        out.loss_curve.append((it, ema))
    out.iterations = it
    out.seconds = seconds
    out.seconds_per_iteration = seconds / it
    out.final_loss = ema
    return out


def _device(net: ThrombusUNet) -> torch.device:
    return next(net.parameters()).device


def _step(
    net: ThrombusUNet, opt: torch.optim.Optimizer, batch: tuple[torch.Tensor, torch.Tensor]
) -> float:
    """One optimiser step on ``batch`` (image, target; gradients clipped); the loss before it."""
    x, y = batch
    loss = deep_supervision_loss(net(x.contiguous(memory_format=MEMORY_FORMAT)), y)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(net.parameters(), GRAD_CLIP)
    opt.step()
    return float(loss.detach())


def _generators_and_weights(
    net: ThrombusUNet, opt: torch.optim.Optimizer, rng: np.random.Generator
) -> dict[str, Any]:
    """What a checkpoint needs besides the counters for a resumed run to equal an unbroken one."""
    return {
        "net": net.state_dict(),
        "optimizer": opt.state_dict(),
        "rng": rng.bit_generator.state,
        "torch_rng": torch.get_rng_state(),
    }


def _save_checkpoint(path: Path, state: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)
