"""Block means: equal to a padded reshape-mean, and placed where SimpleITK's BinShrink puts them."""

from __future__ import annotations

import numpy as np
import SimpleITK as sitk

from strokescope.io.sitk_convert import geometry_from_sitk, volume_to_sitk
from strokescope.preprocess.blocks import block_geometry, block_mean
from strokescope.volume import Geometry, Volume


def test_partial_blocks_are_edge_padded() -> None:
    a = np.random.default_rng(0).normal(0, 100, (17, 23, 9)).astype(np.float32)
    padded = np.pad(a, [(0, 1), (0, 1), (0, 1)], mode="edge")  # to (18, 24, 10)
    expected = padded.reshape(6, 3, 6, 4, 5, 2).mean(axis=(1, 3, 5))
    out = block_mean(a, (3, 4, 2))
    assert out.dtype == np.float32 and out.shape == (6, 6, 5)
    np.testing.assert_allclose(out, expected, atol=1e-4)
    np.testing.assert_array_equal(block_mean(a, (1, 1, 1)), a)


def test_values_and_grid_match_simpleitk_binshrink() -> None:
    g = Geometry((18, 24, 10), (2.5, 0.5, 0.7), (1.0, 2.0, 3.0), ((0, 0, 1), (0, 1, 0), (-1, 0, 0)))
    b = np.random.default_rng(1).normal(0, 100, g.shape).astype(np.float32)
    shrunk = sitk.BinShrink(volume_to_sitk(Volume(b, g)), [2, 4, 3])  # (x, y, z) factors
    np.testing.assert_allclose(block_mean(b, (3, 4, 2)), sitk.GetArrayFromImage(shrunk), atol=1e-4)
    ours, theirs = block_geometry(g, (3, 4, 2)), geometry_from_sitk(shrunk)
    assert ours.shape == theirs.shape and ours.direction == theirs.direction
    np.testing.assert_allclose(ours.spacing, theirs.spacing)
    np.testing.assert_allclose(ours.origin, theirs.origin)
