"""The outcome network's training data from a site's cohort file: one input stack per row
(:func:`strokescope.outcome.network_input.network_input`), cached, and one ``.npz`` with
``x`` (n, 2, S, H, W) float32, ``y`` (n) 0/1 and ``ids`` for ``python -m
training.scanet_train``.

The cohort file is the one ``strokescope outcome train`` reads
(:mod:`strokescope.outcome.cohort`). Each row's images are analysed through the pipeline
(the caller's ``analyse``: NCCT, CTA and thrombus result), so training stacks are built
exactly as the app builds a study's at run time. Stacks are cached per row in
``out/stacks/<id>.npy`` under a key of the thrombus models' digest and the stack builder,
so a rerun resumes. Rows without images or without a CTA are left out and listed with the
reason (:attr:`StackCohort.excluded`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from strokescope.atomic import atomic_write_text, atomic_write_with
from strokescope.outcome.cohort import CohortRow, read_cohort
from strokescope.outcome.network_input import BUILDER, network_input

if TYPE_CHECKING:
    from strokescope.thrombus import ThrombusResult
    from strokescope.volume import Volume

Analyse = Callable[[CohortRow], "tuple[Volume, Volume | None, ThrombusResult]"]
STACKS_NAME = "stacks.npz"


@dataclass(frozen=True)
class StackCohort:
    """What :func:`build_stacks` wrote: the ``.npz``, its ids and the rows left out."""

    path: Path
    ids: tuple[str, ...]
    successes: int
    excluded: tuple[str, ...]


def _key(row: CohortRow, models_digest: str) -> str:
    text = json.dumps([str(row.study), str(row.ncct), str(row.cta), models_digest, BUILDER])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _cached(folder: Path, row: CohortRow, key: str, analyse: Analyse) -> np.ndarray | str:
    """The row's stack from the cache or the images, or why there is none."""
    path = folder / f"{row.id}.{key}.npy"
    if path.is_file():
        return np.load(path)
    if row.study is None and row.ncct is None:
        return "no images in the cohort file"
    ncct, cta, result = analyse(row)
    if cta is None:
        return "no CTA series"
    stack = network_input(ncct, cta, result).stack
    atomic_write_with(path, lambda fh: np.save(fh, stack))
    return stack


def build_stacks(
    cohort_csv: str | Path,
    out: str | Path,
    analyse: Analyse,
    *,
    models_digest: str = "",
    on_progress: Callable[[float], None] | None = None,
) -> StackCohort:
    """Write ``out/stacks.npz`` (and ``out/excluded.txt``) for the rows of ``cohort_csv``."""
    rows = read_cohort(cohort_csv)
    root = Path(out)
    folder = root / "stacks"
    folder.mkdir(parents=True, exist_ok=True)
    kept: list[tuple[CohortRow, np.ndarray]] = []
    excluded: list[str] = []
    for i, row in enumerate(rows):
        got = _cached(folder, row, _key(row, models_digest), analyse)
        if isinstance(got, str):
            excluded.append(f"{row.id} (line {row.line}): {got}")
        else:
            kept.append((row, got))
        if on_progress is not None:
            on_progress((i + 1) / len(rows))
    x = np.stack([s for _, s in kept]) if kept else np.zeros((0, 2, 1, 1, 1), np.float32)
    y = np.array([r.outcome for r, _ in kept], np.int64)
    ids = tuple(r.id for r, _ in kept)
    path = root / STACKS_NAME
    atomic_write_with(path, lambda fh: np.savez(fh, x=x, y=y, ids=np.array(ids)))
    atomic_write_text(root / "excluded.txt", "".join(f"{e}\n" for e in excluded))
    return StackCohort(path, ids, int(y.sum()), tuple(excluded))
