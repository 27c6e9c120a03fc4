"""NCCT and CTA roles are checked from the pixels: same series refused, swaps caught."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from phantoms import small_study

from strokescope.errors import InputError
from strokescope.pipeline import analyze_thrombus
from strokescope.preprocess import brain_mask
from strokescope.thrombus.input_roles import check_roles, refuse_same_series
from strokescope.volume import Volume


def _renamed(volume: Volume, uid: str) -> Volume:
    return Volume(volume.array.copy(), volume.geometry, replace(volume.meta, series_uid=uid))


def test_same_series_twice_is_refused_by_uid_or_by_voxels() -> None:
    study = small_study(41, "M1")
    assert study.cta is not None
    with pytest.raises(InputError, match="same series"):
        refuse_same_series(study.cta, study.cta)
    with pytest.raises(InputError, match="same series"):
        refuse_same_series(_renamed(study.cta, "1.2.3"), _renamed(study.cta, "1.2.4"))
    refuse_same_series(study.ncct, study.cta)  # a real pair passes


@pytest.mark.parametrize("lumen", [None, 150.0])
def test_a_real_pair_passes_also_with_a_weak_bolus(lumen: float | None) -> None:
    study = small_study(42, "M1", cta_lumen_hu=lumen)
    assert study.cta is not None
    check = check_roles(study.ncct, study.cta, brain_mask(study.ncct), strict=True)
    assert check.not_assessed is None and check.warnings == ()
    assert check.cta_fraction > 4 * check.ncct_fraction


def test_swapped_series_are_not_assessed_and_strict_refuses() -> None:
    study = small_study(42, "M1")
    assert study.cta is not None
    brain = brain_mask(study.ncct)
    check = check_roles(study.cta, study.ncct, brain, strict=False)
    assert check.not_assessed is not None and "look swapped" in check.not_assessed
    with pytest.raises(InputError, match="--strict: the series given as CTA"):
        check_roles(study.cta, study.ncct, brain, strict=True)


def test_opacified_ncct_warns() -> None:
    study = small_study(42, "M1")
    assert study.cta is not None
    check = check_roles(study.cta, study.cta, brain_mask(study.ncct), strict=False)
    assert check.not_assessed is not None  # a CTA is not twice as enhanced as itself
    ok = check_roles(study.ncct, study.cta, brain_mask(study.ncct), strict=False)
    assert ok.warnings == ()


def test_analysis_of_swapped_or_duplicated_inputs_reports_no_lvo(tiny_models: Path) -> None:
    study = small_study(42, "M1")
    assert study.cta is not None
    with pytest.raises(InputError, match="same series"):
        analyze_thrombus(study.cta, study.cta, models=tiny_models)
    swapped = analyze_thrombus(study.cta, study.ncct, models=tiny_models)
    assert not swapped.assessed and not swapped.lvo
    assert swapped.not_assessed_reason is not None and "swapped" in swapped.not_assessed_reason
    assert swapped.impression().startswith("Thrombus not assessed: the series given as CTA")
    assert swapped.mask.geometry == study.ncct.geometry  # the given "CTA": exported on its grid
    with pytest.raises(InputError):
        analyze_thrombus(study.cta, study.ncct, models=tiny_models, strict=True)


def test_a_swapped_pair_on_different_grids_exports_as_not_assessed(
    tiny_models: Path, tmp_path: Path
) -> None:
    from strokescope.pipeline import export_results

    study = small_study(43, "M1", cta_matrix=180, cta_inplane_mm=1.1)
    assert study.cta is not None and study.cta.geometry != study.ncct.geometry
    given_ncct, given_cta = study.cta, study.ncct  # swapped by the user
    result = analyze_thrombus(given_ncct, given_cta, models=tiny_models)
    assert not result.assessed and result.mask.geometry == given_cta.geometry
    manifest = export_results(tmp_path, source=given_cta, thrombus=result)
    assert manifest.sr is None and manifest.json.is_file()  # in-memory volume: no DICOM
