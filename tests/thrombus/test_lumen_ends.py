"""Enhanced stretches at a candidate's ends are lumen (strokescope.thrombus.lumen_ends)."""

from __future__ import annotations

import numpy as np
from drawn_tubes import RADIUS, read_candidate, scene, tube

from strokescope.preprocess.registration import identity_registration
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
    values = np.repeat(np.asarray(contrast, float), per_mm)
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
