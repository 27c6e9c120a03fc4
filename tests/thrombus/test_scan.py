"""The fine stage's scan of vessel tiles: which tiles, and where its finds land."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from strokescope.errors import ModelError
from strokescope.preprocess.registration import RegistrationResult
from strokescope.thrombus.inference import Sources, deep_inside, model_grid, predict, scan
from strokescope.thrombus.model import Stage, ThrombusModels, Window
from strokescope.thrombus.rules import Rules, rules_from_manifest
from strokescope.thrombus.tiles import _in_turn, vessel_tiles
from strokescope.volume import Mask, Volume

NCCT_WINDOW = Window(-100.0, 200.0)
CTA_WINDOW = Window(-100.0, 700.0)


def _head(shape: tuple[int, int, int] = (64, 64, 64)) -> tuple[Volume, Volume]:
    """1 mm NCCT and CTA: brain 35 HU, an opacified artery along x (z, y 3-8 mm, x 5-39 mm),
    a clot (70 HU, CTA 75 HU) beyond its end and a bone block (1000 HU) far from both."""
    ncct = np.full(shape, 35.0, np.float32)
    cta = ncct.copy()
    cta[3:9, 3:9, 5:40] = 350.0  # lumen
    ncct[3:9, 3:9, 5:40] = 45.0
    ncct[4:8, 4:8, 40:48] = 70.0  # clot
    cta[4:8, 4:8, 40:48] = 75.0
    ncct[45:55, 45:55, 45:55] = 1000.0  # bone: bright on both, not enhancing
    cta[45:55, 45:55, 45:55] = 1000.0
    return Volume.from_array(ncct, (1.0, 1.0, 1.0)), Volume.from_array(cta, (1.0, 1.0, 1.0))


class _ClotDetector:
    """Stands in for the fine network: probability 1 where the NCCT is 60-100 HU and the
    CTA below 150 HU (read back from the normalised channels), and checks the blank prior."""

    def __init__(self) -> None:
        self.calls = 0

    def run(self, _outputs: Any, feeds: dict[str, npt.NDArray[np.float32]]) -> list[Any]:
        x = feeds["image"]
        self.calls += 1
        assert x.shape[1] == 3 and not x[:, 2].any(), "the scan runs without a coarse prior"
        ncct = x[:, 0] * (NCCT_WINDOW.hi - NCCT_WINDOW.lo) + NCCT_WINDOW.lo
        cta = x[:, 1] * (CTA_WINDOW.hi - CTA_WINDOW.lo) + CTA_WINDOW.lo
        hit = (ncct >= 60.0) & (ncct <= 100.0) & (cta < 150.0)
        return [hit[:, None].astype(np.float32)]


def _models(session: Any, rules: Rules, coarse_session: Any = None) -> ThrombusModels:
    def stage(name: str, spacing: float, channels: int, run: Any) -> Stage:
        names = ("NCCT", "CTA", "coarse_probability")[:channels]
        return Stage(name, Path(name), run, "image", "probability", names,
                     (spacing,) * 3, (16, 16, 16), 8)  # fmt: skip

    return ThrombusModels(
        folder=Path("."),
        version="test",
        coarse=stage("coarse", 2.0, 2, coarse_session or session),
        fine=stage("fine", 1.0, 3, session),
        windows={"NCCT": NCCT_WINDOW, "CTA": CTA_WINDOW},
        rules=rules,
        sha256={},
        device="CPUExecutionProvider",
    )


def _grids(cta: Volume) -> tuple[Any, Any]:
    hi = np.asarray(cta.shape) - 1
    return model_grid(cta.geometry, (2.0,) * 3, np.zeros(3), hi), model_grid(
        cta.geometry, (1.0,) * 3, np.zeros(3), hi
    )


def test_vessel_tiles_rank_by_opacified_lumen_and_ignore_bone() -> None:
    ncct, cta = _head()
    coarse, fine = _grids(cta)
    identity = Sources(ncct, cta, _identity())
    hu = identity.hu_on(coarse)
    tiles = vessel_tiles(fine, coarse, hu, (16, 16, 16), min_voxels=3, max_tiles=10)
    # the lumen runs through z, y tile 0 (0-15 mm) and x tiles 0-2 (5-39 mm): three tiles;
    # the bone block (bright on both scans, not enhancing) gives none
    assert sorted(tiles) == [(0, 0, 0), (0, 0, 16), (0, 0, 32)]
    assert vessel_tiles(fine, coarse, hu, (16, 16, 16), min_voxels=3, max_tiles=2) == [
        (0, 0, 16),  # 9 coarse columns of lumen, then the tiles holding 6 and 4
        (0, 0, 0),
    ]
    assert vessel_tiles(fine, coarse, hu, (16, 16, 16), min_voxels=10_000, max_tiles=10) == []


def _identity() -> RegistrationResult:
    return RegistrationResult(np.eye(4), -1.0, -0.5, 0, 0.0)


def test_scan_finds_the_clot_beside_the_lumen_on_the_coarse_grid() -> None:
    ncct, cta = _head()
    coarse, fine = _grids(cta)
    detector = _ClotDetector()
    rules = replace(Rules(), fine_scan=True, scan_min_vessel_voxels=3, scan_max_tiles=10)
    sources = Sources(ncct, cta, _identity())
    found = scan(_models(detector, rules), sources, fine, coarse, sources.hu_on(coarse))
    assert detector.calls == 3  # the vessel tiles only
    assert found.shape == coarse.shape
    hot = np.argwhere(found >= 0.5)
    # the clot (z, y 4-7 mm, x 40-47 mm) on the 2 mm coarse grid: index 2-4 and 20-24
    assert len(hot) > 0
    for axis, (lo, hi) in enumerate(((2, 4), (2, 4), (20, 24))):
        assert lo <= hot[:, axis].min() and hot[:, axis].max() <= hi
    # a clot outside every vessel tile is not scanned
    tight = replace(rules, scan_max_tiles=1)
    detector_tight = _ClotDetector()
    missed = scan(_models(detector_tight, tight), sources, fine, coarse, sources.hu_on(coarse))
    assert detector_tight.calls == 1 and not missed.any()


def test_the_scan_network_refines_its_own_finds_and_leaves_the_coarse_ones() -> None:
    ncct, cta = _head()
    rules = replace(Rules(), fine_scan=True, scan_min_vessel_voxels=3, scan_max_tiles=10)
    sources = Sources(ncct, cta, _identity())
    region = (np.zeros(3, np.int64), np.asarray(cta.shape, np.int64) - 1)

    def hot(pred: Any) -> set[tuple[float, ...]]:
        return {
            tuple(np.round(p, 3))
            for b in pred.boxes
            for p in b.geometry.index_to_lps(np.argwhere(b.probability >= 0.5).astype(float))
        }

    for coarse_sees in (False, True):
        fine_net, scan_net = _Clots(coarse_sees=True), _Clots(coarse_sees=True)
        models = _models(fine_net, rules, _Clots(coarse_sees=coarse_sees))
        models = replace(models, scan=replace(models.fine, name="scan", session=scan_net))
        found = hot(predict(models, sources, region))
        assert len(found) >= 4 * 4 * 8 * 0.9, "the clot is found either way"
        assert (fine_net.calls > 0) == coarse_sees  # the fine network refines coarse finds
        assert scan_net.calls > 3  # 3 scan tiles, then it refines its own finds
        if coarse_sees:  # ... but adds nothing where the coarse stage proposed
            alone = hot(
                predict(replace(models, rules=replace(rules, fine_scan=False)), sources, region)
            )
            assert found == alone


class _Clots:
    """Stands in for both networks: the fine one sees the clot whatever its prior; the
    coarse one sees it only when ``coarse_sees`` (else it proposes nothing)."""

    def __init__(self, *, coarse_sees: bool) -> None:
        self.coarse_sees = coarse_sees
        self.calls = 0

    def run(self, _outputs: Any, feeds: dict[str, npt.NDArray[np.float32]]) -> list[Any]:
        x = feeds["image"]
        self.calls += 1
        ncct = x[:, 0] * (NCCT_WINDOW.hi - NCCT_WINDOW.lo) + NCCT_WINDOW.lo
        cta = x[:, 1] * (CTA_WINDOW.hi - CTA_WINDOW.lo) + CTA_WINDOW.lo
        hit = (ncct >= 60.0) & (ncct <= 100.0) & (cta < 150.0)
        if x.shape[1] == 2 and not self.coarse_sees:
            hit[:] = False
        return [hit[:, None].astype(np.float32)]


def _clot_points(cta: Volume) -> npt.NDArray[np.float64]:
    idx = np.argwhere(np.ones((4, 4, 8), bool)) + np.array([4, 4, 40])
    return cta.geometry.index_to_lps(idx.astype(float))


def test_prediction_knows_what_only_the_scan_proposed() -> None:
    ncct, cta = _head()
    rules = replace(Rules(), fine_scan=True, scan_min_vessel_voxels=3, scan_max_tiles=10)
    sources = Sources(ncct, cta, _identity())
    region = (np.zeros(3, np.int64), np.asarray(cta.shape, np.int64) - 1)
    clot = _clot_points(cta)
    bone = cta.geometry.index_to_lps(np.array([[50.0, 50.0, 50.0]]))
    for coarse_sees in (False, True):
        net = _Clots(coarse_sees=coarse_sees)
        pred = predict(_models(net, rules, net), sources, region)
        assert pred.boxes, "the clot is refined either way"
        assert pred.proposed_by_scan_only(clot) is not coarse_sees
        assert pred.proposed_by_scan_only(bone) is True  # nobody proposed it
    without_scan = predict(_models(net, replace(rules, fine_scan=False), net), sources, region)
    assert without_scan.scan_only is None and not without_scan.proposed_by_scan_only(clot)


def test_the_scan_only_sign_rule_needs_a_sign_threshold_and_the_scan() -> None:
    signs = {"min_inline_lumen": 0.12, "min_missing_artery": 0.12}
    rules = rules_from_manifest({"fine_scan": True, "scan_needs_cta_sign": True, **signs})
    assert not rules.uses_vessel_evidence  # only the scan's own finds need a sign
    assert "a thrombus only the scan proposed shows a CTA sign" in rules.describe()
    assert rules_from_manifest({**signs}).uses_vessel_evidence
    for bad in (
        {"fine_scan": True, "scan_needs_cta_sign": True},
        {"scan_needs_cta_sign": True, **signs},
    ):
        with pytest.raises(ModelError, match="scan_needs_cta_sign"):
            rules_from_manifest(bad)


def _sinus_head() -> tuple[Volume, Volume, Mask]:
    """1 mm NCCT, CTA and brain mask (2 mm inside the array's faces): a dense "sinus"
    slab of lumen against the brain's edge (z 2-5 mm, y and x 0-15 mm) and, deep inside,
    a thin artery (z, y 24-27 mm, x 17-27 mm) with a clot beyond its end (x 28-31 mm)."""
    ncct = np.full((64, 64, 64), 35.0, np.float32)
    cta = ncct.copy()
    cta[2:6, 0:16, 0:16] = 400.0
    ncct[2:6, 0:16, 0:16] = 45.0
    cta[24:28, 24:28, 17:28] = 350.0
    ncct[24:28, 24:28, 17:28] = 45.0
    ncct[25:27, 25:27, 28:32] = 70.0
    cta[25:27, 25:27, 28:32] = 75.0
    brain = np.zeros(ncct.shape, bool)
    brain[2:62, 2:62, 2:62] = True
    n, c = Volume.from_array(ncct, (1.0,) * 3), Volume.from_array(cta, (1.0,) * 3)
    return n, c, Mask(brain, c.geometry, "brain")


def test_deep_vessel_tiles_go_before_the_denser_sinus() -> None:
    ncct, cta, brain = _sinus_head()
    coarse, fine = _grids(cta)
    hu = Sources(ncct, cta, _identity()).hu_on(coarse)
    deep = deep_inside(brain, coarse, 10.0)
    # on the 2 mm grid: 10 mm inside the faces at 2 and 61 mm, within nearest-voxel reading
    inside = np.argwhere(deep)
    assert inside.min() >= 5 and inside.max() <= 26
    assert deep[13, 13, 11] and not deep[2, 4, 4]  # the artery deep; the sinus not
    tiles = vessel_tiles(fine, coarse, hu, (16, 16, 16), min_voxels=3, max_tiles=10)
    assert tiles[0] == (0, 0, 0)  # densest lumen first: the sinus
    ranked = vessel_tiles(fine, coarse, hu, (16, 16, 16), min_voxels=3, max_tiles=10, deep=deep)
    # the artery's tile, then in turn with the densest ones (the sinus first): a basilar
    # against the clivus keeps its place among these
    assert ranked[:2] == [(16, 16, 16), (0, 0, 0)]
    assert sorted(ranked) == sorted(tiles)
    assert ranked[1:] == [t for t in tiles if t != (16, 16, 16)]


def test_two_rankings_taken_in_turn_pass_over_what_the_other_took() -> None:
    assert _in_turn([1, 2, 3], [1, 4, 5]) == [1, 4, 2, 5, 3]
    assert _in_turn([1, 2, 3, 4], [5]) == [1, 5, 2, 3, 4]
    assert _in_turn([], [7, 8]) == [7, 8] and _in_turn([7, 8], []) == [7, 8]
    assert _in_turn([1, 2], [2, 1, 3]) == [1, 2, 3]


def test_scan_of_one_tile_finds_the_deep_clot_only_when_deep_vessel_goes_first() -> None:
    ncct, cta, brain = _sinus_head()
    coarse, fine = _grids(cta)
    sources = Sources(ncct, cta, _identity())
    hu = sources.hu_on(coarse)
    rules = replace(Rules(), fine_scan=True, scan_min_vessel_voxels=3, scan_max_tiles=1)
    missed = scan(_models(_ClotDetector(), rules), sources, fine, coarse, hu, brain)
    assert not missed.any()  # without the rule the sinus takes the one tile
    deep_rules = replace(rules, scan_deep_vessel_mm=10.0)
    found = scan(_models(_ClotDetector(), deep_rules), sources, fine, coarse, hu, brain)
    hot = np.argwhere(found >= 0.5)
    assert len(hot) and hot[:, 2].min() >= 13 and hot[:, 2].max() <= 16  # x 28-31 mm
    # without a brain mask the rule cannot be read and the order stays by density
    assert not scan(_models(_ClotDetector(), deep_rules), sources, fine, coarse, hu).any()


@pytest.mark.parametrize("mm", [0.5, 31.0])
def test_training_rules_refuse_a_depth_outside_1_to_30_mm(mm: float) -> None:
    from training.config import DecisionRules

    assert DecisionRules(scan_deep_vessel_mm=10.0).to_dict()["scan_deep_vessel_mm"] == 10.0
    with pytest.raises(ValueError, match="scan_deep_vessel_mm"):
        DecisionRules(scan_deep_vessel_mm=mm)
