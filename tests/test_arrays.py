"""same_content: np.array_equal without a full-size temporary."""

from __future__ import annotations

import numpy as np
import pytest

from strokescope.arrays import SLAB, same_content


@pytest.mark.parametrize("dtype", [bool, np.float32, np.int16])
def test_equal_arrays_are_the_same_and_one_change_anywhere_is_found(dtype: type) -> None:
    rng = np.random.default_rng(5)
    a = (rng.random((3 * SLAB + 3, 7, 5)) * 100).astype(dtype)
    assert same_content(a, a.copy())
    for k in (0, SLAB, 3 * SLAB + 2):  # first slab, a slab boundary, the short last slab
        b = a.copy()
        b[k, 6, 4] = not b[k, 6, 4] if dtype is bool else b[k, 6, 4] + 1
        assert not same_content(a, b)


def test_shapes_and_edge_cases_follow_array_equal() -> None:
    a = np.zeros((4, 3, 2), np.float32)
    assert not same_content(a, np.zeros((4, 2, 3), np.float32))
    assert same_content(np.zeros((0, 3)), np.zeros((0, 3)))
    assert same_content(np.float32(1.0).reshape(()), np.float32(1.0).reshape(()))
    nan = np.full((3, 2), np.nan)
    assert same_content(nan, nan.copy()) == np.array_equal(nan, nan.copy())
