"""Work spread over processes (data writing and preparation on a many-core machine)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from typing import Any, TypeVar

T = TypeVar("T")


def in_processes(
    function: Callable[..., T], work: Sequence[tuple[Any, ...]], jobs: int
) -> Iterator[T]:
    """``function(*args)`` for each ``args`` of ``work``, in this process when ``jobs`` is 1,
    else in ``jobs`` processes; results as they complete."""
    if jobs <= 1 or len(work) <= 1:
        yield from (function(*args) for args in work)
        return
    with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("fork")) as pool:
        for future in as_completed([pool.submit(function, *args) for args in work]):
            yield future.result()
