"""The tree's thread map: results in the items' order, errors raised, threads really used."""

from __future__ import annotations

import threading
import time

import pytest

from strokescope.vessels import threads
from strokescope.vessels.threads import thread_map


def test_results_keep_the_items_order() -> None:
    def slow_square(i: int) -> int:
        time.sleep(0.02 * (5 - i))  # the first item finishes last
        return i * i

    assert thread_map(slow_square, range(5)) == [0, 1, 4, 9, 16]


def test_an_error_in_a_task_is_raised() -> None:
    def fail_on_two(i: int) -> int:
        if i == 2:
            raise ValueError("task 2")
        return i

    with pytest.raises(ValueError, match="task 2"):
        thread_map(fail_on_two, range(4))


def test_two_tasks_run_side_by_side_on_two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threads, "cores", lambda: 2)
    barrier = threading.Barrier(2, timeout=5)  # breaks unless both tasks wait at once

    def meet(i: int) -> int:
        barrier.wait()
        return i

    assert thread_map(meet, [1, 2]) == [1, 2]


def test_one_core_runs_in_the_calling_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(threads, "cores", lambda: 1)
    caller = threading.get_ident()
    assert thread_map(lambda _: threading.get_ident(), [0, 1]) == [caller, caller]


def test_cores_counts_at_least_one() -> None:
    assert 1 <= threads.cores() <= 4096
