"""Phantom family C: determinism, the clot as a filling defect, mimics unlabelled, the CLI."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from training.dataset import list_cases, read_case
from training.family_c.__main__ import main, options_path
from training.family_c.case import Rendered, generate_case, render_case
from training.family_c.options import Options, draw_options

SEED = 11
LARGE = ("ica", "mca_trunk", "basilar")


def _first(test: Callable[[Options], bool], *, skip: int = 0) -> int:
    """The first tiny case index (after ``skip`` matches) whose options pass ``test``."""
    for index in range(400):
        if test(draw_options(SEED, index, tiny=True)):
            if skip == 0:
                return index
            skip -= 1
    raise AssertionError("no such case in 400 draws")


@cache
def _rendered(index: int) -> Rendered:
    return render_case(SEED, index, tiny=True)


def _nearest(r: Rendered, lps: np.ndarray) -> np.ndarray:
    geom = r.case.cta.geometry
    kji = np.rint(geom.lps_to_index(lps)).astype(int)
    return kji[np.all((kji >= 0) & (kji < geom.shape), axis=1)]


def test_options_are_a_pure_function_and_clots_come_in_about_80_percent() -> None:
    assert draw_options(3, 7) == draw_options(3, 7)
    assert draw_options(3, 7) != draw_options(3, 8)
    drawn = [draw_options(2, i) for i in range(300)]
    share = np.mean([o.clot.present for o in drawn])
    assert 0.72 < share < 0.88
    for o in drawn:
        if o.clot.present:  # the lumen stays well above the clot's CTA value
            assert o.vessels.lumen_hu * 0.85 >= o.clot.ncct_hu + o.clot.perviousness_hu + 69
        assert 0.4 <= o.acquisition.pixel_mm <= 0.9 and 0.5 <= o.acquisition.slice_mm <= 2.5


def test_same_seed_same_arrays_and_tiny_is_fast() -> None:
    index = _first(lambda o: o.clot.present)
    a, b = render_case(SEED, index, tiny=True), generate_case(SEED, index, tiny=True)
    assert np.array_equal(a.case.ncct.array, b.ncct.array)
    assert np.array_equal(a.case.cta.array, b.cta.array)
    assert np.array_equal(a.case.label.array, b.label.array)
    other = generate_case(SEED + 1, index, tiny=True)
    assert other.ncct.shape != a.case.ncct.shape or not np.array_equal(
        other.ncct.array, a.case.ncct.array
    )
    assert a.seconds < 3.0
    assert a.case.ncct.geometry == a.case.cta.geometry == a.case.label.geometry


@pytest.mark.parametrize("skip", [0, 1, 2])
def test_label_present_exactly_when_a_clot_is_drawn(skip: int) -> None:
    with_clot = _rendered(_first(lambda o: o.clot.present, skip=skip))
    without = _rendered(_first(lambda o: not o.clot.present, skip=skip))
    assert with_clot.clot is not None and with_clot.case.label.voxel_count > 0
    assert without.clot is None and without.case.label.voxel_count == 0


def _clean(o: Options) -> bool:
    """A middle-cerebral clot (away from bone) on scans without streaks or a dark band."""
    scans = (o.acquisition.ncct, o.acquisition.cta)
    quiet = all(s.streak_hu == 0 and s.beam_hardening_hu == 0 for s in scans)
    return o.clot.site in ("mca_trunk", "mca_branch") and quiet


@pytest.mark.parametrize("skip", [0, 1, 2])
def test_clot_is_dense_on_ncct_and_a_filling_defect_on_cta(skip: int) -> None:
    r = _rendered(_first(_clean, skip=skip))
    o, case = r.options, r.case
    lab = case.label.array
    # the voxels most filled by clot carry its NCCT value, mixed with at most (1 - f) of
    # CSF or brain (0-60 HU), plus the scan's offset and noise
    frac = r.clot_fraction
    k, j, i = r.clot_fraction_start
    sub = (slice(k, k + frac.shape[0]), slice(j, j + frac.shape[1]), slice(i, i + frac.shape[2]))
    core = frac >= min(0.8, float(frac.max()))
    f = float(frac[core].mean())
    value = float(case.ncct.array[sub][core].mean())
    scan = o.acquisition.ncct
    slack = 3 * scan.noise_sd / np.sqrt(core.sum()) + abs(scan.hu_offset) + 5
    low = f * o.clot.ncct_hu + (1 - f) * -5 - slack
    high = f * o.clot.ncct_hu + (1 - f) * 60 + slack
    assert low < value < high, (value, o.clot.ncct_hu, f)
    # upstream the lumen is opacified on CTA and blood-like on NCCT
    up = _nearest(r, r.proximal_lps)
    assert len(up) > 0
    cta_up = np.median(
        [case.cta.array[a - 1 : a + 2, b - 1 : b + 2, c - 1 : c + 2].max() for a, b, c in up]
    )
    ncct_up = np.median([case.ncct.array[a, b, c] for a, b, c in up])
    assert cta_up > 130 and cta_up - ncct_up > 80 and ncct_up < 90, (cta_up, ncct_up)
    # inside the clot CTA stays far below that lumen: a filling defect
    cta_clot = float(np.median(case.cta.array[lab]))
    assert cta_clot < cta_up - 60, (cta_clot, cta_up)
    # and its core holds the clot's own CTA value (NCCT + perviousness), not the lumen's
    core_cta = float(case.cta.array[sub][core].mean())
    clot_cta = o.clot.ncct_hu + o.clot.perviousness_hu
    cta_slack = 3 * o.acquisition.cta.noise_sd / np.sqrt(core.sum()) + 15
    assert core_cta < f * clot_cta + (1 - f) * 1.15 * o.vessels.lumen_hu + cta_slack
    assert core_cta < o.vessels.lumen_hu * 0.85 - 40


def test_label_lies_on_the_clot_and_never_on_a_mimic() -> None:
    index = _first(lambda o: o.clot.present and (o.mimics.ich or o.mimics.sah))
    r = _rendered(index)
    geom = r.case.label.geometry
    centres = geom.index_to_lps(np.argwhere(r.case.label.array))
    dist = np.linalg.norm(centres[:, None, :] - r.clot_lps[None, :, :], axis=2).min(axis=1)
    radius = r.options.vessels.calibre * 2.4 * 1.25
    assert dist.max() <= radius + np.linalg.norm(geom.spacing)
    for a, b, c in _nearest(r, r.mimic_lps):
        assert not r.case.label.array[a, b, c]


def test_mimics_and_hyperdense_blood_without_clot_give_an_empty_label() -> None:
    cases = [
        _first(lambda o: not o.clot.present and o.vessels.hyperdense_blood),
        _first(lambda o: not o.clot.present and (o.mimics.sah or o.mimics.ich)),
        _first(lambda o: not o.clot.present and o.vessels.venous_contamination),
    ]
    for index in cases:
        r = _rendered(index)
        assert r.case.label.voxel_count == 0
        assert r.case.ncct.array.max() > 300  # bone and mimics are there all the same


def test_cli_writes_nnunet_layout_and_resumes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--out", str(tmp_path), "--n", "2", "--seed", "4", "--tiny"]) == 0
    assert list_cases(tmp_path) == ("FAMC_4_0000", "FAMC_4_0001")
    back = read_case(tmp_path, "FAMC_4_0001")
    fresh = generate_case(4, 1, tiny=True)
    np.testing.assert_allclose(back.cta.array, fresh.cta.array, atol=0.51)
    assert np.array_equal(back.label.array, fresh.label.array)
    stamp = options_path(tmp_path, "FAMC_4_0000").stat().st_mtime_ns
    capsys.readouterr()
    assert main(["--out", str(tmp_path), "--n", "2", "--seed", "4", "--first", "1", "--tiny"]) == 0
    out = capsys.readouterr().out
    assert "FAMC_4_0001  already written" in out
    assert "FAMC_4_0002  generated" in out
    assert options_path(tmp_path, "FAMC_4_0000").stat().st_mtime_ns == stamp
    assert list_cases(tmp_path) == ("FAMC_4_0000", "FAMC_4_0001", "FAMC_4_0002")
    assert '"numTraining": 3' in (tmp_path / "dataset.json").read_text()


def test_artery_truth_lies_in_the_opacified_lumen_on_the_labelled_side() -> None:
    from training.family_c.truth import artery_truth_c

    index = _first(lambda o: not o.clot.present and o.acquisition.partial_fov == "")
    r = _rendered(index)
    truth = artery_truth_c(SEED, index, tiny=True)
    labels = {(a.label, a.side) for a in truth}
    for side in ("left", "right"):
        assert {("ICA", side), ("M1", side), ("M2", side)} <= labels
    assert ("BA", "mid") in labels
    cta, ncct = r.case.cta.array, r.case.ncct.array
    for a in truth:
        if a.label not in ("ICA", "M1", "BA") or a.radius.min() < 1.0:
            continue
        kji = _nearest(r, a.points)
        contrast = [
            cta[k - 1 : k + 2, j - 1 : j + 2, i - 1 : i + 2].max() - ncct[k, j, i]
            for k, j, i in kji
        ]
        assert len(kji) > 0 and np.median(contrast) > 80, (a.label, a.side)
    # the head frame's x is the patient's left: left arteries lie at larger LPS x
    mean_x = {
        side: np.mean([a.points[:, 0].mean() for a in truth if a.side == side])
        for side in ("left", "right")
    }
    assert mean_x["left"] > mean_x["right"] + 10


def test_evaluation_case_carries_the_truth_class_of_its_site() -> None:
    from training.family_c.eval_case import family_c_case

    index = _first(lambda o: o.clot.present and o.clot.site == "mca_branch")
    case = family_c_case(SEED, index, tiny=True)
    rendered = _rendered(index)
    assert case.truth_class == "MeVO" and case.occlusion == "mca_branch"
    assert case.truth_mask is not None
    assert np.array_equal(case.truth_mask.array, rendered.case.label.array)
    assert case.truth_volume_mm3 == pytest.approx(rendered.case.label.volume_mm3)
    lvo = family_c_case(SEED, _first(lambda o: o.clot.present and o.clot.site in LARGE), tiny=True)
    assert lvo.truth_class == "LVO" and lvo.truth_length_mm is not None
    none = family_c_case(SEED, _first(lambda o: not o.clot.present), tiny=True)
    assert none.truth_class == "none" and none.truth_mask is None and none.truth_volume_mm3 == 0
