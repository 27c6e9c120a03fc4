"""Train both thrombus stages from a seed, then export them to ONNX with a manifest.

Usage (from the repository root, with the ``train`` extra installed)::

    python -m training.train --out models_onnx --seed 0 --cases 100 \
        --coarse-iterations 3000 --fine-iterations 2000 [--data nnunet_raw_dir]

(``make train``). Without iteration counts the stages fill a ``--minutes`` budget instead
(not repeatable, not resumable); with them, every stage checkpoints under ``--cache`` and a
rerun of the same command resumes.

Without ``--data`` it first writes ``--cases`` randomised phantoms in nnU-Net raw layout
under ``--cache`` and reads them back through the same reader as clinical data. Then:
prepare (resample onto the model grids, cached), train the coarse stage, predict coarse
probabilities on the training cases (false-positive candidates for the fine stage), train the
fine stage, validate on the held-out cases, export, write the model card and manifest.
The time left after data preparation is split 45 % coarse / 55 % fine unless
``--coarse-iterations`` / ``--fine-iterations`` fix the counts.

The default recipe differs from the paper's (``--paper-recipe``) in three ways that make
the nets learn within a CPU budget: Adam 1e-3 instead of SGD 0.99/0.01
(:mod:`training.training_loop`), 32 x 48 x 48 coarse training crops instead of 64 x 80 x 80
(:data:`training.config.COARSE_TRAIN_PATCH`), and logit heads starting at bias -4
(:class:`training.network.NetworkConfig`). With the paper's recipe the coarse loss settled at
1.0019 (all background) within 150 iterations and stayed there.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import platform
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import torch

from strokescope.atomic import atomic_write_text
from training.batch_stream import device_of
from training.config import PAD_VALUE, DecisionRules, StageConfig, training_stages
from training.manifest import write_manifest, write_model_card
from training.network import ThrombusUNet, count_parameters
from training.onnx_export import export_stage
from training.onnx_weights import load_onnx_weights
from training.prepare import PreparedCase, cache_key
from training.sampling import (
    coarse_batch,
    coarse_probability_on,
    crop,
    false_positive_candidates,
    fine_batch,
    normalise_hu,
    start_for_centre,
)
from training.train_args import build_parser
from training.train_data import data_record, training_data
from training.training_loop import OptimSettings, StageLog, train_stage
from training.validate import predict_coarse, validate

log = logging.getLogger(__name__)

RECIPE_VERSION = "0.6.0"
"""Version of the training recipe (phantoms, sampling, crops, budget), the default model
version's base: bumped whenever a change makes ``make train`` write different models. The
first models and the hard-negative run both shipped as 0.1.0; 0.3.0 trains the fine stage on
48^3 crops from 60 phantoms; 0.4.0 trains on 100 domain-randomised phantoms (every
:class:`strokescope.phantom.PhantomOptions` drawn over its full range) with nnU-Net-style
augmentation (:mod:`training.augment`) and fixed iteration counts (3000 coarse, 2000 fine);
0.5.0 tempers the augmentation stacked on the randomised phantoms (noise, CTA phase), adds
distractors, keeps thin coarse targets through rotation, weakens the fine stage's coarse
channel, and trains 4000 coarse and 3000 fine iterations; 0.5.1 gives the CTA its own
kernel in half the phantoms (the ``kernel-mismatch`` suite's shift) and subarachnoid blood
to 70 % of the basilar and P1 occlusions (35 % before), every other option as in 0.5.0;
0.5.2 trains channels-last (:data:`training.training_loop.MEMORY_FORMAT`, a third faster on
this CPU), the same data and steps as 0.5.1 (the weights differ in the order of the sums);
0.6.0 gives 15 % of the fine crops to sleeves, blood along a patent artery
(:data:`training.sampling.FINE_MIX`), where a long 0.5.2 run read its false thrombi."""
RESERVE_S = {"cpu": 120.0, "cuda": 50.0}
"""Seconds a time budget keeps for validation and the export (measured on the lent H200:
validation of 21 cases 8 s, export with parity and latency checks 25 s)."""
COARSE_SHARE = 0.5


@dataclass(frozen=True, eq=False)
class TrainResult:
    """Trained nets, their stage settings and the record that goes into the manifest."""

    coarse: StageConfig
    fine: StageConfig
    coarse_net: ThrombusUNet
    fine_net: ThrombusUNet
    rules: DecisionRules
    record: dict[str, Any]
    coarse_example: npt.NDArray[np.float32]
    """A real normalised coarse input (1, 2, z, y, x) for the parity check."""
    fine_example: npt.NDArray[np.float32]
    """A real fine input (1, 3, z, y, x) around a thrombus or vessel voxel."""


def _examples(
    case: PreparedCase, prob: npt.NDArray[np.float32], coarse: StageConfig, fine: StageConfig
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    img = normalise_hu(np.asarray(case.coarse_hu, dtype=np.float32))
    div = coarse.network.size_divisor
    shape = tuple(
        min(-(-s // div) * div, 2 * p)
        for s, p in zip(img.shape[1:], coarse.patch_size, strict=True)
    )
    coarse_x = crop(img, (0, 0, 0), shape, pad=PAD_VALUE)[None]
    points = case.thrombus_points if len(case.thrombus_points) else case.vessel_points
    centre = points[0] if len(points) else np.asarray(case.fine_label.shape) // 2
    start = start_for_centre(centre, fine.patch_size, np.random.default_rng(0), jitter=0.0)
    hu = crop(case.fine_hu, start, fine.patch_size, pad=-1024).astype(np.float32)
    p = coarse_probability_on(
        prob, case.coarse_geometry, case.fine_geometry.crop(start, fine.patch_size)
    )
    fine_x = np.concatenate([normalise_hu(hu), p[None]])[None]
    return coarse_x.astype(np.float32), fine_x.astype(np.float32)


def _checkpoint(
    args: argparse.Namespace,
    coarse: StageConfig,
    fine: StageConfig,
    stage: str,
    iterations: int | None,
) -> Path | None:
    """Checkpoint file of ``stage`` for this run's data and recipe (None: time budget)."""
    if iterations is None:
        return None
    data = "phantoms" if args.data is None else Path(args.data).name
    run_id = (
        f"{RECIPE_VERSION}_{data}_seed{args.seed}_n{args.cases}{'_tiny' if args.tiny else ''}"
        f"_{'paper' if args.paper_recipe else args.optimizer}"
    )
    extra = [str(p) for p in args.extra_data or ()]
    recipe = repr(
        (coarse, fine, args.lr, cache_key(coarse, fine), extra, args.init_from, args.coarse_from)
    )
    run_id += "_" + hashlib.sha256(recipe.encode()).hexdigest()[:12]
    return args.cache / "checkpoints" / run_id / f"{stage}.ckpt"


def _set_up_torch(args: argparse.Namespace) -> torch.device:
    """Threads, number handling and seed of the run; the device it trains on."""
    device = device_of(args.device)
    torch.set_num_threads(args.threads)
    # Subnormal floats (tiny activations and gradients late in a 3-D U-Net's training)
    # make x86 CPUs many times slower; flushing them to zero changes no result that matters.
    torch.set_flush_denormal(True)
    # Same seed, iteration counts, thread count and torch build: bit-identical weights
    # (tests/training/test_train_cli.py trains twice and compares the ONNX bytes).
    # On a GPU, cuDNN picks the fastest 3-D convolutions, some of them not deterministic:
    # a GPU run is seeded but not bit-identical (nor is one with batch workers).
    torch.use_deterministic_algorithms(device.type == "cpu")
    torch.backends.cudnn.benchmark = device.type == "cuda"
    torch.manual_seed(args.seed)
    return device


def _initial_net(stage: StageConfig, init_from: Path | None, device: torch.device) -> ThrombusUNet:
    """A fresh network, or one holding the weights of ``init_from``'s exported stage, on
    ``device``."""
    net = ThrombusUNet(stage.network)
    if init_from is not None:
        load_onnx_weights(net, Path(init_from) / f"thrombus_{stage.name}.onnx")
        log.info("%s: weights from %s", stage.name, init_from)
    return net.to(device)


def _where(args: argparse.Namespace, device: torch.device) -> dict[str, Any]:
    """Where the run trained, for the manifest."""
    return {
        "torch": torch.__version__,
        "device": torch.cuda.get_device_name(device) if device.type == "cuda" else "cpu",
        "batch_workers": args.workers,
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
    }


def _optimizer_record(optim: OptimSettings) -> dict[str, Any]:
    return {
        "name": optim.name,
        "initial_lr": optim.initial_lr,
        "schedule": "poly 0.9",
        "weight_decay": optim.weight_decay,
    }


def _coarse_stage(
    args: argparse.Namespace,
    net: ThrombusUNet,
    stages: tuple[StageConfig, StageConfig],
    cases: Sequence[PreparedCase],
    optim: OptimSettings,
    budget_s: float,
) -> list[StageLog]:
    """Train the coarse stage in place (its log), or nothing with ``--coarse-from``."""
    if args.coarse_from is not None:
        return []
    coarse, fine = stages
    return [
        train_stage(
            net,
            lambda rng: coarse_batch(cases, coarse.training_patch, coarse.batch_size, rng),
            stage="coarse",
            optim=optim,
            seed=args.seed,
            iterations=args.coarse_iterations,
            budget_s=budget_s,
            checkpoint=_checkpoint(args, coarse, fine, "coarse", args.coarse_iterations),
            workers=args.workers,
        )
    ]


def run(args: argparse.Namespace) -> TrainResult:
    """The whole training run (data, coarse, fine, validation), without export."""
    t_start = time.perf_counter()
    device = _set_up_torch(args)
    coarse, fine = training_stages(
        tiny=args.tiny,
        channels=args.channels,
        batch_size=args.batch_size,
        paper_recipe=args.paper_recipe,
    )
    rules = DecisionRules()
    roots, train_cases, val_cases = training_data(args, coarse, fine)
    t_data = time.perf_counter() - t_start
    budget_s = args.minutes * 60.0 - RESERVE_S[device.type]  # from t_start, for both stages
    left = max(budget_s - t_data, 30.0)
    optim = OptimSettings(name="sgd" if args.paper_recipe else args.optimizer, lr=args.lr)

    coarse_net = _initial_net(coarse, args.coarse_from or args.init_from, device)
    logs = _coarse_stage(args, coarse_net, (coarse, fine), train_cases, optim, COARSE_SHARE * left)
    probs = [predict_coarse(coarse_net, c) for c in train_cases]
    cands = [
        false_positive_candidates(p, c, threshold=rules.coarse_candidate_threshold)
        for p, c in zip(probs, train_cases, strict=True)
    ]
    fine_net = _initial_net(fine, args.init_from, device)
    left = max(budget_s - (time.perf_counter() - t_start), 30.0)
    logs.append(
        train_stage(
            fine_net,
            lambda rng: fine_batch(
                train_cases, probs, cands, fine.training_patch, fine.batch_size, rng
            ),
            stage="fine",
            optim=optim,
            seed=args.seed + 1,
            iterations=args.fine_iterations,
            budget_s=left,
            checkpoint=_checkpoint(args, coarse, fine, "fine", args.fine_iterations),
            workers=args.workers,
        )
    )
    if args.checkpoints:
        for name, net in (("coarse", coarse_net), ("fine", fine_net)):
            torch.save(net.state_dict(), args.cache / f"thrombus_{name}_seed{args.seed}.pt")
    validation = (
        validate(coarse_net, fine_net, val_cases, fine, rules).to_dict() if val_cases else None
    )
    coarse_net, fine_net = coarse_net.cpu(), fine_net.cpu()  # export and parity run on CPU
    record = {
        "seed": args.seed,
        "data": data_record(args, roots, train_cases, val_cases),
        "recipe": "paper" if args.paper_recipe else "cpu",
        "initialised_from": None if args.init_from is None else str(args.init_from),
        "coarse_from": None if args.coarse_from is None else str(args.coarse_from),
        "coarse_train_patch": list(coarse.training_patch),
        "fine_train_patch": list(fine.training_patch),
        "optimizer": _optimizer_record(optim),
        "stages": [lg.to_dict() for lg in logs],
        "parameters": {"coarse": count_parameters(coarse_net), "fine": count_parameters(fine_net)},
        "phantom_validation": validation,
        "minutes_budget": (
            None
            if (args.coarse_iterations or args.coarse_from) and args.fine_iterations
            else args.minutes
        ),
        "seconds_data_preparation": round(t_data, 1),
        "seconds_training_total": round(time.perf_counter() - t_start, 1),
        **_where(args, device),
    }
    coarse_x, fine_x = _examples(train_cases[0], probs[0], coarse, fine)
    return TrainResult(coarse, fine, coarse_net, fine_net, rules, record, coarse_x, fine_x)


def export_all(result: TrainResult, out: Path, *, version: str) -> Path:
    """Export both stages, write training_log.json, MODEL_CARD.md and manifest.json."""
    out.mkdir(parents=True, exist_ok=True)
    models = [
        export_stage(
            result.coarse_net,
            result.coarse,
            out / "thrombus_coarse.onnx",
            example=result.coarse_example,
            latency_shape=result.coarse_example.shape[2:],
        ),
        export_stage(
            result.fine_net, result.fine, out / "thrombus_fine.onnx", example=result.fine_example
        ),
    ]
    record = result.record
    atomic_write_text(out / "training_log.json", json.dumps(record, indent=1) + "\n")
    write_model_card(out, version=version, training=record, models=models)
    summary = dict(record)
    summary["stages"] = [
        {k: v for k, v in s.items() if k != "loss_curve"} for s in record["stages"]
    ]
    return write_manifest(out, models, rules=result.rules, training=summary, version=version)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser(__doc__)
    args = parser.parse_args(argv)
    if args.minutes <= 0 or args.cases < 1 or not 0.0 <= args.val_fraction < 1.0:
        parser.error("--minutes > 0, --cases >= 1 and 0 <= --val-fraction < 1 required")
    if args.workers < 0 or args.jobs < 1:
        parser.error("--workers >= 0 and --jobs >= 1 required")
    if args.coarse_from is not None and args.coarse_iterations is not None:
        parser.error("--coarse-from keeps that coarse network untrained: drop --coarse-iterations")
    try:
        device_of(args.device)
    except ValueError as e:
        parser.error(str(e))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    args.cache.mkdir(parents=True, exist_ok=True)
    result = run(args)
    version = args.version or f"{RECIPE_VERSION}+seed{args.seed}{'-tiny' if args.tiny else ''}"
    manifest = export_all(result, args.out, version=version)
    print(f"wrote {manifest}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
