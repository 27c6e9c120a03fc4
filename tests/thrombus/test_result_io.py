"""A thrombus result read back from its export: the same fields, the same mask."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from strokescope import pipeline
from strokescope.errors import InputError
from strokescope.resources import models_dir
from strokescope.thrombus import ThrombusResult


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[ThrombusResult, Path]:
    """The shipped model on a left M1 phantom (160 x 256 x 256 at 1 x 0.9 x 0.9 mm), exported.

    Not the 1.8 mm ``small()`` grid: there the CTA cannot resolve the M1's lumen, the clot
    shows no CTA sign of occlusion, and the shipped sign rule drops it."""
    from strokescope.phantom import PhantomOptions, generate_study

    if not (models_dir() / "manifest.json").is_file():
        pytest.skip("no thrombus model in models_onnx/")
    grid = {"matrix": 256, "inplane_mm": 0.9, "slice_mm": 1.0, "slices": 160}
    study = generate_study(PhantomOptions(seed=3, **grid))
    assert study.cta is not None
    result = pipeline.analyze_thrombus(study.ncct, study.cta, device="cpu", threads=2)
    out = tmp_path_factory.mktemp("export")
    manifest = pipeline.export_results(out, source=study.cta, thrombus=result)
    return result, manifest.folder


def test_read_back_equals_the_analysed_result(exported: tuple[ThrombusResult, Path]) -> None:
    result, folder = exported
    back = pipeline.read_thrombus_results(folder)
    assert result.thrombi, "the phantom clot should be found (the test compares records)"
    assert back.thrombi == result.thrombi
    for name in ("occlusion", "lvo", "occlusion_class", "registration_metric", "model_version"):
        assert getattr(back, name) == getattr(result, name), name
    assert back.model_sha256 == result.model_sha256
    assert back.decision_rule == result.decision_rule
    assert back.seconds == result.seconds
    assert back.warnings == result.warnings
    assert back.not_assessed_reason == result.not_assessed_reason
    assert back.research_use == result.research_use
    assert back.impression() == result.impression()
    # NIfTI stores the spacing in float32: the volume agrees to float32 precision.
    assert back.mask.volume_mm3 == pytest.approx(result.mask.volume_mm3, rel=1e-6)
    without_volume = {k: v for k, v in result.to_dict().items() if k != "total_volume_mm3"}
    assert {k: v for k, v in back.to_dict().items() if k != "total_volume_mm3"} == without_volume
    assert np.array_equal(back.mask.array, result.mask.array)
    assert back.mask.geometry.same_grid(result.mask.geometry)
    assert back.mask.name == "thrombus"
    # The registration's motion (schema 1.4): the viewer's "NCCT on CTA grid" needs it.
    assert result.cta_to_ncct is not None and back.cta_to_ncct is not None
    assert back.cta_to_ncct.dtype == np.float64
    assert np.array_equal(back.cta_to_ncct, result.cta_to_ncct)  # bit for bit through JSON
    assert all(t.cta_lumen_in_line is not None for t in back.thrombi)


def _older_copy(
    folder: Path, tmp_path: Path, edit: Callable[[dict[str, Any]], dict[str, Any]]
) -> Path:
    """A copy of the results folder whose results.json ``edit`` turned into an older one."""
    old = tmp_path / "old"
    shutil.copytree(folder, old)
    doc = edit(json.loads((old / "results.json").read_text()))
    (old / "results.json").write_text(json.dumps(doc))
    return old


def test_a_document_from_before_the_cta_signs_reads_back(
    exported: tuple[ThrombusResult, Path], tmp_path: Path
) -> None:
    """results.json written before the thrombi carried their CTA signs (schema 1.x)."""

    def without_signs(doc: dict[str, Any]) -> dict[str, Any]:
        for t in doc["thrombus"]["thrombi"]:
            del t["cta_lumen_in_line"], t["cta_missing_artery"]
        return doc

    back = pipeline.read_thrombus_results(_older_copy(exported[1], tmp_path, without_signs))
    assert back.thrombi and all(t.cta_lumen_in_line is None for t in back.thrombi)
    assert not any(t.occlusion_sign_missing() for t in back.thrombi)  # not measured: no verdict


def test_a_document_from_before_the_motion_reads_back_without_it(
    exported: tuple[ThrombusResult, Path], tmp_path: Path
) -> None:
    """results.json of schema 1.3 and older holds no ``cta_to_ncct``: no NCCT on CTA grid."""

    def without_motion(doc: dict[str, Any]) -> dict[str, Any]:
        del doc["thrombus"]["cta_to_ncct"]
        return {**doc, "schema_version": "1.3"}

    result, folder = exported
    back = pipeline.read_thrombus_results(_older_copy(folder, tmp_path, without_motion))
    assert back.cta_to_ncct is None and back.thrombi == result.thrombi


def test_unknown_major_version_and_missing_parts_are_one_line_errors(
    exported: tuple[ThrombusResult, Path], tmp_path: Path
) -> None:
    _, folder = exported
    with pytest.raises(InputError, match="not a results folder"):
        pipeline.read_thrombus_results(tmp_path)
    doc = json.loads((folder / "results.json").read_text())
    for change, message in (
        ({"schema_version": "2.0"}, "schema 2.0 is not 1.x"),
        ({"thrombus": None}, "no thrombus result"),
        ({"files": {**doc["files"], "masks": []}}, "no thrombus mask"),
        ({"thrombus": {**doc["thrombus"], "thrombi": [{"label": 1}]}}, "incomplete"),
        ({"thrombus": {**doc["thrombus"], "cta_to_ncct": [[1.0, 0.0]]}}, "not a finite 4x4"),
    ):
        (tmp_path / "results.json").write_text(json.dumps({**doc, **change}))
        with pytest.raises(InputError, match=message):
            pipeline.read_thrombus_results(tmp_path)
    (tmp_path / "results.json").write_text(json.dumps(doc))
    with pytest.raises(InputError, match="cannot read the thrombus mask"):
        pipeline.read_thrombus_results(tmp_path)  # the NIfTI is not there


def test_a_not_assessed_result_reads_back_not_assessed(tmp_path: Path) -> None:
    from strokescope.phantom import PhantomOptions, generate_study

    if not (models_dir() / "manifest.json").is_file():
        pytest.skip("no thrombus model in models_onnx/")
    ncct = generate_study(PhantomOptions(seed=5, cta=False).small()).ncct
    result = pipeline.analyze_thrombus(ncct, None, device="cpu", threads=1)
    folder = pipeline.export_results(tmp_path, source=ncct, thrombus=result).folder
    back = pipeline.read_thrombus_results(folder)
    assert not back.assessed and back.occlusion_class == "not assessed"
    assert back.not_assessed_reason == result.not_assessed_reason
    assert back.impression() == result.impression()
    assert back.thrombi == () and back.mask.voxel_count == 0
    assert back.mask.geometry.same_grid(ncct.geometry)
