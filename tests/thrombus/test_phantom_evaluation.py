"""Held-out evaluation harness: case blocks, summary metrics against the bars, the table."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

import numpy as np
import pytest

from strokescope.thrombus.model import load_models
from strokescope.thrombus.phantom_evaluation import (
    CALIBRATION_SEED0,
    HELD_OUT_SEED0,
    at_clot,
    case_options,
    models_key,
    summarise,
    table,
    thrombus_overlaps,
)
from strokescope.thrombus.result import Thrombus, ThrombusResult
from strokescope.volume import Geometry, Mask


def _row(
    truth: str, pred: str, *, dice: float | None, vol: tuple[float, float], calc: bool = False
) -> dict[str, Any]:
    return {
        "truth_class": truth,
        "pred_class": pred,
        "pred_occlusion": pred != "none",
        "pred_lvo": pred == "LVO",
        "pred_volume_mm3": vol[0],
        "truth_volume_mm3": vol[1],
        "truth_length_mm": 10.0 if truth != "none" else None,
        "pred_length_mm": 11.5 if pred != "none" else None,
        "dice": dice,
        "calcification": calc,
        "seconds": 2.0,
    }


def test_blocks_cycle_sites_and_never_overlap() -> None:
    held = [case_options(i, quick=True)["seed"] for i in range(40)]
    calib = [case_options(i, quick=True, seed0=CALIBRATION_SEED0)["seed"] for i in range(40)]
    assert held[0] == HELD_OUT_SEED0 and not set(held) & set(calib)
    assert [case_options(i, quick=False)["occlusion"] for i in range(4)] == [
        "ICA",
        "M1",
        "M2",
        "none",
    ]
    assert case_options(0, quick=False)["inplane_mm"] == 0.5


def test_summary_counts_calls_and_flags_failed_bars() -> None:
    rows = [
        _row("LVO", "LVO", dice=0.9, vol=(100, 110)),
        _row("LVO", "MeVO", dice=0.7, vol=(200, 210)),
        _row("MeVO", "MeVO", dice=0.85, vol=(50, 45)),
        _row("LVO", "LVO", dice=0.0, vol=(60, 80)),  # a right call from somewhere else
        _row("none", "none", dice=None, vol=(0, 0), calc=True),
        _row("none", "MeVO", dice=None, vol=(30, 0), calc=True),
    ]
    s = summarise(rows)
    assert s["n"] == 6 and s["n_positive"] == 4
    assert s["median_dice"] == pytest.approx(0.775)
    assert s["median_abs_length_error_mm"] == pytest.approx(1.5)
    assert s["lvo_sensitivity"] == pytest.approx(2 / 3)
    assert s["lvo_sensitivity_at_clot"] == pytest.approx(1 / 3)  # its mask misses the clot
    assert s["lvo_specificity"] == pytest.approx(1.0)
    assert s["occlusion_sensitivity"] == pytest.approx(1.0)
    assert s["occlusion_sensitivity_at_clot"] == pytest.approx(0.75)
    assert s["occlusion_specificity"] == pytest.approx(0.5)
    lo, hi = s["occlusion_specificity_ci95"]
    assert 0.0 < lo < 0.5 < hi < 1.0
    assert s["calcification_only_cases"] == 2 and s["calcification_only_with_thrombus"] == 1
    text = table(s)
    assert "lvo_sensitivity" in text and "95% CI" in text
    failed = {line.split()[0] for line in text.splitlines() if line.endswith("NO")}
    assert failed == {
        "median_dice",
        "lvo_sensitivity_at_clot",
        "occlusion_sensitivity_at_clot",
        "occlusion_specificity",
        "calcification_only_with_thrombus",
    }


def _thrombus(segment: str, lvo: bool, overlap: float) -> dict[str, Any]:
    return {"segment": segment, "lvo": lvo, "truth_overlap_mm3": overlap}


def test_at_the_clot_is_read_on_the_thrombus_that_makes_the_call() -> None:
    lucky = _row("LVO", "LVO", dice=0.3, vol=(200, 100))
    lucky["pred_thrombi"] = [_thrombus("ICA", True, 0.0), _thrombus("M2", False, 40.0)]
    found = _row("LVO", "LVO", dice=0.3, vol=(200, 100))
    found["pred_thrombi"] = [_thrombus("ICA", True, 0.0), _thrombus("M1", True, 40.0)]
    assert not at_clot(lucky, lvo=True) and at_clot(lucky)  # the M2 piece is at the clot
    assert at_clot(found, lvo=True)
    s = summarise([lucky, found])
    assert s["lvo_sensitivity"] == 1.0 and s["lvo_sensitivity_at_clot"] == 0.5
    assert s["occlusion_sensitivity_at_clot"] == 1.0
    older = _row("LVO", "LVO", dice=0.3, vol=(200, 100))  # no per-thrombus overlaps
    assert at_clot(older, lvo=True) and not at_clot({**older, "dice": 0.0}, lvo=True)


def test_each_thrombus_gets_the_clot_volume_inside_its_own_component() -> None:
    geom = Geometry((20, 20, 40), (0.5, 0.5, 0.5))
    pred = np.zeros(geom.shape, bool)
    pred[8:12, 8:12, 2:10] = True  # far left: a false find
    pred[8:12, 8:12, 25:35] = True  # far right: on the clot
    truth = np.zeros(geom.shape, bool)
    truth[9:11, 9:11, 28:38] = True

    def thrombus(label: int, i0: int, i1: int) -> Thrombus:
        centre = geom.index_to_lps((9.5, 9.5, (i0 + i1 - 1) / 2))
        c = tuple(float(v) for v in centre)
        return Thrombus(label, 1.0, 1.0, 1.0, 60.0, 5.0, 80.0, 20.0, 1.4, "left", c, "M1", 0.9)  # type: ignore[arg-type]

    result = ThrombusResult(
        (thrombus(1, 25, 35), thrombus(2, 2, 10)), True, True, "LVO",
        Mask(pred, geom, "thrombus"), None, None, "stand-in", {}, "rule",
    )  # fmt: skip
    overlap = thrombus_overlaps(result, Mask(truth, geom, "truth"))
    assert overlap == [pytest.approx(2 * 2 * 7 * 0.125), 0.0]
    assert thrombus_overlaps(result, None) == [0.0, 0.0]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--n", "2"], "--n 2: at least 4 pairs"),
        (["--models", "/nonexistent/models", "--n", "4", "--quick"], "no manifest.json"),
    ],
)
def test_cli_bad_input_is_one_line(
    argv: list[str], message: str, tmp_path: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    from strokescope.cli import main

    out = tmp_path / "eval.json"
    assert main(["evaluate", *argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("strokescope evaluate: error:") and message in err
    assert "\n" not in err and not out.exists()


def test_cli_help_names_the_seed_blocks_the_harness_uses(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # the CLI cannot import these constants (it must stay free of numpy), so it spells them
    from strokescope.cli import main

    with pytest.raises(SystemExit):
        main(["evaluate", "--help"])
    help_text = capsys.readouterr().out
    assert f"{HELD_OUT_SEED0}" in help_text and f"{CALIBRATION_SEED0}" in help_text
    from strokescope.thrombus.shifts import SUITES

    flat = re.sub(r"-\s+", "-", " ".join(help_text.split()))  # argparse wraps at hyphens
    assert [s for s in SUITES if s not in flat] == []  # the help names every suite


def test_shift_suites_change_one_thing_on_the_held_out_cases() -> None:
    from strokescope.thrombus.shifts import SHIFTS, SUITES, suite_options

    assert len(SUITES) >= 13 and {"family-b", "in-distribution", "posterior"} <= set(SUITES)
    base = case_options(5, quick=False)
    for suite in SHIFTS:
        opts = suite_options(suite, 5, quick=False, seed0=HELD_OUT_SEED0)
        changed = {k for k in opts if opts[k] != base.get(k)}
        assert opts["seed"] == base["seed"]  # paired with in-distribution
        assert (changed == set()) == (suite == "in-distribution"), suite
    assert suite_options("noise-x3", 0, quick=False, seed0=HELD_OUT_SEED0)["noise_hu"] == 12.0
    lumen = [
        suite_options("low-contrast-cta", i, quick=False, seed0=HELD_OUT_SEED0)["cta_lumen_hu"]
        for i in range(20)
    ]
    assert min(lumen) >= 150.0 and max(lumen) <= 200.0
    sites = [
        suite_options("posterior", i, quick=False, seed0=HELD_OUT_SEED0)["occlusion"]
        for i in range(4)
    ]
    assert sites == ["basilar", "P1", "basilar", "none"]
    cuts = [
        suite_options("ncct-shorter", i, quick=False, seed0=HELD_OUT_SEED0)["ncct_short_mm"]
        for i in range(12)
    ]
    assert cuts == [15.0] * 4 + [25.0] * 4 + [35.0] * 4  # every site under every cut


def test_suite_bars_follow_the_issue() -> None:
    from strokescope.thrombus.shifts import suite_bars

    assert suite_bars("family-b")["median_dice"] == (">=", 0.75)
    assert suite_bars("family-b")["calcification_only_with_thrombus"] == ("<=", 0)
    assert suite_bars("noise-x3")["median_dice"] == (">=", 0.60)
    assert suite_bars("motion-3mm") == {
        "median_dice": (">=", 0.70),
        "lvo_sensitivity_at_clot": (">=", 0.90),
        "lvo_specificity": (">=", 0.90),
    }


def test_posterior_case_has_a_basilar_clot_in_the_truth() -> None:
    from strokescope.thrombus.shifts import make_case

    case = make_case("posterior", 0, quick=True, seed0=HELD_OUT_SEED0)
    assert case.occlusion == "basilar" and case.truth_class == "LVO"
    assert case.truth_mask is not None and case.truth_mask.voxel_count > 0


def test_cli_unknown_suite_is_one_line(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    from strokescope.cli import main

    out = tmp_path / "eval.json"
    assert main(["evaluate", "--suite", "nope", "--n", "4", "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert "--suite nope: unknown suite" in err and "\n" not in err and not out.exists()


def test_a_resumed_evaluation_reuses_cases_only_under_the_same_networks_and_rules() -> None:
    """The resume key of the evaluation benchmarks changes with a network or with any
    decision rule (the segment rule's A1/P1 branch once shared a key with the shipped
    rules), and not with the model card."""
    shipped = load_models()
    key = models_key(shipped)
    assert models_key(load_models()) == key
    medial = shipped.rules.a1p1_max_medial_mm
    branch = replace(
        shipped, rules=replace(shipped.rules, a1p1_max_medial_mm=9.0 if medial == 10.0 else 10.0)
    )
    retrained = replace(shipped, sha256=shipped.sha256 | {"thrombus_fine.onnx": "0" * 64})
    card = replace(shipped, sha256=shipped.sha256 | {"MODEL_CARD.md": "0" * 64})
    assert models_key(branch) != key and models_key(retrained) != key
    assert models_key(card) == key


def test_a_block_run_in_parts_is_the_block(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--first`` draws the cases by their place in the block (the options depend on the
    index, not on the seed alone), and the parts pool into the block's summary."""
    import json
    from types import SimpleNamespace

    from strokescope.cli import main
    from strokescope.errors import InputError
    from strokescope.thrombus import phantom_evaluation as pe

    drawn: list[tuple[int, int]] = []

    def fake_case(suite: str, i: int, *, quick: bool, seed0: int) -> Any:
        drawn.append((i, seed0))
        return SimpleNamespace(i=i, seed=seed0 + i, options=case_options(i, quick=quick))

    def fake_eval(case: Any, *, models: str | None) -> dict[str, Any]:
        truth = "none" if case.options["occlusion"] == "none" else "LVO"
        vol = (9.0 + case.i, 10.0 + 2 * case.i)
        return {**_row(truth, truth, dice=0.8 if truth != "none" else None, vol=vol),
                "seed": case.seed, "side": case.options["side"]}  # fmt: skip

    monkeypatch.setattr(pe, "make_case", fake_case)
    monkeypatch.setattr(pe, "evaluate_case", fake_eval)
    monkeypatch.setattr("strokescope.thrombus.model.load_models", lambda *_: None)
    a, b, whole = (tmp_path / f"{n}.json" for n in ("a", "b", "whole"))
    assert main(["evaluate", "--n", "4", "--out", str(a)]) == 0
    assert main(["evaluate", "--first", "4", "--n", "4", "--out", str(b)]) == 0
    assert main(["evaluate", "--n", "8", "--out", str(whole)]) == 0
    assert [i for i, _ in drawn] == [0, 1, 2, 3, 4, 5, 6, 7, *range(8)]
    parts = [json.loads(p.read_text()) for p in (b, a)]
    assert parts[0]["seeds"] == [HELD_OUT_SEED0 + 4, HELD_OUT_SEED0 + 7] and parts[0]["first"] == 4
    joined, block = pe.pooled(parts), json.loads(whole.read_text())
    assert joined["cases"] == block["cases"] and joined["summary"] == block["summary"]
    assert joined["seeds"] == block["seeds"] and joined["first"] == 0
    # the second half's sides are those of the block's cases 4-7, not of a block at 900004
    assert [r["side"] for r in parts[0]["cases"]] == ["right"] * 4
    with pytest.raises(InputError, match="overlap"):
        pe.pooled([parts[1], parts[1]])
    with pytest.raises(InputError, match="models"):
        pe.pooled([parts[1], {**parts[0], "models": "other"}])
    assert main(["evaluate", "--first", "-1", "--n", "4", "--out", str(a)]) == 2
    assert "--first -1" in capsys.readouterr().err
