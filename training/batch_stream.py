"""Where a training stage's batches come from and which device they train on.

On a 2-core CPU the loop draws each batch itself, between steps, from one seeded generator:
a run is repeatable bit for bit and a resumed run equals an unbroken one. On a GPU the
network step takes milliseconds and drawing a batch (cropping, augmenting) tens to hundreds,
so there ``workers`` processes draw batches ahead of the loop (a torch ``DataLoader`` over an
endless stream; the prepared arrays are shared with the workers by ``fork``). Worker ``w``
of a stream that starts at iteration ``i`` draws from ``default_rng([seed, w, i])``: the run
is still seeded, but which worker's batch comes first is not fixed, so it is not repeatable
bit for bit, and a resumed run differs from an unbroken one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
import torch

from training.sampling import Batch

MakeBatch = Callable[[np.random.Generator], Batch]


def device_of(name: str) -> torch.device:
    """The torch device for ``--device`` (``cpu``, ``cuda`` or ``cuda:N``), checked."""
    try:
        device = torch.device(name)
    except RuntimeError:
        device = None
    if device is None or device.type not in ("cpu", "cuda"):
        raise ValueError(f"device must be cpu or cuda, got {name!r}")
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device {name!r} asked for, but torch sees no CUDA device")
    return device


class _Stream(torch.utils.data.IterableDataset):
    def __init__(self, make_batch: MakeBatch, seed: int, start: int) -> None:
        super().__init__()
        self.make_batch, self.seed, self.start = make_batch, seed, start

    def __iter__(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        info = torch.utils.data.get_worker_info()
        worker = 0 if info is None else info.id
        rng = np.random.default_rng([self.seed, worker, self.start])
        while True:
            batch = self.make_batch(rng)
            yield torch.from_numpy(batch.image), torch.from_numpy(batch.target)


def batches(
    make_batch: MakeBatch,
    rng: np.random.Generator,
    *,
    seed: int,
    start: int,
    workers: int,
    device: torch.device,
) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    """Endless (image, target) tensors on ``device``: drawn in the loop from ``rng`` when
    ``workers`` is 0, else by ``workers`` processes ahead of it (see the module)."""
    if workers < 0:
        raise ValueError(f"workers must be >= 0, got {workers}")
    if workers == 0:
        while True:
            batch = make_batch(rng)
            yield (
                torch.from_numpy(batch.image).to(device),
                torch.from_numpy(batch.target).to(device),
            )
    loader = torch.utils.data.DataLoader(
        _Stream(make_batch, seed, start),
        batch_size=None,
        num_workers=workers,
        multiprocessing_context="fork",
        pin_memory=device.type == "cuda",
        prefetch_factor=4,
        persistent_workers=False,
    )
    for x, y in loader:
        yield x.to(device, non_blocking=True), y.to(device, non_blocking=True)
