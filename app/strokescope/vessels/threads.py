"""Independent steps of the arterial tree, run side by side in threads.

SimpleITK's filters release Python's global interpreter lock while they run, and its fast
marching uses one core: the two sides' marches, and the kernel match's blurs of small
blocks (too small for SimpleITK's own threads to gain much), finish in about half the time
on two cores. Each task reads shared arrays and returns its own result, so the results are
those of running the tasks one after the other, in the same order.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def cores() -> int:
    """The cores this process may run on (its affinity where the system tells it: a
    container or a batch worker may be given fewer than the machine has)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def thread_map(fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
    """``[fn(item) for item in items]``, the items run in up to one thread per core."""
    todo = list(items)
    workers = min(len(todo), cores())
    if workers < 2:
        return [fn(item) for item in todo]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(fn, todo))


def side_by_side(*tasks: Callable[[], Any]) -> list[Any]:
    """The results of ``tasks`` (calls without arguments), run as :func:`thread_map` runs
    its items."""
    return thread_map(lambda task: task(), tasks)
