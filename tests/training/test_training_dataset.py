"""nnU-Net raw layout: writing, listing, reading back; refusing broken datasets."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from thrombus_cases import make_case
from training.dataset import (
    Case,
    dataset_description,
    image_paths,
    list_cases,
    read_case,
    write_case,
    write_dataset_json,
)

from strokescope.errors import InputError
from strokescope.volume import Mask, Volume


def test_round_trip_keeps_hu_label_and_geometry(tmp_path: Path) -> None:
    case = make_case("RT_001", seed=5, thrombus=True)
    assert isinstance(case, Case)
    write_case(case, tmp_path)
    write_dataset_json(tmp_path, description="round trip")
    assert list_cases(tmp_path) == ("RT_001",)
    back = read_case(tmp_path, "RT_001")
    # images are stored as int16 HU: values round to the nearest integer
    np.testing.assert_allclose(back.ncct.array, case.ncct.array, atol=0.5001)
    np.testing.assert_allclose(back.cta.array, case.cta.array, atol=0.5001)
    assert np.array_equal(back.label.array, case.label.array)
    assert back.cta.geometry.spacing == pytest.approx(case.cta.geometry.spacing)
    assert back.cta.geometry.origin == pytest.approx(case.cta.geometry.origin)
    meta = json.loads((tmp_path / "dataset.json").read_text())
    assert meta["channel_names"] == {"0": "NCCT", "1": "CTA"}
    assert meta["numTraining"] == 1
    assert dataset_description(tmp_path) == "round trip"


def test_missing_labels_folder_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no labelsTr"):
        list_cases(tmp_path)


def test_missing_channel_is_named(tmp_path: Path) -> None:
    write_case(make_case("MC_001", seed=1, thrombus=False), tmp_path)
    image_paths(tmp_path, "MC_001")[1].unlink()
    with pytest.raises(InputError, match="MC_001 lacks MC_001_0001.nii.gz"):
        list_cases(tmp_path)


def test_case_refuses_an_ncct_not_on_the_cta_grid() -> None:
    cta = Volume.from_array(np.zeros((4, 5, 6)), (1.0, 1.0, 1.0))
    ncct = Volume.from_array(np.zeros((4, 5, 7)), (1.0, 1.0, 1.0))
    label = Mask(np.zeros((4, 5, 6), bool), cta.geometry)
    with pytest.raises(InputError, match="co-register"):
        Case("X", ncct, cta, label)
    shifted = Volume.from_array(np.zeros((4, 5, 6)), (1.0, 1.0, 1.0), origin=(0.0, 0.0, 2.0))
    with pytest.raises(InputError, match="origin/spacing"):
        Case("X", shifted, cta, label)
