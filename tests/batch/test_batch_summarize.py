"""``strokescope batch --summarize``: counts, distributions, agreement with the truth."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from batch_cases import copy_tree

from strokescope.batch.plot import bland_altman_svg
from strokescope.batch.record import CaseRecord, write_record
from strokescope.batch.run import BatchReport
from strokescope.batch.stats import summarize
from strokescope.errors import InputError


def test_summarize_a_batch_folder(
    serial_batch: BatchReport, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from strokescope.cli import main

    out = copy_tree(serial_batch.out_dir, tmp_path / "batch")
    assert main(["batch", "--summarize", str(out)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Research use only") and "phantom" in text.splitlines()[0]
    assert "cases: 3 (2 done, 1 failed)" in text
    assert "occlusion class: LVO 1, none 1" in text
    assert "thrombus_length_mm: n=1 median" in text
    assert "TP 1 FN 0 TN 1 FP 0" in text and "Dice: n=1" in text
    stats = json.loads((out / "cohort_stats.json").read_text())
    assert "not for diagnosis" in stats["research_use"].lower()
    assert stats["counts"]["failed"] == 1
    assert stats["agreement"]["volume_mm3"]["n"] == 2  # the negative study's 0 mm3 counts
    ET.fromstring((out / "bland_altman_volume_mm3.svg").read_text())


def _record(case_id: str, volume: float, truth: float) -> CaseRecord:
    thrombus = {
        "assessed": True,
        "occlusion_class": "LVO" if volume else "none",
        "total_volume_mm3": volume,
        "thrombi": [{"label": 1, "volume_mm3": volume, "length_mm": volume / 5}] if volume else [],
        "warnings": [],
    }
    return CaseRecord(
        case_id=case_id,
        status="done",
        thrombus=thrombus,
        seconds=2.0,
        model_version="m",
        truth={"truth_volume_mm3": str(truth), "truth_occlusion_class": "LVO" if truth else "none"},
    )


def test_agreement_uses_the_evaluation_functions(tmp_path: Path) -> None:
    for i, (v, t) in enumerate(
        [(100.0, 90.0), (50.0, 55.0), (0.0, 0.0), (80.0, 85.0), (0.0, 20.0)]
    ):
        write_record(tmp_path, _record(f"c{i}", v, t))
    text = summarize(tmp_path)
    stats = json.loads((tmp_path / "cohort_stats.json").read_text())
    volume = stats["agreement"]["volume_mm3"]
    assert volume["n"] == 5 and -1 <= volume["ccc"]["ccc"] <= 1
    assert volume["errors"]["mean_error"] == pytest.approx((10 - 5 + 0 - 5 - 20) / 5)
    assert stats["agreement"]["occlusion"]["fn"] == 1
    assert stats["distributions"]["total_volume_mm3"]["median"] == 80.0
    assert "volume_mm3: n=5 CCC" in text


def test_summarize_an_empty_folder_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no batch case records"):
        summarize(tmp_path)


def test_bland_altman_svg_is_well_formed_with_identical_values() -> None:
    root = ET.fromstring(bland_altman_svg([1.0, 1.0], [1.0, 1.0], label="a < b"))
    assert root.tag.endswith("svg")
    assert len([e for e in root if e.tag.endswith("circle")]) == 2
