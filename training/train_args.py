"""The command line of :mod:`training.train` (``python -m training.train --help``)."""

from __future__ import annotations

import argparse
from pathlib import Path


def build_parser(description: str | None = None) -> argparse.ArgumentParser:
    """The parser; ``description``: the help text's head (:mod:`training.train`'s docstring)."""
    p = argparse.ArgumentParser(
        prog="python -m training.train",
        description=description,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--out", type=Path, required=True, help="output folder (models_onnx)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--data", type=Path, default=None, help="nnU-Net raw dataset (default: phantoms)"
    )
    p.add_argument("--minutes", type=float, default=80.0, help="total time budget (default 80)")
    p.add_argument("--cases", type=int, default=60, help="phantom cases to generate (default 60)")
    p.add_argument("--cache", type=Path, default=Path("cache/train"), help="work folder")
    p.add_argument(
        "--optimizer",
        choices=("sgd", "adam"),
        default="adam",
        help="adam (default; learns within a CPU budget) or sgd (the paper's recipe)",
    )
    p.add_argument("--lr", type=float, default=None, help="initial learning rate")
    p.add_argument(
        "--init-from",
        type=Path,
        default=None,
        help="model folder whose exported networks are the starting weights (fine-tuning)",
    )
    p.add_argument(
        "--coarse-from",
        type=Path,
        default=None,
        help="model folder whose coarse network is kept as it is (not trained): the fine "
        "stage learns from its probabilities and false candidates",
    )
    p.add_argument(
        "--extra-data",
        type=Path,
        action="append",
        help="another nnU-Net raw dataset to train on beside the first (repeatable)",
    )
    p.add_argument(
        "--paper-recipe",
        action="store_true",
        help="the paper's SGD 0.99/0.01, 64x80x80 coarse crops, zero head bias "
        "(collapses to all-background within a CPU budget; see training/config.py)",
    )
    p.add_argument("--coarse-iterations", type=int, default=None)
    p.add_argument("--fine-iterations", type=int, default=None)
    p.add_argument("--batch-size", type=int, default=None, help="crops per step (default 2)")
    p.add_argument(
        "--channels",
        type=int,
        nargs=2,
        default=(8, 12),
        metavar=("COARSE", "FINE"),
        help="first-level channels of the coarse and fine networks (default 8 12)",
    )
    p.add_argument("--val-fraction", type=float, default=0.1)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--device", default="cpu", help="cpu (default) or cuda: where nets train")
    p.add_argument(
        "--workers",
        type=int,
        default=0,
        help="processes drawing batches ahead of the loop (default 0: repeatable bit for bit)",
    )
    p.add_argument(
        "--jobs", type=int, default=1, help="processes writing and preparing data (default 1)"
    )
    p.add_argument("--tiny", action="store_true", help="tiny phantoms and nets (tests)")
    p.add_argument("--checkpoints", action="store_true", help="also save .pt weights in --cache")
    p.add_argument(
        "--version", default=None, help="model version (default RECIPE_VERSION+seed<seed>)"
    )
    return p
