"""A truth mask is compared with the thrombus mask only on the same voxels in space."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from strokescope.batch.cohort import CohortCase
from strokescope.batch.runner import _dice
from strokescope.errors import InputError
from strokescope.io.sitk_convert import write_mask
from strokescope.thrombus.result import ThrombusResult
from strokescope.volume import Geometry, Mask


def _result(grid: Geometry, mask: np.ndarray) -> ThrombusResult:
    return ThrombusResult(
        thrombi=(),
        occlusion=False,
        lvo=False,
        occlusion_class="none",
        mask=Mask(mask, grid, "thrombus"),
        cta_to_ncct=None,
        registration_metric=None,
        model_version="test",
        model_sha256={},
        decision_rule="test",
    )


def test_dice_on_the_same_grid_and_a_one_line_error_on_a_shifted_one(tmp_path: Path) -> None:
    grid = Geometry((6, 10, 8), (2.0, 0.5, 0.5), (0.0, 0.0, 0.0))
    clot = np.zeros(grid.shape, bool)
    clot[2:4, 3:6, 2:5] = True
    result = _result(grid, clot)
    same = tmp_path / "same.nii.gz"
    write_mask(Mask(clot, grid, "truth"), same)
    case = CohortCase("c1", 2, {}, truth={"truth_mask": str(same)})
    assert _dice(case, result) == pytest.approx(1.0)
    shifted = Geometry(grid.shape, grid.spacing, (0.0, 0.0, 5.0))  # same shape, 5 mm away
    moved = tmp_path / "moved.nii.gz"
    write_mask(Mask(clot, shifted, "truth"), moved)
    with pytest.raises(InputError) as err:
        _dice(CohortCase("c2", 3, {}, truth={"truth_mask": str(moved)}), result)
    assert "is not the CTA grid" in str(err.value) and "\n" not in str(err.value)
