"""Blood round a patent artery is not a clot (``max_shell_opacified_fraction``)."""

from __future__ import annotations

import numpy as np
import pytest
from drawn_tubes import coords, read_candidate, scene, tube

from strokescope.preprocess.registration import identity_registration
from strokescope.thrombus.candidate_features import (
    ShellReading,
    candidate_lumen_through,
    shell_reading,
)
from strokescope.thrombus.candidate_rules import mimic_reason
from strokescope.thrombus.rules import Rules
from strokescope.volume import Volume

BESIDE = Rules(max_shell_opacified_fraction=0.15)
ARTERY_MM = 2.5


def sleeve() -> tuple[Volume, Volume, np.ndarray]:
    """Subarachnoid blood (64/68 HU) in a 1 mm sleeve round a patent carotid-sized artery
    (radius 2.5 mm), which runs on through it opacified (350 HU on CTA): about a quarter
    of the blood's 2 mm surroundings is lumen."""
    ncct, cta, _ = scene(clot=False, blob=False)
    artery = tube(15.0, 44.0, 75.0, ARTERY_MM)
    ncct.array[artery], cta.array[artery] = 40.0, 350.0
    z, y, x = coords()
    r2 = (z - 10.0) ** 2 + (y - 15.0) ** 2
    blood = (r2 > ARTERY_MM**2) & (r2 <= (ARTERY_MM + 1.0) ** 2) & (x >= 52.0) & (x <= 62.0)
    ncct.array[blood], cta.array[blood] = 64.0, 68.0
    return ncct, cta, blood


def test_blood_round_a_patent_artery_is_dropped_and_a_clot_in_it_kept() -> None:
    ncct, cta, blood = sleeve()
    assert len(read_candidate(blood, ncct, cta, Rules())) == 1  # hyperdense, not opacified
    assert read_candidate(blood, ncct, cta, BESIDE) == []
    ncct, cta, clot = scene(clot=True, blob=False)
    (kept,) = read_candidate(clot, ncct, cta, BESIDE)
    assert 9.0 <= kept.length_mm <= 12.0
    assert "surroundings opacified lumen" in BESIDE.describe()


@pytest.mark.parametrize(("fraction", "dropped"), [(0.10, False), (0.15, True), (0.6, True)])
def test_the_cut_is_read_on_the_opacified_share_of_the_surroundings(
    fraction: float, dropped: bool
) -> None:
    rng = np.random.default_rng(0)
    n_hu = (62.0 + rng.normal(0, 3, 400)).astype(np.float32)
    reason = mimic_reason(n_hu, n_hu + 8.0, BESIDE, shell=lambda: ShellReading(fraction, 35.0))
    assert (reason is not None) == dropped
    if dropped:
        assert "beside a patent artery" in (reason or "")
    assert mimic_reason(n_hu, n_hu + 8.0, Rules(), shell=lambda: ShellReading(0.9, 35.0)) is None


def _through(ncct: Volume, cta: Volume, mask: np.ndarray) -> float:
    return candidate_lumen_through(np.argwhere(mask), cta, ncct, identity_registration())


def test_lumen_runs_through_the_sleeve_of_blood_but_not_through_a_clot() -> None:
    assert _through(*sleeve()) == 1.0
    ncct, cta, clot = scene(clot=True, blob=False)
    assert _through(ncct, cta, clot) == 0.0
    # a pervious clot keeps a thread of contrast (radius 0.5 mm): still no artery through it
    thread = tube(15.0, 52.0, 62.0, 0.5)
    ncct.array[thread], cta.array[thread] = 60.0, 300.0
    assert _through(ncct, cta, clot & ~thread) == 0.0


THROUGH = Rules(max_shell_opacified_fraction=0.15, beside_min_lumen_through=0.7)


@pytest.mark.parametrize(
    ("crossed", "dropped"), [(0.0, False), (0.43, False), (0.7, True), (1.0, True)]
)
def test_with_lumen_through_only_an_artery_running_through_drops_it(
    crossed: float, dropped: bool
) -> None:
    rng = np.random.default_rng(0)
    n_hu = (62.0 + rng.normal(0, 3, 400)).astype(np.float32)
    reason = mimic_reason(
        n_hu, n_hu + 8.0, THROUGH, shell=lambda: ShellReading(0.3, 35.0), through=lambda: crossed
    )
    assert (reason is not None) == dropped
    if dropped:
        assert f"lumen through {crossed:.0%}" in (reason or "")
    # too little lumen round it: kept whatever runs through it
    assert (
        mimic_reason(
            n_hu, n_hu + 8.0, THROUGH, shell=lambda: ShellReading(0.1, 35.0), through=lambda: 1.0
        )
        is None
    )


def test_a_clot_against_opacified_branches_is_kept_and_the_sleeve_still_dropped() -> None:
    """A clot lodged in a bifurcation: the two opacified branches run beside its distal
    4 mm (axes 3 mm from its own, radius 1.5 mm) and fill 18 % of its surroundings, but no
    artery runs through it (lumen crosses 44 % of its cross-sections, the sleeve's all)."""
    ncct, cta, clot = scene(clot=True, blob=False)
    z, y, x = coords()
    for dy in (-3.0, 3.0):
        branch = ((z - 10.0) ** 2 + (y - 15.0 - dy) ** 2 <= 1.5**2) & (x >= 58.0) & (x <= 75.0)
        branch &= ~clot
        ncct.array[branch], cta.array[branch] = 40.0, 350.0
    shell = shell_reading(np.argwhere(clot), cta, ncct, identity_registration())
    assert shell.opacified_fraction >= 0.15
    assert 0.3 <= _through(ncct, cta, clot) < 0.7
    (kept,) = read_candidate(clot, ncct, cta, THROUGH)
    assert 9.0 <= kept.length_mm <= 12.0
    assert read_candidate(clot, ncct, cta, BESIDE) == []  # the surroundings alone drop it
    ncct, cta, blood = sleeve()
    assert read_candidate(blood, ncct, cta, THROUGH) == []
    assert "lumen through < 70% of its cross-sections" in THROUGH.describe()


@pytest.mark.parametrize(("beside", "through"), [(None, 0.7), (0.15, 0.0), (0.15, 1.5)])
def test_the_manifest_refuses_a_lumen_through_cut_it_cannot_use(
    beside: float | None, through: float
) -> None:
    from training.config import DecisionRules

    with pytest.raises(ValueError, match="beside_min_lumen_through"):
        DecisionRules(max_shell_opacified_fraction=beside, beside_min_lumen_through=through)
    rules = DecisionRules(max_shell_opacified_fraction=0.15, beside_min_lumen_through=0.7)
    assert rules.to_dict()["beside_min_lumen_through"] == 0.7
