"""Features of image rows are computed once and cached in OUT: a rerun resumes; a failing
study is named by file and line; a cohort-file column replaces the computed value."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from strokescope.errors import DicomLoadError
from strokescope.outcome.cohort import CohortRow
from strokescope.outcome.cohort_runs import ExtractorInfo, train_cohort
from strokescope.outcome.features import Feature, OutcomeFeatures
from strokescope.outcome.synthetic import draw_cohort


def _cohort(tmp_path: Path, n: int = 60) -> tuple[Path, dict[str, tuple[float, float]]]:
    c = draw_cohort(n, seed=4)
    truth = {f"s{i}": (float(x[0]), float(x[1])) for i, x in enumerate(c.x)}
    lines = ["id,study,outcome,collateral_grade"]
    lines += [
        f"s{i},studies/s{i},{y},{x[2]:g}" for i, (x, y) in enumerate(zip(c.x, c.y, strict=True))
    ]
    (tmp_path / "cohort.csv").write_text("\n".join(lines) + "\n")
    return tmp_path / "cohort.csv", truth


def _extractor(truth: dict[str, tuple[float, float]], calls: list[str]) -> ExtractorInfo:
    def extract(row: CohortRow) -> OutcomeFeatures:
        calls.append(row.id)
        if row.id == "broken":
            raise DicomLoadError("no slices")
        assert row.study is not None and row.study.is_absolute()  # read from the CSV's folder
        assert row.study.parts[-2:] == ("studies", row.id)
        length, pervious = truth[row.id]
        absent = OutcomeFeatures.all_absent("needs the arterial tree")
        return OutcomeFeatures(
            **{k: getattr(absent, k) for k in absent.to_dict()}
            | {"clot_length_mm": Feature(length), "perviousness_hu": Feature(pervious)}
        )

    return ExtractorInfo(extract, "digest-1")


def test_rerun_reads_the_cache_and_columns_join_image_features(tmp_path: Path) -> None:
    cohort, truth = _cohort(tmp_path)
    calls: list[str] = []
    first = train_cohort(cohort, tmp_path / "out", lambda: _extractor(truth, calls), repeats=10)
    assert len(calls) == 60 and len(list((tmp_path / "out" / "features").glob("*.json"))) == 60
    assert first.table.names == ("clot_length_mm", "perviousness_hu", "collateral_grade")
    again = train_cohort(cohort, tmp_path / "out", lambda: _extractor(truth, calls), repeats=10)
    assert len(calls) == 60  # nothing recomputed
    assert np.array_equal(again.table.x, first.table.x)
    assert first.table.x[0, 0] == pytest.approx(truth["s0"][0])


def test_a_failing_study_is_named_by_file_and_line(tmp_path: Path) -> None:
    cohort = tmp_path / "cohort.csv"
    cohort.write_text("id,study,outcome\nbroken,studies/broken,1\n")
    with pytest.raises(DicomLoadError, match=r"cohort.csv line 2 \(broken\): no slices"):
        train_cohort(cohort, tmp_path / "out", lambda: _extractor({}, []))
