"""A thrombus found in part is followed along its axis through the rest of its clot
(strokescope.thrombus.clot_extension), on drawn tubes."""

from __future__ import annotations

import numpy as np
from drawn_tubes import RADIUS, coords, scene, tube

from strokescope.evaluation import dice
from strokescope.preprocess.registration import identity_registration
from strokescope.thrombus.centerline import centerline
from strokescope.thrombus.clot_extension import extend_along_axis
from strokescope.thrombus.rules import Rules
from strokescope.volume import Mask

ON = Rules(extend_along_axis_mm=15.0)


def _extend(mask: np.ndarray, rules: Rules = ON, **drawn: bool) -> tuple[np.ndarray, np.ndarray]:
    ncct, cta, _ = scene(**drawn)
    index = np.argwhere(mask)
    out = extend_along_axis(
        index, centerline(index, cta.geometry), rules, cta, ncct, identity_registration()
    )
    grown = np.zeros(mask.shape, dtype=bool)
    grown[tuple(out.T)] = True
    return grown, cta.array


def test_the_middle_of_a_clot_grows_to_the_whole_clot_and_stops_at_the_lumen() -> None:
    clot = tube(15.0, 52.0, 62.0, RADIUS)
    middle = tube(15.0, 55.0, 59.0, RADIUS)
    grown, cta = _extend(middle, clot=True, blob=False)
    geometry = scene(clot=True, blob=False)[1].geometry
    before = dice(Mask(middle, geometry), Mask(clot, geometry))
    after = dice(Mask(grown, geometry), Mask(clot, geometry))
    assert before <= 0.6 and after >= 0.85, (before, after)
    assert not (grown & (cta > 200)).any()  # not a voxel of opacified lumen
    assert grown[middle].all()  # what the network found stays


def test_off_by_default_and_blood_beside_an_artery_does_not_grow_into_it() -> None:
    middle = tube(15.0, 55.0, 59.0, RADIUS)
    grown, _ = _extend(middle, Rules(), clot=True, blob=False)
    assert np.array_equal(grown, middle)  # the shipped rules leave it off
    blob = tube(15.0 + RADIUS + 0.8 + 1.2, 52.0, 62.0, 1.2)
    grown, cta = _extend(blob, clot=False, blob=True)
    assert not (grown & (cta > 200)).any()
    assert grown.sum() <= 1.1 * blob.sum()  # beyond its ends lies brain: nothing to follow


def test_a_clot_that_runs_into_a_pool_of_blood_stops_at_its_edge() -> None:
    """Subarachnoid blood in line with the clot is not followed (the calibration block's
    phantoms with blood lost Dice when it was)."""
    clot = tube(15.0, 52.0, 62.0, RADIUS)
    middle = tube(15.0, 55.0, 59.0, RADIUS)
    grown, _ = _extend(middle, clot=True, blob=False, pool=True)
    z, y, x = coords()
    assert grown[clot].sum() > middle.sum()  # the clot itself is still followed
    assert (grown & (x > 63.0)).sum() <= 0.05 * grown.sum()  # hardly into the cistern
