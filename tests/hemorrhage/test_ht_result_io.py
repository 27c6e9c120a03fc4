"""An HT result read back from its export: the same fields (to the document's precision),
the same mask, and one-line errors for a missing or garbled document."""

from __future__ import annotations

import json
import shutil
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from ht_cases import make_case

from strokescope import pipeline
from strokescope.errors import InputError
from strokescope.hemorrhage import HemorrhageResult
from strokescope.volume import Mask

AIR_BOX = "z=11:12 y=114:118 x=64:68"
"""A box in normal brain, far from the bleed: no voxel in the initial window, no rule."""
PRECISION = 0.005
"""The coarsest rounding of the document (HU, mm and mm2 to 0.01)."""


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[HemorrhageResult, Path]:
    """A click on a small PH phantom and a typed box in normal brain, measured and exported."""
    case = make_case(seed=13, shape=(24, 192, 192), semi_mm=(8.0, 12.0, 10.0))
    k, j, i = case.centre_index
    result = pipeline.measure_hemorrhage_text(
        case.ncct, rois=[AIR_BOX], clicks=[f"z={k} y={j} x={i}"]
    )
    out = tmp_path_factory.mktemp("export")
    return result, pipeline.export_results(out, source=case.ncct, hemorrhage=result).folder


def _assert_close(back: Any, want: Any, where: str) -> None:
    """Field by field: floats within :data:`PRECISION`, masks voxel for voxel, the rest equal."""
    if isinstance(want, Mask):
        assert isinstance(back, Mask), where
        assert np.array_equal(back.array, want.array), where
        assert back.geometry.same_grid(want.geometry) and back.name == want.name, where
    elif is_dataclass(want) and not isinstance(want, type):
        assert type(back) is type(want), where
        for f in fields(want):
            _assert_close(getattr(back, f.name), getattr(want, f.name), f"{where}.{f.name}")
    elif isinstance(want, tuple | list):
        assert type(back) is type(want) and len(back) == len(want), where
        for n, (b, w) in enumerate(zip(back, want, strict=True)):
            _assert_close(b, w, f"{where}[{n}]")
    elif isinstance(want, float):
        assert isinstance(back, float) and back == pytest.approx(want, abs=PRECISION), where
    else:
        assert back == want, where


def test_read_back_equals_the_measured_result(exported: tuple[HemorrhageResult, Path]) -> None:
    result, folder = exported
    back = pipeline.read_hemorrhage_results(folder)
    assert result.volume_ml > 1.0 and len(result.rois) == 2, "a bleed and the empty box"
    assert result.rois[0].rule is None and result.rois[1].roi.seed is not None
    for f in fields(HemorrhageResult):
        if f.name != "global_mask":
            _assert_close(getattr(back, f.name), getattr(result, f.name), f.name)
    assert back.global_mask is None  # not exported: its volume and ABC/2 are
    assert [r.roi.seed for r in back.rois] == [r.roi.seed for r in result.rois]
    assert back.rois[1].rule is result.rois[1].rule  # the Table 1 row itself
    assert back.to_dict() == result.to_dict()  # every stored number exactly as written
    assert back.impression() == result.impression()
    verbose = pipeline.format_hemorrhage(back, verbose=True)
    assert verbose == pipeline.format_hemorrhage(result, verbose=True)
    assert back.mask.volume_ml == pytest.approx(result.mask.volume_ml, rel=1e-6)


def test_a_document_from_before_schema_1_4_reads_back(
    exported: tuple[HemorrhageResult, Path], tmp_path: Path
) -> None:
    """No seed per box, nor the lesion and dropped volumes (before ABC/2 on the lesion)."""
    result, folder = exported
    old = tmp_path / "old"
    shutil.copytree(folder, old)
    doc = json.loads((old / "results.json").read_text())
    h = doc["hemorrhage"]
    for r in h["rois"]:
        del r["seed"], r["dropped_ml"], r["dropped_components"], r["global_dropped_ml"]
    del h["abc2"]["lesion_ml"], h["global_abc2"]["lesion_ml"]
    (old / "results.json").write_text(json.dumps({**doc, "schema_version": "1.3"}))
    back = pipeline.read_hemorrhage_results(old)
    assert [r.roi for r in back.rois] == [r.roi for r in result.rois]
    assert all(r.roi.seed is None and r.dropped_components == 0 for r in back.rois)
    assert back.abc2 is not None and back.abc2.lesion_ml == h["volume_ml"]
    assert back.impression() == result.impression()


def _one_line_error(folder: Path, match: str) -> None:
    with pytest.raises(InputError, match=match) as err:
        pipeline.read_hemorrhage_results(folder)
    assert "\n" not in str(err.value)


def test_missing_or_garbled_documents_are_one_line_errors(
    exported: tuple[HemorrhageResult, Path], tmp_path: Path
) -> None:
    _, folder = exported
    _one_line_error(tmp_path, "not a results folder")
    (tmp_path / "results.json").write_text('{"schema_version": "1.4", "hemorr')
    _one_line_error(tmp_path, "cannot read the results")
    broken = tmp_path / "broken"
    shutil.copytree(folder, broken)
    doc = json.loads((folder / "results.json").read_text())
    h = doc["hemorrhage"]
    garbled_roi = {**h["rois"][1], "roi": "z=banana"}
    for change, message in (
        ({"schema_version": "2.0"}, "schema 2.0 is not 1.x"),
        ({"hemorrhage": None}, "no hemorrhage result"),
        ({"files": {**doc["files"], "masks": ["thrombus_mask.nii.gz"]}}, "no hemorrhage mask"),
        ({"hemorrhage": {**h, "rois": [garbled_roi]}}, "incomplete hemorrhage result"),
        ({"hemorrhage": {**h, "rois": [{**h["rois"][1], "rule": "SD > 99"}]}}, "incomplete"),
        ({"hemorrhage": {**h, "abc2": {"a_mm": 1.0}}}, "incomplete hemorrhage result"),
        ({"hemorrhage": {k: v for k, v in h.items() if k != "volume_ml"}}, "incomplete"),
    ):
        (broken / "results.json").write_text(json.dumps({**doc, **change}))
        _one_line_error(broken, message)
    (broken / "results.json").write_text(json.dumps(doc))
    (broken / "hemorrhage_mask.nii.gz").write_bytes(b"not a NIfTI file")
    _one_line_error(broken, "cannot read the hemorrhage mask")
    (broken / "hemorrhage_mask.nii.gz").unlink()
    _one_line_error(broken, "cannot read the hemorrhage mask")
