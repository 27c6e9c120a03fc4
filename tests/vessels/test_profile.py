"""Contrast profile and status of a synthetic tube, patent and occluded."""

from __future__ import annotations

import numpy as np

from strokescope.preprocess.registration import identity_registration
from strokescope.vessels.profile import long_runs, profile, status
from strokescope.vessels.result import NOT_OPACIFIED, OPACIFIED, REDUCED, Profile
from strokescope.volume import Geometry, Volume

SPACING = 0.5
SHAPE = (24, 24, 100)  # z, y, x: a tube along x, 50 mm long


def _pair(clot_mm: tuple[float, float] | None, lumen_hu: float = 350.0) -> tuple[Volume, Volume]:
    geom = Geometry(SHAPE, (SPACING,) * 3, (0.0, 0.0, 0.0))
    z, y, x = np.meshgrid(*(np.arange(n) * SPACING for n in SHAPE), indexing="ij")
    inside = (z - 5.75) ** 2 + (y - 5.75) ** 2 <= 1.5**2
    rng = np.random.default_rng(17)
    ncct = np.full(SHAPE, 30.0, np.float32) + rng.normal(0, 3, SHAPE).astype(np.float32)
    cta = ncct + np.float32(5.0)
    ncct[inside] = 40.0
    cta[inside] = lumen_hu
    if clot_mm is not None:
        clot = inside & (x >= clot_mm[0]) & (x <= clot_mm[1])
        ncct[clot] = 60.0
        cta[clot] = 70.0
    return Volume(ncct, geom), Volume(cta, geom)


def _axis() -> np.ndarray:
    x = np.arange(5.0, 45.0, 0.5)
    return np.stack([x, np.full_like(x, 5.75), np.full_like(x, 5.75)], axis=1)  # LPS x, y, z


def test_patent_tube_is_opacified() -> None:
    ncct, cta = _pair(None)
    p = profile(_axis(), 0.0, "ICA terminus", cta, ncct, identity_registration())
    assert p.opacified.all()
    assert float(np.median(p.enhancement_hu)) > 250
    assert status(p, reference_hu=310.0) == (OPACIFIED, None)


def test_occluded_tube_drops_at_the_clot() -> None:
    ncct, cta = _pair((20.0, 30.0))
    p = profile(_axis(), 10.0, "ICA terminus", cta, ncct, identity_registration())
    st, drop = status(p, reference_hu=310.0)
    assert st == NOT_OPACIFIED
    assert drop is not None
    assert abs(drop - 25.0) <= 1.0  # clot starts at x = 20 mm, 15 mm along, profile from 10


def test_short_gap_is_not_an_occlusion() -> None:
    ncct, cta = _pair((20.0, 21.0))
    p = profile(_axis(), 0.0, "ICA terminus", cta, ncct, identity_registration())
    assert status(p, reference_hu=310.0)[0] == OPACIFIED


def test_weak_filling_is_reduced() -> None:
    ncct, cta = _pair(None, lumen_hu=150.0)
    p = profile(_axis(), 0.0, "ICA terminus", cta, ncct, identity_registration())
    assert status(p, reference_hu=310.0)[0] == REDUCED


def _drawn(unfilled: slice, step: float) -> Profile:
    d = np.arange(40) * step
    opacified = np.ones(40, bool)
    opacified[unfilled] = False
    hu = np.where(opacified, 350.0, 60.0).astype(np.float32)
    return Profile("ICA terminus", d, hu, hu - 40.0, opacified)


def test_six_unfilled_points_are_a_run_however_the_segment_was_resampled() -> None:
    # resample() spaces a 37.2 mm segment 0.496 mm apart: six points spanned 2.98 mm and a
    # 3 mm clot read as patent (calibration head 800016); the edge counts points
    for step in (0.5, 0.496, 0.45):
        assert long_runs(_drawn(slice(10, 16), step)) == [(10, 15)]
        assert status(_drawn(slice(10, 16), step), 310.0)[0] == NOT_OPACIFIED
        assert long_runs(_drawn(slice(10, 15), step)) == []
        assert status(_drawn(slice(10, 15), step), 310.0)[0] == OPACIFIED
