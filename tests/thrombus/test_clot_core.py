"""Clot density read over the clot's core: the boundary voxels share the scanner's blur.

A 2 mm-radius clot (65 HU on NCCT, 80 HU on CTA) in 30 HU brain, its proximal end against
an opacified lumen (350 HU), both scans blurred by a 0.6 mm Gaussian: over the whole mask
the NCCT mean falls about 10 HU under 65; over the core it is within 3 HU, and the
perviousness within 2 HU of the 15 drawn.
"""

from __future__ import annotations

import numpy as np

from strokescope.preprocess.gaussian import gaussian_mm
from strokescope.thrombus.clot_measures import CORE_MIN_VOXELS, core

SPACING = (0.5, 0.5, 0.5)


def _scans() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    z, y, x = np.indices((40, 30, 30)).astype(float) * 0.5
    tube = (y - 7.5) ** 2 + (x - 7.5) ** 2 <= 2.0**2
    clot = tube & (z >= 6.0) & (z < 16.0)
    lumen = tube & (z < 6.0)
    ncct = np.where(clot, 65.0, np.where(lumen, 40.0, 30.0)).astype(np.float32)
    cta = np.where(clot, 80.0, np.where(lumen, 350.0, 30.0)).astype(np.float32)
    return gaussian_mm(ncct, 0.6, SPACING), gaussian_mm(cta, 0.6, SPACING), clot


def test_core_reads_the_clots_own_hu() -> None:
    ncct, cta, clot = _scans()
    index = np.argwhere(clot)
    inner = core(index)
    assert CORE_MIN_VOXELS <= inner.sum() < len(index) / 2
    n_all, c_all = ncct[clot], cta[clot]
    n_core, c_core = ncct[tuple(index[inner].T)], cta[tuple(index[inner].T)]
    assert n_all.mean() < 58.0  # the blur with the brain round it
    assert abs(n_core.mean() - 65.0) < 3.0
    assert abs((c_core.mean() - n_core.mean()) - 15.0) < 2.0
    assert c_all.max() > 150.0  # the lumen's blur reaches the mask's end voxels


def test_a_thin_clot_is_read_whole() -> None:
    index = np.argwhere(np.ones((1, 3, 12), dtype=bool))  # one voxel thick: no core
    assert core(index).all()
