"""The working grid where the CTA reaches below the NCCT's field of view.

A shorter NCCT, or motion between the scans along the head, leaves the CTA's lowest slices
without an NCCT to subtract. There, bone (bright on the CTA, air for the missing NCCT)
passed the opacified-lumen rule: a slab of skull base joined the carotids to the vertebral
arteries at the bottom of the field (family-A calibration head 800011, 3 mm of motion), and
the tree's frame was anchored on the basilar, 60 mm from the anterior communicating artery.
"""

from __future__ import annotations

import numpy as np

from strokescope.preprocess.registration import AIR_HU, identity_registration
from strokescope.vessels.grid import build_grid
from strokescope.volume import Geometry, Volume

SHAPE = (30, 40, 40)  # z, y, x at 1 mm
MISSING = 5  # CTA slices below the NCCT's field of view
ARTERY_YX = (20.0, 12.0)


def _pair() -> tuple[Volume, Volume]:
    z, y, x = np.indices(SHAPE).astype(float)
    bone = x >= 26
    artery = (y - ARTERY_YX[0]) ** 2 + (x - ARTERY_YX[1]) ** 2 <= 2.5**2
    cta = np.where(bone, 1200.0, np.where(artery, 380.0, 35.0)).astype(np.float32)
    ncct = np.where(bone, 1200.0, np.where(artery, 45.0, 35.0)).astype(np.float32)
    g = Geometry(SHAPE, (1.0, 1.0, 1.0))
    shorter = Geometry((SHAPE[0] - MISSING, *SHAPE[1:]), (1.0, 1.0, 1.0), (0.0, 0.0, MISSING))
    return Volume(ncct[MISSING:], shorter), Volume(cta, g)


def test_nothing_is_lumen_below_the_ncct() -> None:
    ncct, cta = _pair()
    grid = build_grid(ncct, cta, identity_registration())
    z, y, x = np.indices(grid.lumen.shape)
    artery = (y - ARTERY_YX[0]) ** 2 + (x - ARTERY_YX[1]) ** 2 <= 1.0
    below = z < MISSING - 1  # the last slice below the NCCT interpolates towards it
    assert not grid.lumen[below].any()
    assert grid.lumen[(z >= MISSING) & artery].all()  # the artery where both scans see it
    assert not grid.lumen[(z >= MISSING) & (x >= 27)].any()  # bone is no lumen there either
    assert (grid.ncct[below] == AIR_HU).all()  # the NCCT there still reads as air
