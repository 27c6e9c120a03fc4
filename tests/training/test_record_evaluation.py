"""training.record_evaluation: calibrated rules and held-out metrics land in manifest + card."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from training.config import DecisionRules, tiny_stages
from training.manifest import write_manifest, write_model_card
from training.network import ThrombusUNet
from training.onnx_export import export_stage
from training.record_evaluation import CARD_MARKER, main

from strokescope.errors import ModelError
from strokescope.thrombus.model import load_models


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    torch.manual_seed(0)
    out = tmp_path / "models"
    out.mkdir()
    models = [
        export_stage(ThrombusUNet(s.network), s, out / f"thrombus_{s.name}.onnx")
        for s in tiny_stages()
    ]
    training = {"data": {"source": "phantoms", "description": "tiny"}}
    write_model_card(out, version="0.0.0+test", training=training, models=models)
    write_manifest(out, models, rules=DecisionRules(), training=training, version="0.0.0+test")
    return out


def _run(tmp_path: Path, seed0: int, held_out: bool) -> Path:
    summary = {"n": 40, "n_positive": 30, "median_dice": 0.81, "lvo_sensitivity": 1.0}
    path = tmp_path / f"eval_{seed0}.json"
    doc = {"seeds": [seed0, seed0 + 39], "held_out": held_out, "summary": summary}
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_rules_then_held_out_metrics_keep_the_folder_loadable(folder: Path, tmp_path: Path) -> None:
    calib = _run(tmp_path, 800000, held_out=False)
    held = _run(tmp_path, 900000, held_out=True)
    main(["--models", str(folder), "--set", "fine_probability_threshold=0.4",
          "--set", "lvo_min_volume_mm3=20", "--set", "fine_scan=false",
          "--set", "scan_max_tiles=12", "--set", "min_inline_lumen=0.2",
          "--calibration", str(calib)])  # fmt: skip
    models = load_models(folder, device="cpu")
    assert models.rules.min_inline_lumen == 0.2 and models.rules.min_missing_artery is None
    assert models.rules.uses_vessel_evidence
    assert models.rules.fine_probability_threshold == 0.4
    assert models.rules.lvo_min_volume_mm3 == 20.0
    assert models.rules.fine_scan is False and models.rules.scan_max_tiles == 12
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["decision"]["calibrated_on"]["seeds"] == [800000, 800039]
    assert manifest["held_out_metrics"]["values"] is None

    main(["--models", str(folder), "--held-out", str(held)])
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["held_out_metrics"]["values"]["median_dice"] == 0.81
    card = (folder / "MODEL_CARD.md").read_text()
    assert card.count(CARD_MARKER) == 1 and "median_dice" in card and "900000-900039" in card
    load_models(folder, device="cpu")  # the card's new checksum is in the manifest

    main(["--models", str(folder), "--set", "min_component_volume_mm3=5"])
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["held_out_metrics"]["values"] is None  # a rule change voids the run
    assert CARD_MARKER not in (folder / "MODEL_CARD.md").read_text()


def test_a_calibration_that_keeps_the_rules_is_recorded(folder: Path, tmp_path: Path) -> None:
    main(["--models", str(folder), "--held-out", str(_run(tmp_path, 900000, held_out=True))])
    main(["--models", str(folder), "--calibration", str(_run(tmp_path, 800000, held_out=False))])
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["decision"]["calibrated_on"]["seeds"] == [800000, 800039]
    assert manifest["decision"]["calibrated_on"]["changed"] == []
    assert manifest["held_out_metrics"]["values"]["median_dice"] == 0.81  # rules unchanged
    load_models(folder, device="cpu")


def test_bad_assignments_and_mixed_up_runs_are_refused(folder: Path, tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="NAME=VALUE"):
        main(["--models", str(folder), "--set", "threshold=0.4"])
    with pytest.raises(SystemExit, match="not a held-out run"):
        main(["--models", str(folder), "--held-out", str(_run(tmp_path, 800000, False))])
    (folder / "thrombus_fine.onnx").write_bytes(b"x")
    with pytest.raises(ModelError, match="sha256"):
        load_models(folder, device="cpu")


@pytest.mark.parametrize(
    "item",
    ["fine_probability_threshold=1.5", "min_component_volume_mm3=-1", "fine_scan=yes",
     "scan_max_tiles=-2", "scan_needs_cta_sign=true", "max_voxel_contrast_hu=10",
     "min_ncct_p90_above_brain_hu=-5", "a1p1_max_medial_mm=6", "a1p1_min_basilar_mm3=30"],
)  # fmt: skip
def test_an_invalid_rule_is_one_line_and_changes_nothing(folder: Path, item: str) -> None:
    before = (folder / "manifest.json").read_bytes()
    with pytest.raises(SystemExit, match=item.split("=")[0]):
        main(["--models", str(folder), "--set", item])
    assert (folder / "manifest.json").read_bytes() == before


def _suites_run(
    tmp_path: Path, *, quick: bool = False, names: tuple[str, ...] = ("in-distribution", "family-b")
) -> Path:
    from strokescope.thrombus.phantom_evaluation import bars_met, summarise
    from strokescope.thrombus.shifts import suite_bars

    rows = [
        {"truth_class": t, "pred_class": p, "pred_occlusion": p != "none", "pred_lvo": p == "LVO",
         "pred_volume_mm3": v, "truth_volume_mm3": v, "truth_length_mm": 10.0,
         "pred_length_mm": 11.0 if p != "none" else None, "dice": d, "calcification": False,
         "seconds": 1.0}
        for t, p, v, d in [("LVO", "LVO", 90.0, 0.8), ("MeVO", "MeVO", 40.0, 0.7),
                           ("LVO", "none", 100.0, 0.0), ("none", "none", 0.0, None)]
    ]  # fmt: skip
    suites = {}
    for name in names:
        summary = summarise(rows)
        suites[name] = {"summary": summary, "bars_met": bars_met(summary, suite_bars(name))}
    path = tmp_path / "shifts.json"
    doc = {"quick": quick, "n_per_suite": 4, "suites": suites}
    path.write_text(json.dumps(doc, default=float), encoding="utf-8")
    return path


def test_every_suite_lands_in_manifest_and_card_and_a_rule_change_voids_them(
    folder: Path, tmp_path: Path
) -> None:
    from training.record_evaluation import SUITES_MARKER

    main(["--models", str(folder), "--held-out", str(_run(tmp_path, 900000, held_out=True))])
    main(["--models", str(folder), "--suites", str(_suites_run(tmp_path))])
    manifest = json.loads((folder / "manifest.json").read_text())
    values = manifest["evaluation_suites"]["values"]
    assert set(values) == {"in-distribution", "family-b"}
    assert values["family-b"]["bars_met"]["lvo_sensitivity_at_clot"] is False  # 1 of 2 LVOs found
    card = (folder / "MODEL_CARD.md").read_text()
    assert card.count(SUITES_MARKER) == 1 and card.count(CARD_MARKER) == 1
    assert "family-b" in card and "NOT met" in card
    main(["--models", str(folder), "--suites", str(_suites_run(tmp_path))])  # replaced, not added
    assert (folder / "MODEL_CARD.md").read_text().count(SUITES_MARKER) == 1
    main(["--models", str(folder), "--suites", str(_suites_run(tmp_path, names=("noise-x3",)))])
    values = json.loads((folder / "manifest.json").read_text())["evaluation_suites"]["values"]
    assert list(values) == ["in-distribution", "family-b", "noise-x3"]  # a new suite joins
    card = (folder / "MODEL_CARD.md").read_text()
    assert card.count(SUITES_MARKER) == 1 and "family-b" in card and "noise-x3" in card
    other = _suites_run(tmp_path, names=("posterior",))
    doc = json.loads(other.read_text())
    other.write_text(json.dumps({**doc, "model_sha256": {"thrombus_fine.onnx": "0" * 64}}))
    main(["--models", str(folder), "--suites", str(other)])  # other networks: none is kept
    values = json.loads((folder / "manifest.json").read_text())["evaluation_suites"]["values"]
    assert list(values) == ["posterior"]
    load_models(folder, device="cpu")
    with pytest.raises(SystemExit, match="--quick smoke run"):
        main(["--models", str(folder), "--suites", str(_suites_run(tmp_path, quick=True))])
    main(["--models", str(folder), "--set", "min_component_volume_mm3=5"])
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["evaluation_suites"]["values"] is None
    card = (folder / "MODEL_CARD.md").read_text()
    assert SUITES_MARKER not in card and CARD_MARKER not in card


def test_rules_of_a_folder_with_a_candidate_model_can_be_changed(folder: Path) -> None:
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    model = {
        "features": ["inline_lumen"], "mean": [0.3], "scale": [0.2], "weights": [2.0],
        "intercept": 0.0, "threshold": 0.5, "scope": "all",
    }  # fmt: skip
    manifest["decision"]["candidate_model"] = model
    path.write_text(json.dumps(manifest), encoding="utf-8")
    main(["--models", str(folder), "--set", "extend_along_axis_mm=10"])
    rules = load_models(folder).rules
    assert rules.extend_along_axis_mm == 10.0
    assert rules.candidate_model is not None and rules.candidate_model.to_dict() == model
    manifest["decision"]["candidate_model"] = model | {"scale": [0.0]}
    path.write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(SystemExit, match="scale must be > 0"):
        main(["--models", str(folder), "--set", "extend_along_axis_mm=5"])


def test_held_out_parts_are_pooled_before_they_are_recorded(folder: Path, tmp_path: Path) -> None:
    from strokescope.thrombus.phantom_evaluation import summarise

    def row(seed: int, dice: float) -> dict[str, object]:
        return {"seed": seed, "truth_class": "LVO", "pred_class": "LVO", "pred_occlusion": True,
                "pred_lvo": True, "pred_volume_mm3": 90.0 + seed % 7, "truth_volume_mm3": 100.0,
                "truth_length_mm": 10.0, "pred_length_mm": 11.0, "dice": dice,
                "calcification": False, "seconds": 1.0}  # fmt: skip

    parts = []
    for first, dices in ((0, (0.9, 0.5)), (2, (0.7, 0.6))):
        rows = [row(900000 + first + k, d) for k, d in enumerate(dices)]
        doc = {"suite": "in-distribution", "held_out": True, "quick": False, "models": None,
               "first": first, "seeds": [rows[0]["seed"], rows[-1]["seed"]],
               "summary": summarise(rows), "cases": rows}  # fmt: skip
        parts.append(tmp_path / f"part{first}.json")
        parts[-1].write_text(json.dumps(doc), encoding="utf-8")
    main(["--models", str(folder), "--held-out", *map(str, parts[::-1])])
    held = json.loads((folder / "manifest.json").read_text())["held_out_metrics"]
    assert held["seeds"] == [900000, 900003]
    assert held["values"]["n"] == 4 and held["values"]["median_dice"] == pytest.approx(0.65)
    with pytest.raises(SystemExit, match="overlap"):
        main(["--models", str(folder), "--held-out", str(parts[0]), str(parts[0])])
