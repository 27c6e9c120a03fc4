"""Enhanced stretches at a candidate's ends are lumen (strokescope.thrombus.lumen_ends)."""

from __future__ import annotations

import numpy as np
import pytest
from drawn_tubes import RADIUS, read_candidate, scene, tube

from strokescope.preprocess.registration import identity_registration
from strokescope.thrombus import lumen_ends
from strokescope.thrombus.candidate_mask import clean_mask
from strokescope.thrombus.lumen_ends import clot_stretches
from strokescope.thrombus.rules import Rules
from strokescope.volume import Geometry

ORIGIN = np.zeros(3, np.int64)


def test_a_candidate_run_on_into_weakly_filled_lumen_is_cut_back_to_its_clot() -> None:
    """A 10 mm clot (enhanced 8 HU) and the 12 mm of collateral-filled artery beyond it
    under a weak bolus (CTA 110, NCCT 40 HU: enhanced 70 HU, under the 100 HU voxel cut)
    marked as one candidate: read whole it passes as a 22 mm thrombus (its mean
    enhancement, about 44 HU, is within the perviousness limit); with the end stretches
    trimmed it is the clot."""
    ncct, cta, clot = scene(clot=True, blob=False)
    beyond = tube(15.0, 62.0, 75.0, RADIUS) & ~clot
    ncct.array[beyond], cta.array[beyond] = 40.0, 110.0
    candidate = tube(15.0, 52.0, 74.0, RADIUS)
    reg = identity_registration()
    lengths = []
    for stretch in (None, 3.0):
        rules = Rules(max_voxel_contrast_hu=100.0, lumen_end_stretch_mm=stretch)
        mask, _, parents = clean_mask(candidate, ORIGIN, ncct, cta, reg, rules)
        (th,) = read_candidate(mask, ncct, cta, rules, parents=parents)
        lengths.append(th.length_mm)
        if stretch is not None:
            assert parents is not None and np.array_equal(parents > 0, candidate)
            assert (mask & ~clot).sum() <= 0.15 * mask.sum()  # at most one stretch of lumen
            assert "end stretches" in rules.describe()
    assert lengths[0] >= 20.0
    assert 9.0 <= lengths[1] <= 13.0


def _line(contrast: list[float], per_mm: int = 4) -> tuple[np.ndarray, np.ndarray, Geometry]:
    """A one-voxel line along x at 0.25 mm, each value of ``contrast`` for 1 mm."""
    return _voxels(np.repeat(np.asarray(contrast, float), per_mm))


def _voxels(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, Geometry]:
    """A one-voxel line along x at 0.25 mm, one value of ``values`` per voxel."""
    index = np.stack([np.zeros(len(values)), np.zeros(len(values)), np.arange(len(values))], 1)
    geom = Geometry((1, 1, len(values)), (0.25, 0.25, 0.25), (0.0, 0.0, 0.0), np.eye(3))
    return index.astype(np.int64), values, geom


def test_only_the_ends_are_trimmed_and_a_candidate_enhanced_throughout_stays_whole() -> None:
    """A pervious middle (60 HU over 3 mm) between clot is kept; enhanced stretches at both
    ends go; a candidate enhanced everywhere is left for the attenuation rules to reject."""
    index, contrast, geom = _line([70.0] * 6 + [5.0] * 6 + [60.0] * 3 + [5.0] * 6 + [70.0] * 3)
    keep = clot_stretches(index, geom, contrast, 50.0, 3.0)
    kept = contrast[keep]
    assert keep.sum() == 4 * 15 and kept[0] == 5.0 and kept[-1] == 5.0
    assert (kept == 60.0).sum() == 12
    index, contrast, geom = _line([80.0] * 12)
    assert clot_stretches(index, geom, contrast, 50.0, 3.0).all()


def test_faint_lumen_within_the_perviousness_limit_goes_when_far_above_the_clot() -> None:
    """A weak bolus: the collateral-filled lumen beyond a 9 mm clot (enhanced 5 HU) is
    enhanced 53 HU, its last stretch 48 HU, within the 50 HU limit: the limit alone keeps
    all 36 mm; read against the clot's own stretches, the lumen goes."""
    index, contrast, geom = _line([5.0] * 9 + [53.0] * 24 + [48.0] * 3)
    assert clot_stretches(index, geom, contrast, 50.0, 3.0).all()
    keep = clot_stretches(index, geom, contrast, 50.0, 3.0, 30.0)
    assert keep.sum() == 4 * 9 and (contrast[keep] == 5.0).all()


def test_a_pervious_clot_enhanced_unevenly_stays_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pervious clot enhanced 10-35 HU along its length, with a tip of two voxels at 0 HU
    beyond its last stretch (too few to set the least enhancement): nothing is trimmed."""
    tip = np.zeros(2)
    index, contrast, geom = _voxels(
        np.concatenate([tip, np.repeat([25.0, 10.0, 35.0], [12, 24, 12])])
    )
    assert clot_stretches(index, geom, contrast, 50.0, 3.0, 30.0).all()
    monkeypatch.setattr(lumen_ends, "STEADY_VOXELS", 1)  # read against the tip, 35 HU goes
    assert not clot_stretches(index, geom, contrast, 50.0, 3.0, 30.0).all()


def test_the_manifest_reads_the_least_enhanced_rule_only_with_the_stretches() -> None:
    from training.config import DecisionRules

    for bad in ({"lumen_end_above_least_hu": 30.0}, {"lumen_end_stretch_mm": 3.0,
                "lumen_end_above_least_hu": 80.0}):  # fmt: skip
        with pytest.raises(ValueError, match="lumen_end_above_least_hu"):
            DecisionRules(**bad)
    rules = Rules(lumen_end_stretch_mm=3.0, lumen_end_above_least_hu=30.0)
    assert "least enhanced stretch" in rules.describe()
