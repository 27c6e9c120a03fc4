"""The collateral ratio beyond an ICA or M1 clot follows the phantom's distal filling."""

from __future__ import annotations

import numpy as np

from strokescope.phantom import PhantomOptions, generate_study
from strokescope.preprocess import brain_mask
from strokescope.preprocess.registration import identity_registration
from strokescope.thrombus.anatomy import midsagittal_plane
from strokescope.thrombus.collaterals import collateral_grade, collateral_ratio
from strokescope.volume import Volume

QUICK = {"inplane_mm": 1.0, "matrix": 200, "slice_mm": 1.0}


def _ratio(distal: float, *, segment: str = "M1", contrast: bool = True) -> float | None:
    options = PhantomOptions(seed=830_001, occlusion="M1", side="left", distal_enhancement=distal)
    study = generate_study(PhantomOptions(**{**options.to_dict(), **QUICK}))
    assert study.cta is not None
    cta = study.cta if contrast else Volume(study.ncct.array, study.cta.geometry)
    plane = midsagittal_plane(brain_mask(study.ncct))
    clot = study.masks["thrombus"]
    points = cta.geometry.index_to_lps(np.argwhere(clot.array).astype(float))
    return collateral_ratio(
        points, "left", segment, plane, cta, study.ncct, identity_registration()
    )


def test_ratio_rises_with_the_filling_beyond_the_clot_and_grades_it() -> None:
    ratios = [_ratio(d) for d in (0.0, 0.4, 1.0)]
    assert all(r is not None for r in ratios)
    none, part, full = (float(r) for r in ratios)  # type: ignore[arg-type]
    assert none <= 0.1 < part < 0.6 < full  # this head's left MCA box holds more arteries
    assert [collateral_grade(r) for r in (none, part, full)] == [0, 1, 3]


def test_not_graded_beyond_an_m2_clot_or_without_contrast_on_the_other_side() -> None:
    assert _ratio(1.0, segment="M2") is None
    assert _ratio(1.0, contrast=False) is None  # no opacified artery to compare with
