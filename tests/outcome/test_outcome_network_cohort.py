"""The outcome network's training stacks from a cohort file: one per row with images and
a CTA, the others left out with the reason, cached so a rerun analyses nothing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from test_outcome_features import _clot

from strokescope.outcome.cohort import CohortRow
from strokescope.outcome.network_cohort import build_stacks
from strokescope.outcome.network_input import SIZE, SLICES
from strokescope.thrombus import ThrombusResult
from strokescope.volume import Geometry, Volume
from thrombus_results import thrombus_result

COHORT = """id,ncct,cta,outcome,collateral_grade
a,a_ncct.nii,a_cta.nii,1,2
b,b_ncct.nii,b_cta.nii,mTICI 2b,1
c,c_ncct.nii,,1,3
d,,,0,0
"""


def test_stacks_for_rows_with_a_cta_cached_and_the_rest_listed(tmp_path: Path) -> None:
    (tmp_path / "cohort.csv").write_text(COHORT)
    geometry = Geometry((30, 60, 60), (1.0, 1.0, 1.0), (-30.0, -30.0, -15.0))
    analysed: list[str] = []

    def analyse(row: CohortRow) -> tuple[Volume, Volume | None, ThrombusResult]:
        analysed.append(row.id)
        value = 40.0 if row.id == "a" else 300.0
        vol = Volume(np.full(geometry.shape, value, np.float32), geometry)
        return vol, None if row.cta is None else vol, thrombus_result(_clot(90.0, 9.0))

    built = build_stacks(tmp_path / "cohort.csv", tmp_path / "run", analyse, models_digest="m1")
    assert built.ids == ("a", "b") and built.successes == 1
    assert built.excluded == (
        "c (line 4): no CTA series",
        "d (line 5): no images in the cohort file",
    )
    data = np.load(built.path)
    assert data["x"].shape == (2, 2, SLICES, SIZE, SIZE) and data["y"].tolist() == [1, 0]
    assert data["x"][0, 0, 8, 32, 32] < data["x"][1, 0, 8, 32, 32]  # each row its own images
    assert analysed == ["a", "b", "c"]
    again = build_stacks(tmp_path / "cohort.csv", tmp_path / "run", analyse, models_digest="m1")
    assert again.ids == built.ids and analysed == ["a", "b", "c", "c"]  # a, b from the cache
    build_stacks(tmp_path / "cohort.csv", tmp_path / "run", analyse, models_digest="m2")
    assert analysed[4:] == ["a", "b", "c"]  # other thrombus models: analysed afresh
    assert (tmp_path / "run" / "excluded.txt").read_text().count("\n") == 2
