"""enhanced_fraction: the one HU test for contrast, blind to the skull's partial-volume rim."""

from __future__ import annotations

import numpy as np
import pytest

from strokescope.errors import InputError
from strokescope.preprocess.contrast import EnhancementBand, enhanced_fraction
from strokescope.volume import Geometry, Mask, Volume


def _head(rim_hu: float, core_fraction: float) -> tuple[Volume, Mask]:
    rng = np.random.default_rng(11)
    z, y, x = np.mgrid[:40, :64, :64].astype(float)
    r = np.sqrt(((z - 20) * 2.0) ** 2 + (y - 32) ** 2 + (x - 32) ** 2)  # mm (2 x 1 x 1 grid)
    brain = r < 28
    arr = np.where(brain, 35.0, -1000.0)
    arr[(r >= 26.5) & brain] = rim_hu  # partial volume of the inner table
    core = np.flatnonzero((r < 15).ravel())
    pick = rng.choice(core, int(core_fraction * np.count_nonzero(brain)), replace=False)
    arr.ravel()[pick] = 350.0
    geom = Geometry(arr.shape, (2.0, 1.0, 1.0))
    return Volume(arr.astype(np.float32), geom), Mask(brain, geom, "brain")


def test_bright_skull_rim_is_not_contrast() -> None:
    vol, brain = _head(rim_hu=400.0, core_fraction=0.0)
    assert enhanced_fraction(vol, brain, band=EnhancementBand(rim_mm=0.0)) > 0.01
    assert enhanced_fraction(vol, brain) == 0.0


def test_enhanced_vessels_inside_the_brain_are_counted() -> None:
    vol, brain = _head(rim_hu=35.0, core_fraction=0.01)
    # the denominator is the brain eroded by 4-5 mm: between the r < 28 and r < 23 mm balls
    assert 0.01 < enhanced_fraction(vol, brain) < 0.01 * (28 / 23) ** 3


def test_band_is_validated() -> None:
    with pytest.raises(InputError):
        EnhancementBand(low_hu=600.0, high_hu=200.0)
