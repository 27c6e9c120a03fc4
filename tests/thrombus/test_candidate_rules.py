"""Candidate rules read from attenuation (strokescope.thrombus.candidate_rules, and the
lumen removal of strokescope.thrombus.candidate_mask.clean_mask).

A scanner whose HU calibration sits 8-14 HU low moves clot and brain together: the fixed
50 HU cut then drops a true clot, the cut above the brain's parenchyma keeps it, and
parenchyma stays out either way. A network that runs on from the clot into the patent
lumen beside it gives a candidate whose mean CTA reads "patent lumen": removing the
enhanced voxels first keeps the clot, and its CTA signs are still read on the candidate as
the network drew it (the artery the removed lumen belongs to).
"""

from __future__ import annotations

import numpy as np
import pytest
from drawn_tubes import PLANE, RADIUS, read_candidate, scene, tube

from strokescope.preprocess.registration import identity_registration
from strokescope.thrombus.analysis import Inputs, _followed, _signs
from strokescope.thrombus.candidate_mask import clean_mask
from strokescope.thrombus.candidate_rules import mimic_reason, parenchyma_hu
from strokescope.thrombus.rules import Rules
from strokescope.volume import Volume

ABOVE = Rules(min_ncct_p90_above_brain_hu=23.0)


def _brain(offset: float) -> tuple[np.ndarray, np.ndarray]:
    """Grey (32 HU) and white matter (22 HU) in equal parts, as the phantoms draw them, CSF
    (8 HU) and a calcified plexus (200 HU), all moved by ``offset``; and its brain mask."""
    rng = np.random.default_rng(5)
    hu = np.concatenate(
        [rng.normal(32, 3, 4000), rng.normal(22, 3, 4000), rng.normal(8, 3, 2000), np.full(50, 200)]
    )
    return (hu + offset).astype(np.float32), np.ones(hu.size, dtype=bool)


@pytest.mark.parametrize("offset", [-8.0, 0.0, 8.0])
def test_parenchyma_moves_with_the_scanner_offset(offset: float) -> None:
    ref = parenchyma_hu(*_brain(offset))
    assert ref is not None
    # between grey and white; CSF moved above 10 HU by a high offset pulls it down a little,
    # which makes the brain reading stricter where the fixed cut is more lenient
    assert 27.0 + offset - 3.0 <= ref <= 27.0 + offset + 1.0
    assert parenchyma_hu(np.zeros(3, np.float32), np.zeros(3, dtype=bool)) is None


@pytest.mark.parametrize(
    ("ncct_mean", "offset", "fixed_cut", "above_brain"),
    [
        (52.0, 0.0, True, True),  # a clot at p90 ~56 HU
        (52.0, -8.0, False, True),  # the same clot on a scanner 8 HU low
        (36.0, 0.0, False, False),  # parenchyma, p90 ~40 HU
        (36.0, 8.0, False, False),  # parenchyma on a scanner 8 HU high
    ],
)
def test_a_clot_stays_hyperdense_when_the_scanner_is_offset(
    ncct_mean: float, offset: float, fixed_cut: bool, above_brain: bool
) -> None:
    rng = np.random.default_rng(7)
    n_hu = (rng.normal(ncct_mean, 3, 300) + offset).astype(np.float32)
    c_hu = rng.normal(70, 5, 300).astype(np.float32)
    brain = parenchyma_hu(*_brain(offset))
    assert (mimic_reason(n_hu, c_hu, Rules(), brain) is None) == fixed_cut
    got = mimic_reason(n_hu, c_hu, ABOVE, brain)
    assert (got is None) == above_brain
    if got is not None:
        assert "above the brain" in got and got.startswith("not hyperdense")
    assert (mimic_reason(n_hu, c_hu, ABOVE, None) is None) == fixed_cut  # no reference


