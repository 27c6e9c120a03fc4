"""Trilinear interpolation: exact on a linear field, the default outside, one-voxel axes."""

from __future__ import annotations

import numpy as np

from strokescope.preprocess.registration import trilinear


def _linear(shape: tuple[int, int, int]) -> np.ndarray:
    z, y, x = np.indices(shape).astype(np.float64)
    return (3.0 * z - 2.0 * y + 0.5 * x + 7.0).astype(np.float32)


def test_exact_on_a_linear_field_and_default_outside() -> None:
    shape = (7, 9, 11)
    rng = np.random.default_rng(0)
    inside = rng.uniform(0, np.array(shape) - 1, size=(500, 3))
    inside[:20] = np.round(inside[:20])  # on voxels, the last one included
    inside[0] = np.array(shape) - 1
    outside = np.array([[-0.1, 2, 2], [2, 8.5, 2], [2, 2, 10.01]])
    got = trilinear(_linear(shape), np.concatenate([inside, outside]), default=-1024.0)
    want = 3.0 * inside[:, 0] - 2.0 * inside[:, 1] + 0.5 * inside[:, 2] + 7.0
    np.testing.assert_allclose(got[:500], want, atol=1e-4)
    assert np.all(got[500:] == -1024.0)


def test_axis_of_one_voxel() -> None:
    array = _linear((1, 4, 5))
    got = trilinear(array, np.array([[0.0, 1.5, 2.25], [0.0, 3.0, 4.0]]), default=np.nan)
    np.testing.assert_allclose(got, [-2.0 * 1.5 + 0.5 * 2.25 + 7.0, -6.0 + 2.0 + 7.0], atol=1e-5)
