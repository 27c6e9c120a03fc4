"""Series role rules: contrast tag, CTA keywords, study date order, slice thickness, HU check."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from strokescope.errors import InputError
from strokescope.io import SeriesInfo
from strokescope.preprocess.contrast import EnhancementBand
from strokescope.series_roles import (
    VesselCheck,
    assign_roles,
    classify_series,
    vessel_fraction,
    vessel_warning,
)
from strokescope.volume import Volume


def _info(key: str, **kw: object) -> SeriesInfo:
    base = SeriesInfo(
        key=key,
        series_uid=key,
        study_uid="study-1",
        modality="CT",
        description="HEAD",
        n_slices=40,
        rows=64,
        columns=64,
        pixel_spacing=(0.5, 0.5),
        slice_spacing=1.0,
        slice_thickness=1.0,
        kernel="",
        gantry_tilt_deg=0.0,
        contrast_agent="",
        patient_id="p",
        study_date="20260101",
        transfer_syntax="",
        files=(Path(key),),
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def test_contrast_tag_and_keywords_make_a_cta() -> None:
    assert classify_series(_info("a", contrast_agent="Iohexol")).kind == "cta"
    assert classify_series(_info("b", description="CT Angio Head")).kind == "cta"
    assert classify_series(_info("c", description="arterial phase")).kind == "cta"
    assert classify_series(_info("d", description="HEAD 5mm")).kind == "ncct"
    # "art" inside a word is not a keyword
    assert classify_series(_info("e", description="PARTIAL HEAD")).kind == "ncct"
    assert classify_series(_info("f", modality="MR")).kind == "other"
    assert classify_series(_info("g", image_type=("ORIGINAL", "LOCALIZER"))).kind == "other"


def test_later_study_ncct_is_the_followup_and_thinnest_baseline_wins() -> None:
    thick = _info("thick", slice_thickness=5.0)
    thin = _info("thin", slice_thickness=0.625)
    cta = _info("cta", contrast_agent="Omnipaque", slice_thickness=0.625)
    fu = _info("fu", study_uid="study-2", study_date="20260103", slice_thickness=5.0)
    roles = assign_roles([fu, thick, cta, thin])
    assert roles.baseline is thin
    assert roles.cta is cta
    assert roles.followup is fu
    assert "later study" in roles.reason("followup")
    assert "Omnipaque" in roles.reason("cta")


def test_same_date_followup_by_description_else_none() -> None:
    a = _info("a")
    b = _info("b", description="HEAD FOLLOW-UP", slice_thickness=5.0)
    roles = assign_roles([a, b])
    assert roles.baseline is a and roles.followup is b
    only = assign_roles([a, _info("c", slice_thickness=5.0)])
    assert only.baseline is a and only.followup is None and only.cta is None
    assert only.reason("cta") == ""


def test_cta_of_the_baseline_study_is_preferred() -> None:
    base = _info("base")
    cta_other = _info("x", study_uid="study-9", contrast_agent="I", slice_thickness=0.5)
    cta_same = _info("y", contrast_agent="I", slice_thickness=1.0)
    assert assign_roles([cta_other, base, cta_same]).cta is cta_same


def test_empty_and_non_ct_inputs_assign_nothing() -> None:
    roles = assign_roles([_info("m", modality="MR")])
    assert roles.baseline is None and roles.cta is None and roles.followup is None


def _head(vessel_fraction_target: float) -> Volume:
    rng = np.random.default_rng(3)
    z, y, x = np.mgrid[:24, :48, :48]
    r = np.sqrt(((z - 12) / 10) ** 2 + ((y - 24) / 20) ** 2 + ((x - 24) / 20) ** 2)
    arr = np.where(r < 1.0, 1200.0, -1000.0)
    arr = np.where(r < 0.85, rng.normal(35.0, 3.0, arr.shape), arr)
    inside = np.flatnonzero(r.ravel() < 0.6)
    n = int(vessel_fraction_target * np.count_nonzero(r < 0.85))
    flat = arr.ravel()
    flat[rng.choice(inside, n, replace=False)] = 350.0
    return Volume.from_array(flat.reshape(arr.shape), (3.0, 2.0, 2.0))


def test_vessel_fraction_separates_contrast_from_plain_ct() -> None:
    plain = vessel_fraction(_head(0.0))
    enhanced = vessel_fraction(_head(0.02))
    assert plain < 0.0005
    assert 0.01 < enhanced < 0.04
    assert vessel_warning("cta", plain) != ""
    assert vessel_warning("cta", enhanced) == ""
    assert "contrast" in vessel_warning("baseline", enhanced)
    assert vessel_warning("followup", plain) == ""


def test_vessel_check_validates_and_needs_a_brain() -> None:
    with pytest.raises(InputError):
        VesselCheck(band=EnhancementBand(low_hu=600, high_hu=200))
    with pytest.raises(InputError, match="no brain"):
        vessel_fraction(Volume.from_array(np.full((8, 16, 16), -1000.0), (2.0, 2.0, 2.0)))
