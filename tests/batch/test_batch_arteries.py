"""``strokescope batch --arteries``: the tree traced on every case with a CTA, its clot burden
score in summary.csv and each case's results, and the ledger key telling such a run apart."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from batch_cases import read_rows

from strokescope.batch.run import BatchReport, run_cohort
from strokescope.cli import main


def test_each_case_with_a_cta_gets_its_tree_and_the_key_says_so(
    cohort_csv: Path, serial_batch: BatchReport, tmp_path: Path
) -> None:
    out = tmp_path / "batch"
    shutil.copytree(serial_batch.out_dir, out)
    argv = ["batch", str(cohort_csv), "--out", str(out), "--arteries", "--threads", "1"]
    assert main(argv) == 1  # the broken case fails, as without the tree
    rows = {r["case_id"]: r for r in read_rows(out / "summary.csv")}
    for case in ("m1", "neg"):
        row = rows[case]
        assert row["status"] == "done" and 0 <= int(row["clot_burden_score"]) <= 10
        doc = json.loads((out / row["results_thrombus"] / "results.json").read_text())
        assert doc["thrombus"]["arteries"]["clot_burden_score"]["score"] == int(
            row["clot_burden_score"]
        )
        record = json.loads((out / "cases" / case / "case.json").read_text())
        assert record["model_key"].endswith("+arteries")
    assert rows["broken"]["status"] == "failed" and rows["broken"]["clot_burden_score"] == ""
    plain = {r["case_id"]: r for r in read_rows(serial_batch.out_dir / "summary.csv")}
    assert plain["m1"]["clot_burden_score"] == ""  # not asked for: no tree, no score
    again = run_cohort(cohort_csv, out, device="cpu", threads=1, arteries=True)
    assert (again.skipped, again.ran) == (2, 1)  # finished with the tree: not run again
