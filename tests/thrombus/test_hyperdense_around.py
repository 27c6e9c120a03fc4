"""Hyperdensity read against a candidate's surroundings (``min_ncct_above_shell_hu``)."""

from __future__ import annotations

import numpy as np
from drawn_tubes import RADIUS, coords, read_candidate, scene

from strokescope.thrombus.candidate_features import ShellReading
from strokescope.thrombus.candidate_rules import mimic_reason
from strokescope.thrombus.rules import Rules

AROUND = Rules(min_ncct_above_shell_hu=19.0)


def test_a_clot_thinned_by_thick_slices_is_hyperdense_against_the_fissure_around_it() -> None:
    """A clot averaged with the CSF of the sylvian fissure over a thick slice (NCCT 44 HU,
    its fissure 12 HU) is below the fixed 50 HU cut; against its surroundings it is
    hyperdense, and the rule keeps it."""
    ncct, cta, clot = scene(clot=True, blob=False)
    z, y, x = coords()
    fissure = ((z - 10.0) ** 2 + (y - 15.0) ** 2 <= (RADIUS + 3.0) ** 2) & (x > 46.0) & (x < 68.0)
    ncct.array[fissure & ~clot], cta.array[fissure & ~clot] = 12.0, 20.0
    ncct.array[clot], cta.array[clot] = 44.0, 52.0
    assert read_candidate(clot, ncct, cta, Rules()) == []
    (kept,) = read_candidate(clot, ncct, cta, AROUND)
    assert 9.0 <= kept.length_mm <= 12.0
    assert "above its surroundings" in AROUND.describe()


def test_tissue_no_denser_than_its_surroundings_stays_out() -> None:
    """Parenchyma (38 HU) in parenchyma (30 HU): 8 HU above its surroundings is not a clot;
    without a reading of the surroundings the rule cannot pass a candidate."""
    rng = np.random.default_rng(0)
    n_hu = (38.0 + rng.normal(0, 3, 400)).astype(np.float32)
    c_hu = n_hu + 5.0
    assert "not hyperdense" in (
        mimic_reason(n_hu, c_hu, AROUND, shell=lambda: ShellReading(0.0, 30.0)) or ""
    )
    assert mimic_reason(n_hu, c_hu, AROUND, shell=lambda: ShellReading(0.0, 15.0)) is None
    assert mimic_reason(n_hu, c_hu, AROUND, shell=lambda: ShellReading(0.0, None)) is not None
