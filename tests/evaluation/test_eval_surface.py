from __future__ import annotations

import math

import numpy as np
import pytest

from strokescope.errors import InputError
from strokescope.evaluation import assd, hd95, surface_distances
from strokescope.volume import Geometry, Mask


def _box(
    shape: tuple[int, int, int], spacing: tuple[float, float, float], sl: tuple[slice, ...]
) -> Mask:
    arr = np.zeros(shape, bool)
    arr[sl] = True
    return Mask(arr, Geometry(shape, spacing))


def test_identical_masks_have_zero_distance() -> None:
    m = _box((10, 20, 20), (1.0, 1.0, 1.0), (slice(3, 7), slice(5, 15), slice(5, 15)))
    assert assd(m, m) == 0.0
    assert hd95(m, m) == 0.0


def test_shift_along_x_is_measured_in_mm() -> None:
    # a single-voxel-thick plate in x shifted by 2 voxels of 0.5 mm: every surface voxel is
    # exactly 1.0 mm from the other plate.
    sp = (5.0, 0.8, 0.5)
    a = _box((6, 12, 12), sp, (slice(1, 5), slice(2, 10), slice(4, 5)))
    b = _box((6, 12, 12), sp, (slice(1, 5), slice(2, 10), slice(6, 7)))
    d = surface_distances(a, b)
    assert np.allclose(d.pred_to_truth, 1.0)
    assert assd(a, b) == pytest.approx(1.0)
    assert hd95(a, b) == pytest.approx(1.0)


def test_shift_along_z_uses_slice_spacing() -> None:
    sp = (5.0, 0.5, 0.5)
    a = _box((8, 10, 10), sp, (slice(2, 3), slice(2, 8), slice(2, 8)))
    b = _box((8, 10, 10), sp, (slice(3, 4), slice(2, 8), slice(2, 8)))
    assert assd(a, b) == pytest.approx(5.0)


def test_hd95_picks_larger_directed_percentile() -> None:
    sp = (1.0, 1.0, 1.0)
    a = _box((3, 40, 40), sp, (slice(1, 2), slice(10, 11), slice(10, 11)))
    b = _box((3, 40, 40), sp, (slice(1, 2), slice(10, 11), slice(10, 11)))
    b.array[1, 30, 10] = True  # outlier voxel 20 mm away
    d = surface_distances(a, b)
    assert d.hausdorff == pytest.approx(20.0)
    assert hd95(a, b) == pytest.approx(float(np.percentile([0.0, 20.0], 95)))
    assert assd(a, b) == pytest.approx(20.0 / 3)


def test_empty_mask_gives_nan_and_grid_mismatch_raises() -> None:
    g = Geometry((3, 5, 5), (1.0, 1.0, 1.0))
    empty = Mask(np.zeros(g.shape, bool), g)
    full = _box((3, 5, 5), (1.0, 1.0, 1.0), (slice(1, 2), slice(1, 3), slice(1, 3)))
    assert math.isnan(assd(empty, full))
    other = _box((3, 5, 5), (2.0, 1.0, 1.0), (slice(1, 2), slice(1, 3), slice(1, 3)))
    with pytest.raises(InputError, match="different grids"):
        assd(full, other)
