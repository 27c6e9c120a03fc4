"""Whole-array checks that do not allocate a full-size temporary.

``np.array_equal`` on two 512 x 512 x 320 volumes builds an 84 M-element boolean array
first; touching that much fresh memory cost 0.8-1.3 s per call on the 2-core reference
machine. Comparing slab by slab reuses a few MB and stops at the first difference.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

SLAB = 8
"""Slices (along the first axis) compared at a time."""


def same_content(a: npt.NDArray[np.generic], b: npt.NDArray[np.generic]) -> bool:
    """Whether ``a`` and ``b`` have the same shape and equal elements (``np.array_equal``)."""
    if a.shape != b.shape:
        return False
    if a.ndim == 0 or a.shape[0] == 0:
        return bool(np.array_equal(a, b))
    return all(np.array_equal(a[k : k + SLAB], b[k : k + SLAB]) for k in range(0, a.shape[0], SLAB))
