"""NCCT-only screening along an arterial map (synthetic maps: no network involved)."""

from __future__ import annotations

import numpy as np
import pytest

from strokescope.thrombus.anatomy import Plane
from strokescope.thrombus.guardrails import BLOOD_HU, blood_band, brain_hu
from strokescope.vessels.hyperdense import ScreeningRule, screen
from strokescope.vessels.ncct_map import ArteryMap
from strokescope.volume import Geometry, Mask

SHAPE = (40, 60, 100)
GRID = Geometry(SHAPE, (1.0, 1.0, 1.0))
CENTRE = GRID.index_to_lps(np.array([[20.0, 30.0, 50.0]]))[0]
MID = Plane(tuple(CENTRE), (1.0, 0.0, 0.0))  # through the centre, normal to the left


def _phantom(
    left_hu: float,
    right_hu: float,
    *,
    clot: tuple[float, float] | None = None,
    clot_hu: float = 68.0,
    seed: int = 0,
) -> ArteryMap:
    """Brain at 32 HU with two mirrored horizontal arteries (radius 1.5 mm) 10-40 mm either
    side of the midline; ``clot`` = (from, to) mm on the left one at ``clot_hu``."""
    rng = np.random.default_rng(seed)
    idx = np.stack(np.meshgrid(*[np.arange(n) for n in SHAPE], indexing="ij"), -1)
    lps = GRID.index_to_lps(idx.reshape(-1, 3).astype(float)) - CENTRE
    lps_x, lps_y, lps_z = (lps[:, k].reshape(SHAPE) for k in range(3))
    tube = (lps_y**2 + lps_z**2 <= 1.5**2) & (np.abs(lps_x) >= 10) & (np.abs(lps_x) <= 40)
    hu = np.full(SHAPE, 32.0) + rng.normal(0.0, 2.0, SHAPE)
    hu[tube & (lps_x > 0)] = left_hu
    hu[tube & (lps_x < 0)] = right_hu
    if clot is not None:
        hu[tube & (lps_x >= clot[0]) & (lps_x <= clot[1])] = clot_hu
    prob = tube.astype(np.float32)
    return ArteryMap(prob, hu.astype(np.float32), Mask(tube, GRID, "map"), "test", 0.0)


def test_a_dense_stretch_of_one_artery_is_flagged_on_its_side() -> None:
    result = screen(_phantom(44.0, 44.0, clot=(15.0, 30.0)), MID)
    assert len(result.stretches) == 1
    s = result.stretches[0]
    assert s.side == "left"
    assert 12.0 <= s.length_mm <= 19.0
    assert s.mean_hu == pytest.approx(68.0, abs=4.0)
    assert s.contralateral_hu == pytest.approx(44.0, abs=4.0)
    assert 15.0 <= s.centroid_lps[0] - CENTRE[0] <= 30.0
    assert "possible occlusion, CTA needed" in result.summary()
    assert result.to_dict()["flagged"] is True


def test_arteries_alike_on_both_sides_give_no_flag() -> None:
    assert not screen(_phantom(44.0, 44.0), MID).flagged


def test_dense_blood_everywhere_is_not_a_clot() -> None:
    """High haematocrit: both arteries at 58 HU, clot-like, but no denser than the mirror."""
    result = screen(_phantom(58.0, 58.0), MID)
    assert not result.flagged
    assert "no hyperdense artery" in result.summary()


def test_calcium_and_short_specks_are_not_flagged() -> None:
    assert not screen(_phantom(44.0, 44.0, clot=(15.0, 30.0), clot_hu=300.0), MID).flagged
    assert not screen(_phantom(44.0, 44.0, clot=(20.0, 21.0)), MID).flagged


def test_the_ratio_is_the_rule() -> None:
    """56 HU against 44 HU is 1.27x: below the 1.3 of the rule, flagged at 1.2."""
    mild = _phantom(44.0, 44.0, clot=(15.0, 30.0), clot_hu=56.0)
    assert not screen(mild, MID).flagged
    assert screen(mild, MID, ScreeningRule(min_ratio=1.2)).flagged


def test_blood_outside_the_arteries_withholds_the_flags() -> None:
    """Subarachnoid-like blood (60 HU, 3 mL) away from the map: a dense artery is then no
    evidence of a clot, and the screening says so instead of flagging."""
    amap = _phantom(44.0, 44.0, clot=(15.0, 30.0))
    brain = np.ones(SHAPE, dtype=bool)
    plain = screen(amap, MID, ScreeningRule(max_blood_ml=0.5), brain)
    assert plain.flagged and not plain.withheld
    assert plain.blood_ml is not None and plain.blood_ml < 0.5
    amap.hu[5:20, 40:55, 30:44] = 60.0  # 15 x 15 x 14 mm, far from both arteries
    bleeding = screen(amap, MID, ScreeningRule(max_blood_ml=0.5), brain)
    assert bleeding.withheld and not bleeding.flagged
    assert bleeding.blood_ml is not None and bleeding.blood_ml > 1.0
    assert "withheld" in bleeding.summary()
    assert bleeding.to_dict()["withheld"] is True
    assert screen(amap, MID, ScreeningRule(max_blood_ml=0.5)).blood_ml is None


def test_blood_is_read_against_the_brain_not_a_fixed_band() -> None:
    """A brain that reads 20 HU denser (52 HU): its parenchyma is not blood, although a
    fixed 50-90 HU band would count most of it; blood 35 HU above it still withholds."""
    amap = _phantom(44.0, 44.0, clot=(15.0, 30.0))
    amap.hu[:] += 20.0
    brain = np.ones(SHAPE, dtype=bool)
    none = np.zeros(SHAPE, dtype=np.float32)
    reading = brain_hu(amap.hu, none, brain, amap.mask.array, GRID)
    assert reading.ml_between(*BLOOD_HU) > 10.0
    grey = reading.grey_hu()
    assert grey is not None and 52.0 < grey < 54.0
    assert blood_band(grey, 10.0) == (grey + 10.0, grey + 50.0)
    rule = ScreeningRule(max_blood_ml=0.5, blood_above_grey_hu=10.0)
    bright = screen(amap, MID, rule, brain)
    assert bright.flagged and not bright.withheld
    assert bright.blood_ml is not None and bright.blood_ml < 0.5
    amap.hu[5:20, 40:55, 30:44] = 87.0
    assert screen(amap, MID, rule, brain).withheld
