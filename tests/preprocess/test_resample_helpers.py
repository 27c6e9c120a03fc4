from __future__ import annotations

import numpy as np
import pytest

from strokescope.preprocess import resample_mask, resample_volume
from strokescope.volume import Geometry, Mask, Volume


def test_linear_resampling_of_a_ramp_is_exact() -> None:
    z = np.arange(10, dtype=np.float32)
    arr = np.broadcast_to(z[:, None, None] * 10.0, (10, 8, 8)).copy()
    vol = Volume.from_array(arr, (5.0, 1.0, 1.0))
    target = Geometry((19, 8, 8), (2.5, 1.0, 1.0))
    out = resample_volume(vol, target)
    assert out.shape == (19, 8, 8)
    assert np.allclose(out.array[:, 4, 4], np.arange(19) * 5.0, atol=1e-4)


def test_outside_voxels_get_default_and_origin_is_honoured() -> None:
    vol = Volume.from_array(np.full((4, 6, 6), 30.0), (1.0, 1.0, 1.0))
    shifted = Geometry((4, 6, 6), (1.0, 1.0, 1.0), origin=(3.0, 0.0, 0.0))  # LPS x = axis 2
    out = resample_volume(vol, shifted, default_hu=-500.0)
    assert np.allclose(out.array[:, :, :3], 30.0)
    assert np.allclose(out.array[:, :, 3:], -500.0)


def test_mask_resampling_is_nearest_and_boolean() -> None:
    arr = np.zeros((4, 10, 10), bool)
    arr[1:3, 2:6, 3:7] = True
    mask = Mask(arr, Geometry((4, 10, 10), (2.0, 1.0, 1.0)), "m")
    fine = resample_mask(mask, Geometry((8, 20, 20), (1.0, 0.5, 0.5), origin=(-0.25, -0.25, -0.5)))
    assert fine.array.dtype == np.bool_
    assert fine.name == "m"
    assert fine.volume_mm3 == pytest.approx(mask.volume_mm3)
