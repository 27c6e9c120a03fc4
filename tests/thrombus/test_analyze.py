"""analyze_thrombus end to end through onnxruntime with tiny untrained models."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
from phantoms import small_study

from strokescope.pipeline import analyze_thrombus, registered_ncct
from strokescope.thrombus.report_text import format_result


def test_quiet_model_reports_nothing_and_warns_on_blood(tiny_models: Path) -> None:
    study = small_study(31, "M1", sah=True, motion_mm=3.0)
    steps: list[float] = []
    result = analyze_thrombus(
        study.ncct, study.cta, models=tiny_models, device="cpu", on_progress=steps.append
    )
    assert not result.occlusion and result.thrombi == () and result.occlusion_class == "none"
    assert any(w.startswith("hyperdense blood found") for w in result.warnings)
    assert result.cta_to_ncct is not None  # the 3 mm motion, recovered
    assert 1.5 < float(np.linalg.norm(result.cta_to_ncct[:3, 3])) < 4.5
    shown = registered_ncct(study.ncct, result)
    assert shown is not None and shown.geometry.same_grid(study.cta.geometry)
    assert result.registration_metric is not None and result.registration_metric < -0.35
    assert steps[0] == 0.0 and steps[-1] == 1.0 and steps == sorted(steps)
    assert result.to_dict()["model_version"] == "0.0.0+test"
    short, verbose = format_result(result), format_result(result, verbose=True)
    assert short.startswith("Impression: No occlusion found on NCCT + CTA")
    assert "Rule:" not in short and "Seconds:" not in short  # method detail is --verbose
    assert verbose.startswith(short) and "Method and provenance:" in verbose
    assert "Rule:" in verbose and "Registration metric" in verbose


def test_no_blood_warning_without_blood(tiny_models: Path) -> None:
    study = small_study(32, "M1", calcification=True)
    result = analyze_thrombus(study.ncct, study.cta, models=tiny_models)
    assert not any("hyperdense blood" in w for w in result.warnings)


def test_missing_cta_and_thick_slices_warn(tiny_models: Path) -> None:
    study = small_study(31, "M1", sah=True, motion_mm=3.0)
    thick = study.ncct.with_warnings()
    thick = type(thick)(thick.array, thick.geometry, replace(thick.meta, slice_thickness_mm=5.0))
    result = analyze_thrombus(thick, None, models=tiny_models)
    text = " | ".join(result.warnings)
    assert "no CTA" in text and "5.0 mm > 2.5 mm" in text
    assert not result.occlusion and not result.assessed
    assert result.occlusion_class == "not assessed" and result.to_dict()["assessed"] is False
    assert "NOT ASSESSED" in format_result(result)


def test_busy_model_output_is_not_measured_as_a_clot(tiny_models_busy: Path) -> None:
    study = small_study(33, "none", inplane_mm=2.0, matrix=100, slice_mm=2.0)
    result = analyze_thrombus(study.ncct, study.cta, models=tiny_models_busy)
    assert all(t.volume_mm3 <= 5000 for t in result.thrombi)
