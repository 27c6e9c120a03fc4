"""The second look at the basilar artery: its unfilled stretch on a drawn tube and on quick
family-A heads with subarachnoid blood round a basilar clot (the networks' blind spot)."""

from __future__ import annotations

import numpy as np
import pytest

from strokescope.phantom import PhantomOptions, generate_study
from strokescope.preprocess.brain_mask import brain_mask
from strokescope.preprocess.registration import identity_registration
from strokescope.thrombus.symmetry import symmetric_plane
from strokescope.vessels import basilar_gap
from strokescope.vessels.basilar_gap import REACH_MM, BasilarGap, basilar_gaps, lumen_voxels
from strokescope.volume import Geometry, Volume

SPACING = 0.5
SHAPE = (24, 24, 100)  # z, y, x: a tube of radius 1.5 mm along x, 50 mm long
CENTRE_MM = 5.75


def _tube(clot_mm: tuple[float, float]) -> tuple[Volume, Volume, np.ndarray]:
    """NCCT, CTA and the clot's voxels: an opacified tube whose lumen a clot fills between
    ``clot_mm`` (x, mm), in a cistern of blood as dense as the clot."""
    geom = Geometry(SHAPE, (SPACING,) * 3, (0.0, 0.0, 0.0))
    z, y, x = np.meshgrid(*(np.arange(n) * SPACING for n in SHAPE), indexing="ij")
    inside = (z - CENTRE_MM) ** 2 + (y - CENTRE_MM) ** 2 <= 1.5**2
    clot = inside & (x >= clot_mm[0]) & (x <= clot_mm[1])
    rng = np.random.default_rng(5)
    ncct = np.full(SHAPE, 65.0, np.float32) + rng.normal(0, 3, SHAPE).astype(np.float32)
    cta = ncct + np.float32(5.0)
    cta[inside & ~clot] = 350.0
    ncct[inside & ~clot] = 40.0
    return Volume(ncct, geom), Volume(cta, geom), clot


def test_lumen_voxels_are_the_unfilled_lumen_along_the_line() -> None:
    ncct, cta, clot = _tube((15.0, 30.0))
    xs = np.arange(5.0, 45.0, 0.5)  # a centerline through clot and patent lumen alike
    line = np.stack([xs, np.full_like(xs, CENTRE_MM), np.full_like(xs, CENTRE_MM)], axis=1)
    index = lumen_voxels(line, 1.5, cta, ncct, identity_registration())
    on_clot = clot[tuple(index.T)]
    assert on_clot.all()  # the opacified lumen and the blood beyond the radius stay out
    assert on_clot.sum() >= 0.8 * clot.sum()


@pytest.fixture(scope="module")
def heads() -> dict[str, tuple[tuple[BasilarGap, ...], np.ndarray | None, tuple]]:
    out = {}
    for name, seed, occlusion in (("clot", 1_000_010, "basilar"), ("none", 1_000_003, "none")):
        options = PhantomOptions(
            seed=seed, occlusion=occlusion, sah=True, inplane_mm=1.0, matrix=200, slice_mm=1.0
        )
        study = generate_study(options)
        assert study.cta is not None
        plane = symmetric_plane(study.ncct, brain_mask(study.ncct))
        truth = study.masks.get("thrombus")
        inputs = (study.ncct, study.cta, identity_registration(), plane)
        out[name] = (basilar_gaps(*inputs), None if truth is None else truth.array, inputs)
    return out


def test_a_basilar_clot_in_subarachnoid_blood_is_a_gap(heads: dict) -> None:
    gaps, truth, _ = heads["clot"]
    assert len(gaps) == 1 and truth is not None
    gap = gaps[0]
    assert gap.below_tip_mm[0] <= REACH_MM and gap.below_tip_mm[0] < gap.below_tip_mm[1]
    assert len(gap.index) >= 20 and truth[tuple(gap.index.T)].mean() >= 0.5


def test_a_patent_basilar_in_subarachnoid_blood_has_no_gap(heads: dict) -> None:
    assert heads["none"][0] == ()


def test_a_traced_basilar_shorter_than_a_basilar_gives_no_gap(
    heads: dict, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    gaps, _, inputs = heads["clot"]
    assert gaps  # the same head with the rule as shipped has its gap
    monkeypatch.setattr(basilar_gap, "BASILAR_MIN_MM", 300.0)
    with caplog.at_level("INFO", logger=basilar_gap.__name__):
        assert basilar_gaps(*inputs) == ()
    assert "too short" in caplog.text
