"""Train the NCCT arterial map (seed 002) on randomised phantoms and export it to ONNX.

``python -m training.artery_map --data cache/artery/data --out models_onnx`` (cases from
:mod:`training.artery_data`): a 3D U-Net of the thrombus networks' design with one input
channel, trained on 48 mm crops of the 1 mm map grid, two thirds centred on an artery
(``--artery-fraction``), with the thrombus networks' on-the-fly augmentation (intensity,
noise, kernel, low resolution, rotation, scaling, elastic deformation, gamma), left-right
mirroring and optionally a random remap of tissue HU (``--remap-sd-hu``); Dice + BCE with
deep supervision; Adam, poly decay. A fixed number of iterations, each drawn from its own
seeded generator, so a run resumed from its checkpoint (``--checkpoint``, every
``CHECKPOINT_EVERY`` iterations) draws what an uninterrupted run would. The last
``--validation`` cases are held back: Dice of the exported map run as the application runs
it (on tiles, :func:`strokescope.vessels.ncct_map.run_map`).
Writes ``arteries_ncct.onnx`` (parity with PyTorch checked) and its manifest
``arteries_ncct.json``.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import torch

from strokescope.atomic import atomic_path, atomic_write_text
from strokescope.evaluation.overlap import dice
from strokescope.thrombus.model import Window
from strokescope.vessels.ncct_map import MANIFEST_NAME
from training.augment import intensity_hu, spatial_and_gamma
from training.config import StageConfig
from training.losses import deep_supervision_loss
from training.network import NetworkConfig, ThrombusUNet, count_parameters
from training.onnx_export import RESEARCH_NOTICE, export_stage

log = logging.getLogger(__name__)

WINDOW_HU = (-20.0, 180.0)
AIR_HU = -1024.0
CHECKPOINT_EVERY = 200
THRESHOLD = 0.5
TILE = (64, 64, 64)
"""Run-time tile (``strokescope.vessels.ncct_map.run_map``): near the training crop, whose
instance-norm statistics a whole head does not share."""
NOTICE = (
    f"{RESEARCH_NOTICE} Trained on phantoms only: it marks where arteries probably run on "
    "an NCCT; it is not a measurement and not a CTA."
)


@dataclass(frozen=True)
class Recipe:
    iterations: int = 3000
    batch: int = 2
    lr: float = 1e-3
    artery_fraction: float = 2 / 3
    remap_sd_hu: float = 0.0
    """SD of the random, order-keeping remap of soft-tissue HU (:func:`remap_hu`); 0 = off."""
    base_channels: int = 6
    spacing_mm: float = 1.0
    patch: tuple[int, int, int] = (48, 48, 48)

    def stage(self) -> StageConfig:
        net = NetworkConfig(in_channels=1, base_channels=self.base_channels)
        spacing = (self.spacing_mm,) * 3
        return StageConfig("arteries", spacing, self.patch, self.batch, net, ("NCCT",))


@dataclass(frozen=True, eq=False)
class ArteryCase:
    hu: npt.NDArray[np.float16]
    label: npt.NDArray[np.float16]
    artery: npt.NDArray[np.int64]  # (n, 3) indices of label >= 0.5


def load_cases(paths: Sequence[Path]) -> list[ArteryCase]:
    out = []
    for p in paths:
        with np.load(p) as d:
            hu, label = d["hu"], d["label"]
        out.append(ArteryCase(hu, label, np.argwhere(label >= 0.5)))
    return out


def normalise(hu: npt.NDArray[np.floating]) -> npt.NDArray[np.float32]:
    return Window(*WINDOW_HU).apply(hu)


def _crop(
    arr: npt.NDArray[Any], start: npt.NDArray[np.int64], size: Sequence[int], pad: float
) -> Any:
    out = np.full(tuple(size), pad, dtype=np.float32)
    lo = np.maximum(start, 0)
    hi = np.minimum(start + np.asarray(size), arr.shape)
    if np.all(hi > lo):
        src = tuple(slice(a, b) for a, b in zip(lo, hi, strict=True))
        dst = tuple(slice(a - s, b - s) for a, b, s in zip(lo, hi, start, strict=True))
        out[dst] = arr[src]
    return out


REMAP_KNOTS_HU = (-20.0, 10.0, 30.0, 45.0, 60.0, 90.0, 130.0)


def remap_hu(hu: npt.NDArray[Any], rng: np.random.Generator, sd_hu: float) -> Any:
    """``hu`` through a random piecewise-linear map that keeps the order of the knots
    (CSF < brain < blood < clot < calcium) but moves each by N(0, ``sd_hu``): another
    scanner's, or another generator's, tissue levels, as SynthSeg draws them."""
    knots = np.asarray(REMAP_KNOTS_HU)
    moved = np.sort(knots + rng.normal(0.0, sd_hu, len(knots)))
    return np.interp(hu, knots, moved, left=None, right=None).astype(np.float32) + np.where(
        hu < knots[0], hu - knots[0], np.where(hu > knots[-1], hu - knots[-1], 0.0)
    ).astype(np.float32)


def sample(
    case: ArteryCase, rng: np.random.Generator, recipe: Recipe
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """One augmented, normalised (1, z, y, x) crop and its (z, y, x) target."""
    shape, half = np.asarray(case.hu.shape), np.asarray(recipe.patch) // 2
    if len(case.artery) and rng.random() < recipe.artery_fraction:
        centre = case.artery[rng.integers(len(case.artery))] + rng.integers(-8, 9, 3)
    else:
        centre = np.array([rng.integers(0, s) for s in shape])
    start = centre - half
    hu = _crop(case.hu, start, recipe.patch, AIR_HU)[None]
    label = _crop(case.label, start, recipe.patch, 0.0)
    if rng.random() < 0.5:
        hu, label = hu[..., ::-1], label[..., ::-1]
    if recipe.remap_sd_hu > 0:
        hu = remap_hu(hu, rng, recipe.remap_sd_hu)
    image = normalise(intensity_hu(np.ascontiguousarray(hu), rng))
    return spatial_and_gamma(image, np.ascontiguousarray(label), rng, image_channels=1)


def batch_at(
    cases: Sequence[ArteryCase], recipe: Recipe, seed: int, iteration: int
) -> tuple[torch.Tensor, torch.Tensor]:
    rng = np.random.default_rng([seed, iteration])
    pairs = [sample(cases[int(rng.integers(len(cases)))], rng, recipe) for _ in range(recipe.batch)]
    x = torch.from_numpy(np.stack([p[0] for p in pairs]))
    y = torch.from_numpy(np.stack([p[1] for p in pairs])[:, None])
    return x, y


def train(
    cases: Sequence[ArteryCase], recipe: Recipe, seed: int, checkpoint: Path | None
) -> tuple[ThrombusUNet, dict[str, Any]]:
    """Train (resuming from ``checkpoint`` when it exists); the net and a training log."""
    torch.manual_seed(seed)
    net = ThrombusUNet(recipe.stage().network)
    opt = torch.optim.Adam(net.parameters(), lr=recipe.lr, weight_decay=3e-5)
    start, seconds, losses = 0, 0.0, []
    if checkpoint is not None and checkpoint.is_file():
        state = torch.load(checkpoint, weights_only=False)
        net.load_state_dict(state["net"])
        opt.load_state_dict(state["opt"])
        start, seconds, losses = state["iteration"], state["seconds"], state["losses"]
        log.info("resumed at iteration %d", start)
    t0 = time.perf_counter() - seconds
    net.train()
    for it in range(start, recipe.iterations):
        for group in opt.param_groups:
            group["lr"] = recipe.lr * (1 - it / recipe.iterations) ** 0.9
        x, y = batch_at(cases, recipe, seed, it)
        loss = deep_supervision_loss(net(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
        done = it + 1
        if checkpoint is not None and (done % CHECKPOINT_EVERY == 0 or done == recipe.iterations):
            state = {"net": net.state_dict(), "opt": opt.state_dict(), "iteration": done}
            state |= {"seconds": time.perf_counter() - t0, "losses": losses}
            with atomic_path(checkpoint) as tmp:
                torch.save(state, tmp)
            log.info("iteration %d, loss (last 100) %.3f", done, float(np.mean(losses[-100:])))
    info = {
        "iterations": recipe.iterations,
        "seconds": round(time.perf_counter() - t0, 1),
        "final_loss": float(np.mean(losses[-100:])) if losses else None,
        "parameters": count_parameters(net),
    }
    return net, info


def manifest(
    recipe: Recipe, exported: Any, info: dict[str, Any], validation: dict[str, Any], seed: int
) -> dict[str, Any]:
    stage = recipe.stage()
    return {
        "format_version": 1,
        "name": "StrokeScope NCCT arterial map",
        "version": f"0.1.0+seed{seed}",
        "notice": NOTICE,
        "task": "probability that a voxel of a non-contrast head CT lies in an artery",
        "network": {
            "file": exported.path.name,
            "input": "image",
            "output": "probability",
            "channels": ["NCCT"],
            "spacing_mm": recipe.spacing_mm,
            "tile": list(TILE),
            "size_divisor": stage.network.size_divisor,
            "architecture": stage.network.to_dict(),
            "checks": exported.to_dict(),
        },
        "normalisation": {"NCCT": {"clip_hu": list(WINDOW_HU)}},
        "decision": {"threshold": THRESHOLD},
        "files": {exported.path.name: exported.sha256},
        "training": {
            "data": "StrokeScope randomised phantoms (training.artery_data), family A only",
            "seed": seed,
            "recipe": {k: list(v) if isinstance(v, tuple) else v for k, v in vars(recipe).items()},
            "torch": torch.__version__,
            **info,
            "validation": validation,
        },
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--iterations", type=int, default=Recipe.iterations)
    parser.add_argument("--validation", type=int, default=6)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--checkpoint", default=None)
    parser.add_argument("--artery-fraction", type=float, default=Recipe.artery_fraction)
    parser.add_argument("--remap-sd-hu", type=float, default=Recipe.remap_sd_hu)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    paths = sorted(Path(args.data).glob("ARTERY_*.npz"))
    if len(paths) <= args.validation:
        raise SystemExit(f"{args.data}: {len(paths)} cases, need more than {args.validation}")
    cases = load_cases(paths)
    train_cases, val_cases = cases[: -args.validation], cases[-args.validation :]
    recipe = Recipe(
        iterations=args.iterations,
        artery_fraction=args.artery_fraction,
        remap_sd_hu=args.remap_sd_hu,
    )
    ckpt = Path(args.checkpoint) if args.checkpoint else None
    net, info = train(train_cases, recipe, args.seed, ckpt)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    example = normalise(val_cases[0].hu[:64, :96, :96].astype(np.float32))[None, None]
    exported = export_stage(
        net, recipe.stage(), out / "arteries_ncct.onnx", example=example, latency_shape=TILE
    )
    document = manifest(recipe, exported, info, {}, args.seed)
    atomic_write_text(out / MANIFEST_NAME, json.dumps(document, indent=2) + "\n")
    document["training"]["validation"] = validate(out, val_cases, args.threads)
    atomic_write_text(out / MANIFEST_NAME, json.dumps(document, indent=2) + "\n")
    return 0


def validate(folder: Path, cases: Sequence[ArteryCase], threads: int) -> dict[str, Any]:
    """Dice of the exported map on the held-back cases, run as the application runs it."""
    from strokescope.vessels.ncct_map import load_artery_map, run_map

    model = load_artery_map(folder, threads=threads)
    scores = [
        dice(run_map(model, c.hu.astype(np.float32)) >= model.threshold, c.label >= 0.5)
        for c in cases
    ]
    log.info("validation Dice %s", [round(s, 3) for s in scores])
    return {
        "n_cases": len(cases),
        "dice": [round(s, 3) for s in scores],
        "dice_median": round(float(np.median(scores)), 3),
    }


if __name__ == "__main__":
    raise SystemExit(main())
