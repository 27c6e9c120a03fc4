"""The basilar second look through the whole analysis: networks that find nothing, a basilar
clot in subarachnoid blood, and the rule on and off."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from phantoms import small_study

from strokescope.pipeline import analyze_thrombus
from strokescope.thrombus.report_text import format_result


@pytest.fixture(scope="module")
def looking_models(tiny_models: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The quiet tiny models (their coarse stage finds nothing) with the second look on."""
    out = tmp_path_factory.mktemp("models_second_look") / "models"
    shutil.copytree(tiny_models, out)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    manifest["decision"]["basilar_second_look"] = True
    (out / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return out


def _study(sah: bool = True):  # type: ignore[no-untyped-def]
    """A 1 mm head with the phantom's own noise (at 3 HU the two posterior cerebral paths of
    this head share only 6 mm, which ``BASILAR_MIN_MM`` does not read as a basilar)."""
    return small_study(1_000_010, "basilar", sah=sah, noise_hu=4.0)


def test_the_second_look_finds_the_basilar_clot_the_networks_miss(looking_models: Path) -> None:
    study = _study()
    result = analyze_thrombus(study.ncct, study.cta, models=looking_models)
    assert result.lvo and result.occlusion_class == "LVO"
    (th,) = result.thrombi
    assert th.found_by == "basilar profile" and th.segment == "basilar" and th.side == "midline"
    assert th.probability_mean == 0.0 and th.volume_mm3 >= 10.0
    truth = study.masks["thrombus"].array
    assert (result.mask.array & truth).sum() > 0.5 * result.mask.array.sum()  # mostly clot
    assert any("second look at the basilar artery" in w for w in result.warnings)
    assert any("hyperdense blood found" in w for w in result.warnings)
    assert "basilar_second_look" not in result.decision_rule  # described in words
    assert "traced basilar artery" in result.decision_rule
    assert result.to_dict()["thrombi"][0]["found_by"] == "basilar profile"
    assert "[found by the basilar profile]" in format_result(result)


def test_without_the_rule_the_same_head_is_negative(tiny_models: Path) -> None:
    study = _study()
    result = analyze_thrombus(study.ncct, study.cta, models=tiny_models)
    assert not result.occlusion and result.thrombi == ()
    assert "basilar_second_look" not in result.seconds


def test_without_blood_the_second_look_does_not_run(looking_models: Path) -> None:
    """The networks find basilar clots outside blood: the second look runs only where the
    blood warning is given (the head above gives it; this one, without the blood, not)."""
    study = _study(sah=False)
    result = analyze_thrombus(study.ncct, study.cta, models=looking_models)
    assert not any("hyperdense blood found" in w for w in result.warnings)
    assert "basilar_second_look" not in result.seconds
    assert result.thrombi == ()
