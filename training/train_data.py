"""The training run's data: datasets written or read, prepared on the model grids, split.

The primary dataset is ``--data`` (a site's nnU-Net raw folder) or ``--cases`` phantoms of
:mod:`training.make_phantoms` written under ``--cache``. Each ``--extra-data`` folder (for
example a second phantom family, :mod:`training.family_c`) is split the same way and its
cases join both the training and the validation set, so a run can learn from more than one
generator while the validation reports on all of them.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from training.config import StageConfig
from training.dataset import dataset_description, image_paths, list_cases, read_case
from training.make_phantoms import write_phantom_dataset
from training.parallel import in_processes
from training.prepare import PreparedCase, cache_key, load_prepared, prepare_case, save_prepared

log = logging.getLogger(__name__)


def _prepare_one(
    root: Path, case_id: str, folder: Path, coarse: StageConfig, fine: StageConfig, seed: int
) -> str:
    save_prepared(prepare_case(read_case(root, case_id), coarse, fine, seed=seed), folder)
    return case_id


def prepare_all(
    root: Path,
    ids: Sequence[str],
    cache: Path,
    coarse: StageConfig,
    fine: StageConfig,
    seed: int,
    *,
    jobs: int = 1,
) -> list[PreparedCase]:
    """Prepared cases, from the cache when present and newer than the case's label; the
    others are prepared first, by ``jobs`` processes."""
    folder = cache / f"prepared_{cache_key(coarse, fine)}"
    todo = []
    for case_id in ids:
        meta = folder / case_id / "meta.json"
        label = image_paths(root, case_id)[2]
        if not meta.is_file() or meta.stat().st_mtime < label.stat().st_mtime:
            todo.append(case_id)
    work = [(root, c, folder / c, coarse, fine, seed) for c in todo]
    for case_id in in_processes(_prepare_one, work, jobs):
        log.info("prepared %s", case_id)
    out = []
    for case_id in ids:
        prep = load_prepared(folder / case_id)
        if prep is None:
            raise RuntimeError(f"{folder / case_id}: prepared case missing after preparation")
        out.append(prep)
    return out


def split(ids: Sequence[str], seed: int, fraction: float) -> tuple[list[str], list[str]]:
    """(train, validation) ids; at least one training case, validation may be empty."""
    order = np.random.default_rng(seed).permutation(len(ids))
    n_val = min(int(round(fraction * len(ids))), len(ids) - 1)
    val = sorted(ids[i] for i in order[:n_val])
    return [i for i in ids if i not in val], val


def primary_root(args: argparse.Namespace) -> Path:
    """The primary dataset folder (phantoms written first unless ``--data``)."""
    if args.data is not None:
        return Path(args.data)
    root = args.cache / f"phantoms_seed{args.seed}{'_tiny' if args.tiny else ''}"
    write_phantom_dataset(root, n=args.cases, seed=args.seed, tiny=args.tiny, jobs=args.jobs)
    return root


def training_data(
    args: argparse.Namespace, coarse: StageConfig, fine: StageConfig
) -> tuple[list[Path], list[PreparedCase], list[PreparedCase]]:
    """Every dataset folder (primary first) and the prepared training and validation cases
    of all of them."""
    roots = [primary_root(args), *(Path(p) for p in args.extra_data or ())]
    train: list[PreparedCase] = []
    val: list[PreparedCase] = []
    for root in roots:
        ids = list_cases(root)
        train_ids, val_ids = split(ids, args.seed, args.val_fraction)
        prepared = prepare_all(root, ids, args.cache, coarse, fine, args.seed, jobs=args.jobs)
        train += [p for p in prepared if p.case_id in train_ids]
        val += [p for p in prepared if p.case_id in val_ids]
    return roots, train, val


def data_record(
    args: argparse.Namespace,
    roots: Sequence[Path],
    train: Sequence[PreparedCase],
    validation: Sequence[PreparedCase],
) -> dict[str, Any]:
    """What the run trained and validated on, for the manifest."""
    return {
        "description": " + ".join(dataset_description(r) for r in roots),
        "source": "phantoms" if args.data is None else str(args.data),
        "extra": [str(p) for p in args.extra_data or ()],
        "n_train": len(train),
        "n_validation": len(validation),
        "n_positive_train": sum(c.positive for c in train),
    }
