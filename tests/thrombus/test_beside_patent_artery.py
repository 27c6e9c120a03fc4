"""Blood round a patent artery is not a clot (``max_shell_opacified_fraction``)."""

from __future__ import annotations

import numpy as np
import pytest
from drawn_tubes import coords, read_candidate, scene, tube

from strokescope.preprocess.registration import identity_registration
from strokescope.thrombus.candidate_features import ShellReading, lumen_through_fraction
from strokescope.thrombus.candidate_rules import mimic_reason
from strokescope.thrombus.centerline import centerline, mean_radius_mm
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
    index = np.argwhere(mask)
    line = centerline(index, cta.geometry)
    radius = mean_radius_mm(len(index) * cta.geometry.voxel_volume_mm3, line)
    return lumen_through_fraction(line, radius, cta, ncct, identity_registration())


def test_lumen_runs_through_the_sleeve_of_blood_but_not_through_a_clot() -> None:
    assert _through(*sleeve()) == 1.0
    ncct, cta, clot = scene(clot=True, blob=False)
    assert _through(ncct, cta, clot) == 0.0
    # a pervious clot keeps a thread of contrast (radius 0.5 mm): still no artery through it
    thread = tube(15.0, 52.0, 62.0, 0.5)
    ncct.array[thread], cta.array[thread] = 60.0, 300.0
    assert _through(ncct, cta, clot & ~thread) == 0.0
