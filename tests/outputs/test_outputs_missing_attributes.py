"""A source series without (0020,000D) Study Instance UID, (0018,0050) Slice Thickness or
any other Type 2/3 attribute still exports: highdicom reads several of them as attributes
(an ``AttributeError`` traceback from ``ht --out`` / ``thrombus --out`` before the repair).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest
from export_cases import make_thrombus
from pydicom.dataset import Dataset
from tests.fuzz.mutations import TYPE2
from tests.io.dicom_factory import random_volume, write_volume

from strokescope.io import load_volume
from strokescope.outputs import export_results
from strokescope.outputs.safe_header import derived_study_uid, repair, slice_spacing_mm
from strokescope.volume import Mask

TYPE3 = ("ConvolutionKernel", "GantryDetectorTilt", "SeriesDescription", "StudyDescription")


def _series(folder: Path, drop: tuple[str, ...]) -> Path:
    folder.mkdir()
    write_volume(random_volume(8, seed=16, spacing_z=2.5), folder)
    for path in sorted(folder.iterdir()):
        ds = pydicom.dcmread(path)
        for keyword in drop:
            if keyword in ds:
                delattr(ds, keyword)
        ds.save_as(path)
    return folder


@pytest.mark.parametrize("anonymize", [False, True])
def test_export_without_study_uid_and_type2(tmp_path: Path, anonymize: bool) -> None:
    folder = _series(tmp_path / "ct", ("StudyInstanceUID", *TYPE2, *TYPE3))
    ct = load_volume(folder)
    mask = np.zeros(ct.shape, dtype=bool)
    mask[3:5, 6:10, 6:10] = True
    result = make_thrombus(ct, Mask(mask, ct.geometry, "thrombus"))
    m = export_results(tmp_path / "out", source=ct, thrombus=result, anonymize=anonymize)
    assert m.seg and m.sr and m.pdf_dicom
    text = "\n".join(m.warnings)
    assert "lacks a valid StudyInstanceUID (Type 1)" in text
    assert "lacks a valid SliceThickness: written as the slice spacing 2.5 mm" in text
    written = [pydicom.dcmread(p, stop_before_pixels=True) for p in (m.seg, m.sr, m.pdf_dicom)]
    assert len({str(ds.StudyInstanceUID) for ds in written}) == 1  # one study
    source = pydicom.dcmread(next(folder.iterdir()), stop_before_pixels=True)
    if not anonymize:
        assert written[0].StudyInstanceUID == derived_study_uid(source)
    measures = written[0].SharedFunctionalGroupsSequence[0].PixelMeasuresSequence[0]
    assert float(measures.SliceThickness) == pytest.approx(2.5)


def test_repair_derives_one_study_uid_per_series() -> None:
    a, b = Dataset(), Dataset()
    a.SeriesInstanceUID = b.SeriesInstanceUID = "1.2.3.4"
    b.StudyInstanceUID = ""
    lines = repair(a) + repair(b)
    assert a.StudyInstanceUID == b.StudyInstanceUID == derived_study_uid(a)
    assert sum("StudyInstanceUID" in ln for ln in lines) == 2
    c = Dataset()
    c.SeriesInstanceUID, c.StudyInstanceUID, c.SliceThickness = "1.2.3.5", "1.2.3", "3"
    lines = repair(c, slice_spacing=2.0)
    assert not [ln for ln in lines if "SliceThickness" in ln or "StudyInstanceUID" in ln]
    assert c.StudyInstanceUID == "1.2.3" and c.SliceThickness == 3.0


def test_slice_spacing_from_positions() -> None:
    headers = []
    for z in (30.0, 27.0, 24.0, 24.0, 21.0):  # descending, one duplicate
        ds = Dataset()
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.ImagePositionPatient = [0, 0, z]
        headers.append(ds)
    assert slice_spacing_mm(headers) == pytest.approx(3.0)
    assert slice_spacing_mm(headers[:1]) is None
    assert slice_spacing_mm([Dataset()]) is None
