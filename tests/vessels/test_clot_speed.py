"""Clot speed only where the clot-like region is as thin as an artery.

A noisy block of muscle (50 HU, half its voxels under the 45 HU clot cut) beside an artery
whose middle 10 mm is occluded by a 3 mm-radius clot (60 HU, no contrast). The clot keeps
the clot speed, so a path still runs through the occlusion; the muscle does not, so a march
from the artery no longer floods it.
"""

from __future__ import annotations

import numpy as np

from strokescope.vessels.grid import (
    CLOT_SPEED,
    TISSUE_SPEED,
    artery_thin,
    lumen_radius,
    speed_map,
)
from strokescope.vessels.paths import UNREACHED, arrival_times

SHAPE = (60, 50, 70)  # z, y, x at 1 mm
ARTERY_YX = (25.0, 15.0)
ARTERY_R = 3.0
CLOT_Z = (25, 35)
MUSCLE_X = 30  # the muscle fills x >= 30, 12 mm of 30 HU tissue beyond the artery's wall


def _scans(rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    z, y, x = np.indices(SHAPE).astype(float)
    artery = (y - ARTERY_YX[0]) ** 2 + (x - ARTERY_YX[1]) ** 2 <= ARTERY_R**2
    clot = artery & (z >= CLOT_Z[0]) & (z < CLOT_Z[1])
    muscle = x >= MUSCLE_X
    ncct = np.where(muscle, 50.0, 30.0)
    ncct = np.where(artery, 45.0, ncct)
    ncct = np.where(clot, 60.0, ncct)
    cta = np.where(artery & ~clot, 380.0, ncct)
    noise = rng.normal(0, 6, (2, *SHAPE))
    return (
        (ncct + noise[0]).astype(np.float32),
        (cta + noise[1]).astype(np.float32),
        artery & ~clot,
        clot,
        muscle,
    )


def test_muscle_is_not_clot_but_the_clot_is() -> None:
    ncct, cta, lumen, clot, muscle = _scans(np.random.default_rng(0))
    clot_like = (ncct >= 45) & (ncct <= 100) & ~lumen
    assert 0.4 < clot_like[muscle].mean() < 0.8  # noise speckles the muscle
    thin = artery_thin(clot_like, 1.0)
    inner_muscle = muscle & (np.indices(SHAPE)[2] >= MUSCLE_X + 5)
    assert thin[inner_muscle].mean() < 0.02
    assert thin[clot & clot_like].all()


def test_march_runs_through_the_clot_not_the_muscle() -> None:
    ncct, cta, lumen, clot, muscle = _scans(np.random.default_rng(1))
    speed = speed_map(cta, ncct, lumen, lumen_radius(lumen, 1.0), 1.0)
    centre = np.zeros((60, 3), np.int64)
    centre[:, 0] = np.arange(60)
    centre[:, 1:] = np.round(ARTERY_YX).astype(np.int64)
    assert np.isclose(speed[tuple(centre[CLOT_Z[0] + 2 : CLOT_Z[1] - 2].T)], CLOT_SPEED).all()
    assert np.mean(np.isclose(speed[muscle], TISSUE_SPEED)) > 0.98
    times = arrival_times(speed, centre[:1], stop=400.0)
    assert times[tuple(centre[-1])] < 100.0  # through 10 mm of clot: about 33
    assert (times[muscle] < UNREACHED).mean() < 0.05
