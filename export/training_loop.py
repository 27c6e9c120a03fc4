"""The optimisation loop of one stage: optimiser, poly learning rate, time budget.

The paper's recipe is SGD with Nesterov momentum 0.99, learning rate 0.01 decayed as
``lr * (1 - it / max_it) ** 0.9``, weight decay 3e-5 (``--optimizer sgd``). ``adam`` uses
Adam at 1e-3 with the same poly decay, which converges in fewer iterations: on a 2-core CPU
a run has only a few hundred to a few thousand iterations.

When no iteration count is given, the loop times its first ``WARMUP`` iterations and fixes
the count that fits the time budget; pass the count to make a run repeatable.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from export.losses import deep_supervision_loss
from export.network import ThrombusUNet
from export.sampling import Batch

log = logging.getLogger(__name__)

WARMUP = 3
GRAD_CLIP = 12.0
POLY_EXPONENT = 0.9


@dataclass(frozen=True)
class OptimSettings:
    """Optimiser of a run (``name`` sgd or adam; ``lr`` None = that optimiser's default)."""

    name: str = "sgd"
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


def poly_lr(initial: float, iteration: int, total: int) -> float:
    return initial * (1.0 - min(iteration, total) / total) ** POLY_EXPONENT


def train_stage(
    net: ThrombusUNet,
    make_batch: Callable[[np.random.Generator], Batch],
    *,
    stage: str,
    optim: OptimSettings,
    seed: int,
    iterations: int | None = None,
    budget_s: float = 60.0,
    log_every: int = 10,
) -> StageLog:
    """Train ``net`` in place on batches from ``make_batch``; return the log.

    Parameters
    ----------
    iterations
        Exact number of iterations, or None to fill ``budget_s`` seconds.
    """
    if iterations is not None and iterations < 1:
        raise ValueError(f"{stage}: iterations must be >= 1, got {iterations}")
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    opt = optim.build(net)
    out = StageLog(stage=stage)
    total = iterations if iterations is not None else WARMUP + 1
    ema: float | None = None
    t0 = time.perf_counter()
    net.train()
    it = 0
    while it < total:
        for group in opt.param_groups:
            group["lr"] = poly_lr(optim.initial_lr, it, total)
        batch = make_batch(rng)
        x, y = torch.from_numpy(batch.image), torch.from_numpy(batch.target)
        loss = deep_supervision_loss(net(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), GRAD_CLIP)
        opt.step()
        value = float(loss.detach())
        ema = value if ema is None else 0.9 * ema + 0.1 * value
        it += 1
        if iterations is None and it == WARMUP:
            per_it = (time.perf_counter() - t0) / WARMUP
            total = max(WARMUP + 1, int(budget_s / per_it))
            log.info(
                "%s: %.2f s per iteration -> %d iterations in %.0f s",
                stage,
                per_it,
                total,
                budget_s,
            )
        if it % log_every == 0 or it == total:
            out.loss_curve.append((it, ema))
            log.info("%s it %d/%d loss %.4f (ema %.4f)", stage, it, total, value, ema)
    out.iterations = total
    out.seconds = time.perf_counter() - t0
    out.seconds_per_iteration = out.seconds / total
    out.final_loss = ema
    return out
