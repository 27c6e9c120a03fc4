"""``python -m training.candidate_model``: candidates collected with their truth, the model
fitted on a training block and its threshold set on a calibration block."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from strokescope.resources import models_dir
from strokescope.thrombus.candidate_features import FEATURES
from strokescope.thrombus.rules import rules_from_manifest
from training import candidate_model as tool


def _rows(path: Path, seed: int, cases: int) -> None:
    """Candidates of ``cases`` cases: clots show lumen in line and a missing artery, false
    candidates neither; the other features are noise."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(cases):
        for clot in (True, False, False):
            f = {name: float(rng.normal()) for name in FEATURES}
            f["inline_lumen"] = float(rng.normal(0.6 if clot else 0.1, 0.15))
            f["missing_artery"] = float(rng.normal(0.4 if clot else 0.0, 0.15))
            overlap = float(rng.uniform(0.5, 1.0)) if clot else float(rng.uniform(0.0, 0.2))
            rows.append({"i": i, "scan_only": bool(i % 2), "overlap": overlap, "features": f})
        rows.append({"i": i, "empty": True})
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "models"
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({"decision": {"fine_scan": True}}))
    return folder


@pytest.mark.parametrize("scope", ["all", "scan_only"])
def test_fit_learns_the_signs_and_sets_the_threshold_on_the_calibration_block(
    tmp_path: Path, scope: str, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = _folder(tmp_path)
    _rows(tmp_path / "train.jsonl", seed=1, cases=60)
    _rows(tmp_path / "cal.jsonl", seed=2, cases=10)
    args = ["fit", "--models", str(folder), "--train", str(tmp_path / "train.jsonl")]
    args += ["--calibration", str(tmp_path / "cal.jsonl"), "--scope", scope]
    assert tool.main(args) == 0
    manifest = json.loads((folder / "manifest.json").read_text())
    model = rules_from_manifest(manifest["decision"]).candidate_model
    assert model is not None and model.scope == scope
    fit = manifest["candidate_model_fit"]
    assert fit["cross_validated_auc_by_case"] >= 0.95
    assert fit["training_candidates"] == 180  # fitted on all, whatever the scope
    weights = dict(zip(model.features, model.weights, strict=True))
    assert weights["inline_lumen"] > 0 and weights["missing_artery"] > 0
    cal = [json.loads(line) for line in (tmp_path / "cal.jsonl").read_text().splitlines()]
    clots = [
        model.probability(r["features"])
        for r in cal
        if "features" in r
        and r["overlap"] >= tool.CLOT_OVERLAP
        and (scope == "all" or r["scan_only"])
    ]
    assert model.threshold == pytest.approx(0.9 * min(clots), abs=1e-4)
    assert "cross_validated_auc_by_case" in capsys.readouterr().out


def test_fit_refuses_too_few_candidates(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    _rows(tmp_path / "train.jsonl", seed=1, cases=3)
    args = ["fit", "--models", str(folder), "--train", str(tmp_path / "train.jsonl")]
    with pytest.raises(SystemExit, match="too few candidates"):
        tool.main([*args, "--calibration", str(tmp_path / "train.jsonl")])
    assert "candidate_model" not in json.loads((folder / "manifest.json").read_text())["decision"]


def test_collect_records_each_candidate_with_its_truth_and_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from strokescope.thrombus.shifts import make_case

    made: list[int] = []

    def small_case(block: str, suite: str, i: int) -> Any:
        made.append(i)
        return make_case("in-distribution", i, quick=True, seed0=800_000)

    monkeypatch.setattr(tool, "_case", small_case)
    out = tmp_path / "cand.jsonl"
    args = ["collect", "--models", str(models_dir()), "--block", "calibration", "--n", "2"]
    assert tool.main([*args, "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert {r["i"] for r in rows} == {0, 1}
    clots = [r for r in rows if "features" in r]
    assert clots, "case 0 holds an ICA clot the shipped networks find"
    assert max(r["overlap"] for r in clots if r["i"] == 0) >= tool.CLOT_OVERLAP
    assert all(set(r["features"]) == set(FEATURES) and not r["scan_only"] for r in clots)
    assert tool.main([*args, "--out", str(out)]) == 0  # nothing left to do
    assert made == [0, 1]


def test_the_shifted_block_draws_like_the_evaluation_blocks_from_its_own_seeds() -> None:
    from strokescope.thrombus.phantom_evaluation import CALIBRATION_SEED0, HELD_OUT_SEED0

    opts = [tool._shifted_options(i) for i in range(70)]
    assert opts[3] == tool._shifted_options(3)  # seeded
    seeds = {o["seed"] for o in opts}
    assert len(seeds) == 70
    assert not seeds & set(range(CALIBRATION_SEED0, CALIBRATION_SEED0 + 100))
    assert not seeds & set(range(HELD_OUT_SEED0, HELD_OUT_SEED0 + 100))
    occlusions = [o["occlusion"] for o in opts]
    assert {"basilar", "P1", "ICA", "M1", "M2", "none"} <= set(occlusions)
    assert 0.3 <= np.mean([o["sah"] for o in opts]) <= 0.7
    shifted = [o for o in opts if {"noise_hu", "kernel", "hu_offset", "veins"} & set(o)]
    assert 5 <= len(shifted) < 70  # one shift each, drawn among the suites (none included)
