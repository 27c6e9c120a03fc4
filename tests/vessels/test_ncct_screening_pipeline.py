"""The NCCT-only screening inside the thrombus analysis: it runs when no CTA is given and
the model folder holds an arterial map, travels with the result, and is read back."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from strokescope import pipeline
from strokescope.outputs import RESULTS_SCHEMA
from strokescope.phantom import PhantomOptions, generate_study
from strokescope.resources import models_dir

pytest.importorskip("onnx")
from tests.schema_check import validate_schema
from tests.vessels.stand_in_map import sigmoid_model


@pytest.fixture(scope="module")
def ncct_only() -> object:
    return generate_study(PhantomOptions(seed=4, inplane_mm=2.0, matrix=96, slice_mm=2.5)).ncct


def test_without_an_arterial_map_nothing_is_screened(ncct_only: object, tmp_path: Path) -> None:
    folder = tmp_path / "models"
    shutil.copytree(models_dir(), folder)
    (folder / "arteries_ncct.json").unlink(missing_ok=True)
    result = pipeline.analyze_thrombus(ncct_only, None, models=folder, device="cpu", threads=1)  # type: ignore[arg-type]
    assert not result.assessed
    assert result.ncct_screening is None
    assert result.to_dict()["ncct_screening"] is None


def test_the_screening_runs_beside_not_assessed_and_is_read_back(
    ncct_only: object, tmp_path: Path
) -> None:
    folder = tmp_path / "models"
    shutil.copytree(models_dir(), folder)
    sigmoid_model(folder, threshold=0.6)
    result = pipeline.analyze_thrombus(ncct_only, None, models=folder, device="cpu", threads=1)  # type: ignore[arg-type]
    assert result.occlusion_class == "not assessed"  # the thrombus stays not assessed
    screening = result.ncct_screening
    assert screening is not None and not screening.flagged
    assert screening.map_version == "test"
    assert "NCCT-only screening" in result.impression()
    assert "CTA needed" in pipeline.format_thrombus(result)
    assert result.seconds["ncct_screening"] > 0
    out = pipeline.export_results(tmp_path / "out", source=ncct_only, thrombus=result)  # type: ignore[arg-type]
    doc = json.loads((out.folder / "results.json").read_text())
    validate_schema(doc, RESULTS_SCHEMA)
    assert doc["thrombus"]["ncct_screening"]["flagged"] is False
    back = pipeline.read_thrombus_results(out.folder)
    assert back.ncct_screening is not None
    assert back.ncct_screening.to_dict() == screening.to_dict()
    assert back.impression() == result.impression()
