"""SGD (paper: Nesterov 0.99, lr 0.01, poly 0.9) versus Adam on a small CPU budget.

Trains the same small net from the same seed, on the same sequence of patches, with each
optimiser for the same number of iterations on tiny phantoms (2 mm pixels, 2.5 mm slices,
resampled to 2 mm), then reports the loss on fixed held-out patches and the whole-volume
Dice on held-out cases. Prints a table and writes
``benchmarks/results/thrombus_optimizers.json``. Needs the ``train`` extra.

Usage: ``python benchmarks/study_thrombus_optimizers.py [--quick] [--iterations 300]``
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "thrombus_optimizers.json"
CACHE = ROOT / "cache" / "bench_optimizers"
CANDIDATES = [("sgd", None), ("adam", 1e-3), ("adam", 3e-3)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="6 cases, 60 iterations")
    parser.add_argument("--iterations", type=int, default=300)
    parser.add_argument("--cases", type=int, default=16)
    parser.add_argument("--seeds", type=int, default=2, help="training seeds per optimiser")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--only", choices=("sgd", "adam"), default=None, help="one optimiser")
    args = parser.parse_args()
    try:
        import torch
    except ImportError:
        print("torch not installed (pip install -e '.[train]'): benchmark skipped")
        return 0
    sys.path.insert(0, str(ROOT))
    from training.config import StageConfig
    from training.make_phantoms import write_phantom_dataset
    from training.network import NetworkConfig
    from training.sampling import coarse_batch
    from training.train_data import prepare_all, split

    n_cases, iterations = (6, 60) if args.quick else (args.cases, args.iterations)
    torch.set_num_threads(args.threads)
    net_cfg = NetworkConfig(in_channels=2, base_channels=6, levels=3, deep_supervision=2)
    stage = StageConfig("coarse", (2.0, 2.0, 2.0), (32, 32, 32), 2, net_cfg, ("NCCT", "CTA"))
    root = CACHE / "raw"
    ids = write_phantom_dataset(root, n=n_cases, seed=7, tiny=True)
    cases = prepare_all(root, ids, CACHE, stage, stage, 7)
    train_ids, val_ids = split(ids, 7, 0.25)
    train = [c for c in cases if c.case_id in train_ids]
    val = [c for c in cases if c.case_id in val_ids and c.positive] or train[:1]
    rng = np.random.default_rng(123)
    held_out = [coarse_batch(val, stage.patch_size, 2, rng) for _ in range(8)]

    rows = []
    for name, lr in [c for c in CANDIDATES if args.only in (None, c[0])]:
        for seed in range(args.seeds):
            rows.append(_train_and_score(name, lr, seed, iterations, stage, train, val, held_out))
            r = rows[-1]
            print(
                f"{name:5s} lr {r['lr']:<7g} seed {seed}  loss {r['held_out_loss']:.4f}  "
                f"Dice {r['held_out_dice_median']:.3f}  ({r['seconds']:.0f} s)",
                flush=True,
            )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    results = RESULTS.with_name(f"{RESULTS.stem}_{args.only}.json") if args.only else RESULTS
    results.write_text(
        json.dumps({"cases": n_cases, "n_validation": len(val), "rows": rows}, indent=1) + "\n"
    )
    print(f"wrote {results}")
    return 0


def _train_and_score(
    name: str,
    lr: float | None,
    seed: int,
    iterations: int,
    stage: Any,
    train: list[Any],
    val: list[Any],
    held_out: list[Any],
) -> dict[str, Any]:
    """Train a fresh net with one optimiser and seed; its held-out loss and Dice."""
    import torch
    from training.losses import deep_supervision_loss
    from training.network import ThrombusUNet
    from training.sampling import coarse_batch
    from training.training_loop import OptimSettings, train_stage
    from training.validate import predict_coarse

    from strokescope.evaluation import dice

    torch.manual_seed(seed)
    net = ThrombusUNet(stage.network)
    t0 = time.perf_counter()
    train_stage(
        net,
        lambda r: coarse_batch(train, stage.patch_size, stage.batch_size, r),
        stage=f"{name}-{lr}",
        optim=OptimSettings(name=name, lr=lr),
        seed=seed,
        iterations=iterations,
        log_every=max(iterations // 5, 1),
    )
    seconds = time.perf_counter() - t0
    net.train()
    with torch.no_grad():
        losses = [
            float(deep_supervision_loss(net(torch.from_numpy(b.image)), torch.from_numpy(b.target)))
            for b in held_out
        ]
    dices = [dice(predict_coarse(net, c) >= 0.5, c.coarse_label.astype(bool)) for c in val]
    return {
        "optimizer": name,
        "lr": OptimSettings(name=name, lr=lr).initial_lr,
        "seed": seed,
        "iterations": iterations,
        "seconds": round(seconds, 1),
        "held_out_loss": round(float(np.mean(losses)), 4),
        "held_out_dice_median": round(float(np.median(dices)), 3),
    }


if __name__ == "__main__":
    raise SystemExit(main())
