"""A small phantom cohort (an M1 occlusion, a negative study, a broken folder) and one
in-process batch run of it, shared by the batch tests (the shipped models in models_onnx)."""

from __future__ import annotations

from pathlib import Path

import pytest
from batch_cases import broken_folder, write_cohort, write_phantom

from strokescope.batch.run import BatchReport, run_cohort


@pytest.fixture(scope="session")
def cohort_csv(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Cohort file: ``m1`` (left M1 clot), ``neg`` (no clot), ``broken`` (no series)."""
    root = tmp_path_factory.mktemp("cohort")
    m1 = write_phantom(root / "studies" / "m1", 5, "M1")
    neg = write_phantom(root / "studies" / "neg", 6, "none")
    broken = broken_folder(root / "studies" / "broken")
    rows = [
        {"case_id": "m1", "study": "studies/m1", **m1.truth},
        {"case_id": "neg", "study": "studies/neg", **neg.truth},
        {"case_id": "broken", "study": str(broken)},
    ]
    return write_cohort(root / "cohort.csv", rows)


@pytest.fixture(scope="session")
def serial_batch(cohort_csv: Path, tmp_path_factory: pytest.TempPathFactory) -> BatchReport:
    """The cohort run in-process (one onnxruntime thread, as on a Dask worker)."""
    out = tmp_path_factory.mktemp("serial") / "batch"
    return run_cohort(cohort_csv, out, device="cpu", threads=1)
