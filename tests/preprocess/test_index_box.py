"""Voxel index lists and their boxes: each way round undoes the other."""

from __future__ import annotations

import numpy as np

from strokescope.preprocess.index_box import box_indices, index_mask, mask_box


def test_mask_box_holds_exactly_the_voxels() -> None:
    index = np.array([[4, 7, 2], [5, 7, 3], [4, 9, 2]], dtype=np.int64)
    lo, box = mask_box(index)
    assert lo.tolist() == [4, 7, 2] and box.shape == (2, 3, 2)
    assert sorted(map(tuple, np.argwhere(box) + lo)) == sorted(map(tuple, index))


def test_box_indices_list_every_voxel_once_in_c_order() -> None:
    out = box_indices([1, 0, 2], [3, 2, 5])
    assert out.shape == (12, 3) and out.dtype == np.int64
    assert out.tolist() == (np.argwhere(np.ones((2, 2, 3), bool)) + [1, 0, 2]).tolist()
    assert box_indices([0, 0, 0], [0, 2, 2]).shape == (0, 3)


def test_index_mask_fills_every_list_and_nothing_else() -> None:
    a = np.array([[0, 1, 2], [1, 1, 1]], dtype=np.int64)
    b = np.array([[2, 0, 0]], dtype=np.int64)
    out = index_mask([a, b], (3, 2, 3))
    assert out.sum() == 3 and out[0, 1, 2] and out[1, 1, 1] and out[2, 0, 0]
    assert not index_mask([], (3, 2, 3)).any()