def test_the_analysis_keeps_a_clot_read_on_an_offset_scanner() -> None:
    """The drawn clot (60 HU in brain at 35 HU) on an NCCT 14 HU low: 46 HU is under the
    fixed cut, 25 HU above the brain."""
    ncct, cta, mask = scene(clot=True, blob=False)
    low = Volume(ncct.array - 14.0, ncct.geometry)
    brain = parenchyma_hu(low.array, np.ones(low.shape, dtype=bool))
    assert brain is not None and brain == pytest.approx(21.0, abs=1.0)
    kept = []
    for rules in (Rules(), ABOVE):
        kept.append(len(read_candidate(mask, low, cta, rules, parenchyma=brain)))
    assert kept == [0, 1]
    assert "above the brain parenchyma" in ABOVE.describe()
    assert "above the brain" not in Rules().describe()


def test_lumen_the_network_ran_into_is_removed_before_the_clot_is_read() -> None:
    """The drawn 10 mm clot (x 52-62 mm) and 6 mm of the patent lumen on either side in one
    candidate, the lumen at 55 HU on NCCT as in a haematocrit of 55 %: read whole, its CTA
    mean (about 200 HU) says "patent lumen"; without the voxels enhanced >= 100 HU it is
    the clot."""
    ncct, cta, clot = scene(clot=True, blob=False)
    lumen = tube(15.0, 44.0, 75.0, RADIUS) & ~clot
    ncct.array[lumen] = 55.0
    candidate = tube(15.0, 46.0, 68.0, RADIUS)
    origin = np.zeros(3, np.int64)
    kept = []
    for cut in (None, 100.0):
        rules = Rules(max_voxel_contrast_hu=cut)
        mask, _, _ = clean_mask(candidate, origin, ncct, cta, identity_registration(), rules)
        kept.append(read_candidate(mask, ncct, cta, rules))
        if cut is not None:
            assert np.array_equal(mask, candidate & clot)
            assert "removed as lumen" in rules.describe()
    assert kept[0] == []
    assert len(kept[1]) == 1 and 9.0 <= kept[1][0].length_mm <= 11.5


def test_a_trimmed_clot_keeps_the_cta_signs_of_the_candidate_as_drawn() -> None:
    """The same candidate: the clot left after the removal is measured, but its CTA signs
    are those of the whole candidate followed along its axis, as without the removal;
    read on the clot alone, the lumen beside it would not count as its own."""
    ncct, cta, clot = scene(clot=True, blob=False)
    lumen = tube(15.0, 44.0, 75.0, RADIUS) & ~clot
    ncct.array[lumen] = 55.0
    candidate = tube(15.0, 46.0, 68.0, RADIUS)
    rules = Rules(max_voxel_contrast_hu=100.0)
    reg = identity_registration()
    mask, _, parents = clean_mask(candidate, np.zeros(3, np.int64), ncct, cta, reg, rules)
    assert parents is not None and np.array_equal(parents > 0, candidate)
    assert np.array_equal(mask, candidate & clot)
    (kept,) = read_candidate(mask, ncct, cta, rules, parents=parents)
    (alone,) = read_candidate(mask, ncct, cta, rules)
    pair = Inputs(ncct, cta, reg, rules)
    drawn = _signs(*_followed(np.argwhere(candidate), None, pair), pair, PLANE)
    assert kept.cta_lumen_in_line == drawn.inline_lumen
    assert kept.cta_missing_artery == round(drawn.missing_artery, 3)
    assert kept.cta_missing_artery != alone.cta_missing_artery
    assert kept.volume_mm3 == alone.volume_mm3  # measured on the clot either way


def test_nothing_above_threshold_is_read_with_the_lumen_rule_on() -> None:
    """A study where no voxel reaches the fine threshold (the box is empty): no labels,
    no crash (labelling a zero-size array aborts SimpleITK)."""
    ncct, cta, _ = scene(clot=True, blob=False)
    rules = Rules(max_voxel_contrast_hu=100.0)
    for box in (np.zeros((0, 0, 0), bool), np.zeros((4, 4, 4), bool)):
        mask, notes, parents = clean_mask(
            box, np.zeros(3, np.int64), ncct, cta, identity_registration(), rules
        )
        assert mask.shape == box.shape and not mask.any() and notes == [] and parents is None
        assert read_candidate(mask, ncct, cta, rules, parents=parents) == []
