"""An outcome model in a batch: its probability per case, its digest in the ledger key, and
a model that fails on a case never costing the case its thrombus results."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from batch_cases import read_rows

from outcome_model_files import train_tiny_model
from strokescope import pipeline, pipeline_outcome
from strokescope.batch.run import BatchReport, run_cohort
from strokescope.errors import ModelError


@pytest.fixture(scope="module")
def model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return train_tiny_model(tmp_path_factory.mktemp("outcome"))


@pytest.fixture(scope="module")
def batch(cohort_csv: Path, model: Path, tmp_path_factory: pytest.TempPathFactory) -> BatchReport:
    out = tmp_path_factory.mktemp("with_outcome") / "batch"
    return run_cohort(cohort_csv, out, device="cpu", threads=1, outcome_model=model)


def test_each_case_carries_the_models_probability_or_why_none(
    batch: BatchReport, model: Path
) -> None:
    rows = {r["case_id"]: r for r in read_rows(batch.out_dir / "summary.csv")}
    m1, neg, broken = rows["m1"], rows["neg"], rows["broken"]
    results = json.loads((batch.out_dir / m1["results_thrombus"] / "results.json").read_text())
    prediction = results["outcome"]["prediction"]
    assert 0.0 < prediction["probability"] < 1.0
    assert float(m1["outcome_probability"]) == pytest.approx(prediction["probability"])
    assert m1["outcome_model_version"] == prediction["model_version"] != ""
    assert prediction["model"] == pipeline.check_outcome_model(model)
    # no clot: the model's features are absent, so no probability, and the reason says why
    assert neg["status"] == "done" and neg["outcome_probability"] == ""
    assert "clot" in neg["outcome_reason"] or "absent" in neg["outcome_reason"]
    assert broken["status"] == "failed" and broken["outcome_probability"] == ""
    record = json.loads((batch.out_dir / "cases" / "m1" / "case.json").read_text())
    assert record["outcome"] == prediction
    assert record["model_key"].endswith(pipeline.outcome_model_identity(model)[1][:16])


def test_another_outcome_model_or_none_runs_the_cases_again(
    batch: BatchReport, cohort_csv: Path, model: Path, tmp_path: Path
) -> None:
    import shutil

    out = tmp_path / "batch"
    shutil.copytree(batch.out_dir, out)
    again = run_cohort(cohort_csv, out, device="cpu", threads=1, outcome_model=model)
    assert (again.skipped, again.ran) == (2, 1)  # only the failed case runs again
    without = run_cohort(cohort_csv, out, device="cpu", threads=1)
    assert (without.skipped, without.ran) == (0, 3)
    rows = {r["case_id"]: r for r in read_rows(out / "summary.csv")}
    assert rows["m1"]["outcome_probability"] == "" and rows["m1"]["status"] == "done"


def test_a_model_failing_on_a_case_leaves_its_thrombus_results(
    cohort_csv: Path, model: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("onnxruntime ran out of memory")

    monkeypatch.setattr(pipeline_outcome, "predict_outcome", broken)
    report = run_cohort(cohort_csv, tmp_path / "b", device="cpu", threads=1, outcome_model=model)
    rows = {r["case_id"]: r for r in read_rows(report.out_dir / "summary.csv")}
    assert rows["m1"]["status"] == "done" and rows["m1"]["occlusion_class"] == "LVO"
    assert rows["m1"]["outcome_reason"] == (
        "the outcome model failed: RuntimeError: onnxruntime ran out of memory"
    )
    assert (report.out_dir / rows["m1"]["results_thrombus"] / "sr.dcm").is_file()


def test_a_bad_outcome_model_is_refused_before_any_case(cohort_csv: Path, tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="manifest"):
        run_cohort(cohort_csv, tmp_path / "b", device="cpu", outcome_model=tmp_path)
    assert not (tmp_path / "b" / "cases" / "m1").exists()
