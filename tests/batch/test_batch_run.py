"""An in-process batch of a small phantom cohort: results, failures, resuming."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from batch_cases import GEOMETRY, copy_tree, read_rows, stable_rows, write_cohort

from strokescope import pipeline
from strokescope.batch.cohort import read_cohort
from strokescope.batch.ledger import split_cohort
from strokescope.batch.run import BatchReport, run_cohort


def _no_analysis(*args: object, **kwargs: object) -> None:
    raise AssertionError("a finished case was analysed again")


def test_every_case_gets_a_row_and_a_failure_does_not_stop_the_others(
    serial_batch: BatchReport,
) -> None:
    out = serial_batch.out_dir
    assert (serial_batch.ran, serial_batch.failed, serial_batch.skipped) == (3, 1, 0)
    rows = {r["case_id"]: r for r in read_rows(out / "summary.csv")}
    assert list(rows) == ["m1", "neg", "broken"]
    m1, neg, broken = rows["m1"], rows["neg"], rows["broken"]
    assert m1["status"] == "done" and m1["occlusion_class"] == "LVO"
    assert all("not for diagnosis" in r["research_use"] for r in rows.values())
    assert m1["thrombus_segment"] == "M1" and m1["thrombus_side"] == "left"
    assert float(m1["thrombus_length_mm"]) > 5 and float(m1["dice"]) > 0.5
    assert m1["model_version"] == pipeline.thrombus_model_version()[0]
    assert (out / m1["results_thrombus"] / "seg.dcm").is_file()
    # a negative study is a normal row
    assert neg["status"] == "done" and neg["error"] == ""
    assert (neg["occlusion_class"], neg["n_thrombi"], neg["total_volume_mm3"]) == (
        "none",
        "0",
        "0.0",
    )
    assert (out / neg["results_thrombus"] / "sr.dcm").is_file()
    assert broken["status"] == "failed" and "no DICOM image series" in broken["error"]
    assert "\n" not in broken["error"]
    thrombi = read_rows(out / "thrombi.csv")
    assert [t["case_id"] for t in thrombi] == ["m1"] * int(m1["n_thrombi"])


def test_a_record_holds_the_full_result(serial_batch: BatchReport) -> None:
    record = json.loads((serial_batch.out_dir / "cases" / "m1" / "case.json").read_text())
    assert record["status"] == "done" and len(record["input_hash"]) == 64
    assert record["thrombus"]["thrombi"][0]["segment"] == "M1"
    assert record["truth"]["truth_occlusion_class"] == "LVO"


def _copied_batch(serial_batch: BatchReport, cohort_csv: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the finished batch and of its studies, with a cohort pointing at them."""
    studies = copy_tree(cohort_csv.parent / "studies", tmp_path / "studies")
    out = copy_tree(serial_batch.out_dir, tmp_path / "batch")
    rows = read_rows(cohort_csv)
    for row in rows:
        row["study"] = str(studies / Path(row["study"]).name)
        if row.get("truth_mask"):
            row["truth_mask"] = str(
                studies / row["case_id"] / "truth" / Path(row["truth_mask"]).name
            )
    return write_cohort(tmp_path / "cohort.csv", rows), out


