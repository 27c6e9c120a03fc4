"""A thrombus outlined at its half-maximum NCCT boundary (``half_maximum_min_contrast_hu``)."""

from __future__ import annotations

import numpy as np
import pytest
from drawn_tubes import RADIUS, SPACING, coords, read_candidate, scene, tube

from strokescope.preprocess.index_box import ring_indices
from strokescope.preprocess.registration import identity_registration
from strokescope.thrombus.centerline import centerline
from strokescope.thrombus.clot_boundary import half_maximum_rim
from strokescope.thrombus.rules import Rules
from strokescope.volume import Volume

RIM = Rules(half_maximum_min_contrast_hu=20.0)


def _dice(a: np.ndarray, b: np.ndarray) -> float:
    return float(2 * (a & b).sum() / (a.sum() + b.sum()))


def _mask(index: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    out = np.zeros(shape, dtype=bool)
    out[tuple(index.T)] = True
    return out


def _rim(index: np.ndarray, ncct: Volume, cta: Volume) -> np.ndarray:
    line = centerline(index, cta.geometry)
    return half_maximum_rim(index, line, cta, ncct, identity_registration(), 20.0)


def _shy() -> np.ndarray:
    """What a network trained on sharper phantoms finds of the drawn clot (radius 1.5 mm,
    x 52-62 mm): its core, radius 1 mm."""
    return tube(15.0, 52.0, 62.0, RADIUS - SPACING)


def test_the_grown_layer_is_one_voxel_round_the_mask_inside_the_grid() -> None:
    index = np.array([[0, 5, 5]])
    ring = ring_indices(index, (1, 1, 1), (3, 10, 10))
    assert len(ring) == 13  # 18 neighbours less the 5 below the grid's first slice
    assert np.abs(ring - index).max() == 1 and not (ring == index).all(axis=1).any()


def test_a_shy_outline_moves_out_to_the_clots_edge() -> None:
    ncct, cta, clot = scene(clot=True, blob=False)
    shy = _shy()
    grown = _mask(_rim(np.argwhere(shy), ncct, cta), clot.shape)
    assert _dice(shy, clot) < 0.75 and _dice(grown, clot) > 0.9
    assert not (grown & (cta.array > 150.0)).any()  # the lumen beyond its ends stays out
    (th,) = read_candidate(shy, ncct, cta, RIM)
    (before,) = read_candidate(shy, ncct, cta, Rules())
    true_mm3 = clot.sum() * SPACING**3
    assert abs(th.volume_mm3 - true_mm3) < 0.5 * abs(before.volume_mm3 - true_mm3)
    assert "half-maximum" in RIM.describe()


def test_no_edge_to_read_in_blood_and_no_growth_into_calcification() -> None:
    ncct, cta, clot = scene(clot=True, blob=False)
    z, y, x = coords()
    pool = ((z - 10.0) ** 2 + (y - 15.0) ** 2 <= 16.0) & (x >= 50.0) & (x <= 64.0) & ~clot
    ncct.array[pool], cta.array[pool] = 62.0, 66.0  # blood round the clot: no contrast
    index = np.argwhere(_shy())
    same = _rim(index, ncct, cta)
    assert len(same) == len(index)
    ncct, cta, clot = scene(clot=True, blob=False)
    wall = clot & ~_shy() & (y > 15.5)
    ncct.array[wall], cta.array[wall] = 400.0, 410.0  # calcified rim on one side
    grown = _mask(_rim(index, ncct, cta), clot.shape)
    assert not (grown & wall).any() and (grown & clot & ~wall).sum() > len(index)


@pytest.mark.parametrize("hu", [4.0, 61.0])
def test_the_manifest_refuses_a_contrast_out_of_range(hu: float) -> None:
    from training.config import DecisionRules

    with pytest.raises(ValueError, match="half_maximum_min_contrast_hu"):
        DecisionRules(half_maximum_min_contrast_hu=hu)
    assert (
        DecisionRules(half_maximum_min_contrast_hu=20.0).to_dict()["half_maximum_min_contrast_hu"]
        == 20.0
    )


def test_the_outline_stays_on_thick_slices() -> None:
    """On 2.5 mm slices a clot 3 mm across is blurred over more than its width: no edge to
    read, the outline stays the network's."""
    ncct, cta, _ = scene(clot=True, blob=False)
    index = np.argwhere(_shy())
    thin = _rim(index, ncct, cta)
    assert len(thin) > len(index)
    for thick in ((2.5, SPACING, SPACING), (SPACING, SPACING, 1.2)):
        vols = [Volume.from_array(v.array, thick) for v in (ncct, cta)]
        assert len(_rim(index, *vols)) == len(index)


def test_no_growth_beyond_the_clots_ends_into_faint_lumen() -> None:
    """On a low-contrast CTA the lumen beyond a clot's ends is not opacified where partial
    volume mixes it with the clot, and its blood reaches the clot's half-maximum: the
    outline grows beside the clot only."""
    ncct, cta, clot = scene(clot=True, blob=False)
    z, y, x = coords()
    beyond = tube(15.0, 44.0, 75.0, RADIUS) & ~clot
    ncct.array[beyond], cta.array[beyond] = 50.0, 95.0  # blood, below the opacified rule
    index = np.argwhere(_shy())
    grown = _mask(_rim(index, ncct, cta), clot.shape)
    assert _dice(grown, clot) > 0.85
    span = x[_shy()]
    assert not (grown & ((x < span.min()) | (x > span.max()))).any()