def test_rerun_skips_finished_cases_and_retries_the_failed_one(
    serial_batch: BatchReport, cohort_csv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cohort, out = _copied_batch(serial_batch, cohort_csv, tmp_path)
    record = out / "cases" / "m1" / "case.json"
    before = record.stat().st_mtime_ns
    monkeypatch.setattr(pipeline, "analyze_thrombus", _no_analysis)
    report = run_cohort(cohort, out, device="cpu", threads=1)
    assert (report.skipped, report.ran, report.failed) == (2, 1, 1)
    # the copy changed every mtime: the content hash decided, and the stat signature was
    # refreshed; a second rerun needs the stat calls only
    assert record.stat().st_mtime_ns != before
    after = record.stat().st_mtime_ns
    assert run_cohort(cohort, out, device="cpu", threads=1).skipped == 2
    assert record.stat().st_mtime_ns == after
    moved = ("truth_mask", "error")  # they name the copied paths
    rows = [
        {k: v for k, v in r.items() if k not in moved} for r in stable_rows(out / "summary.csv")
    ]
    first = [
        {k: v for k, v in r.items() if k not in moved} for r in stable_rows(serial_batch.summary)
    ]
    assert rows == first


def test_changed_input_or_lost_record_runs_the_case_again(
    serial_batch: BatchReport, cohort_csv: Path, tmp_path: Path
) -> None:
    cohort, out = _copied_batch(serial_batch, cohort_csv, tmp_path)
    cases = read_cohort(cohort)
    key = pipeline.thrombus_model_version()[1]
    assert [c.case_id for c in split_cohort(out, cases, key)[1]] == ["broken"]
    assert [c.case_id for c in split_cohort(out, cases, "other-model")[1]] == [
        "m1",
        "neg",
        "broken",
    ]
    # an interrupted run left no record for the case it was running
    (out / "cases" / "neg" / "case.json").unlink()
    # same size, same mtime, other bytes: the stat signature is fooled, not the
    # content hash (checked once the stat signature differs)
    some = next((tmp_path / "studies" / "m1" / "ncct").iterdir())
    st = some.stat()
    data = bytearray(some.read_bytes())
    data[-1] ^= 0xFF
    some.write_bytes(bytes(data))
    os.utime(some, ns=(st.st_atime_ns, st.st_mtime_ns + 1))
    pending = split_cohort(out, cases, key)[1]
    assert [c.case_id for c in pending] == ["m1", "neg", "broken"]


def test_cli_runs_a_batch_and_exits_1_when_a_case_failed(
    serial_batch: BatchReport, cohort_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from strokescope.cli import main

    cohort, out = _copied_batch(serial_batch, cohort_csv, tmp_path)
    assert main(["batch", str(cohort), "--out", str(out), "--device", "cpu"]) == 1
    captured = capsys.readouterr()
    assert "3 cases: 1 run (1 failed), 2 skipped as finished" in captured.out
    assert "broken FAILED: " in captured.err and "3/3 done" in captured.err


def test_ht_click_measures_the_followup_beside_the_thrombus(tmp_path: Path) -> None:
    import numpy as np

    from strokescope.phantom import PhantomOptions, generate_study, write_study

    options = PhantomOptions(
        seed=7, occlusion="M1", hemorrhage="PH", hemorrhage_ml=10.0, **GEOMETRY
    )  # type: ignore[arg-type]
    study = generate_study(options)
    write_study(study, tmp_path / "study")
    k, j, i = (int(round(v)) for v in np.argwhere(study.masks["hemorrhage"].array).mean(axis=0))
    truth_ml = study.truth.hemorrhage_volume_ml
    cohort = write_cohort(
        tmp_path / "cohort.csv",
        [{"study": "study", "ht_click": f"z={k} y={j} x={i}", "truth_ht_ml": f"{truth_ml}"}],
    )
    report = run_cohort(cohort, tmp_path / "batch", device="cpu")
    (row,) = read_rows(report.summary)
    assert row["status"] == "done" and row["occlusion_class"] == "LVO"
    assert float(row["ht_volume_ml"]) == pytest.approx(truth_ml, rel=0.3)
    assert (report.out_dir / row["results_ht"] / "seg.dcm").is_file()
    assert row["results_thrombus"] == "cases/study/thrombus/results-001"


def test_a_killed_batch_continues_where_it_stopped(cohort_csv: Path, tmp_path: Path) -> None:
    import signal
    import subprocess
    import sys
    import time

    out = tmp_path / "batch"
    command = [sys.executable, "-m", "strokescope.cli", "batch", str(cohort_csv), "--out"]
    proc = subprocess.Popen(
        [*command, str(out), "--device", "cpu"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    first = out / "cases" / "m1" / "case.json"
    deadline = time.monotonic() + 120
    while not first.exists() and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert first.exists()
    report = run_cohort(cohort_csv, out, device="cpu", threads=1)
    assert report.skipped >= 1 and report.skipped + report.ran == 3
    assert [r.case_id for r in report.records] == ["m1", "neg", "broken"]
    for case in ("m1", "neg"):
        folder = out / "cases" / case / "thrombus"
        assert sorted(p.name for p in folder.iterdir()) == ["results-001"]
