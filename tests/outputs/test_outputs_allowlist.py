"""--anonymize builds DICOM headers from an allow-list: a source stuffed with unique tokens
in every Patient and Study module attribute leaves none of them in any exported byte."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pydicom
import pytest
from export_cases import Study
from tokens import Tokens, leaks, stuffed_header

from strokescope.io import load_volume
from strokescope.outputs import ExportManifest, export_results

# Attributes the IODs require (Type 1/2) and the profile's own: present, with new values.
SURVIVORS = {
    "PatientName",
    "PatientID",
    "PatientBirthDate",
    "PatientSex",
    "StudyDate",
    "StudyTime",
    "StudyInstanceUID",
    "StudyID",
    "AccessionNumber",
    "ReferringPhysicianName",
    "PatientIdentityRemoved",
    "DeidentificationMethod",
    "DeidentificationMethodCodeSequence",
    "SeriesDescription",
    "ContentDate",
    "ContentTime",
    "DeviceSerialNumber",
}


@dataclass(frozen=True)
class Stuffed:
    tokens: Tokens
    thrombus: ExportManifest
    hemorrhage: ExportManifest


@pytest.fixture(scope="module")
def stuffed(study: Study, tmp_path_factory: pytest.TempPathFactory) -> Stuffed:
    from tokens import rewrite_series

    tokens = Tokens()
    header = stuffed_header(tokens)
    root = tmp_path_factory.mktemp("stuffed")
    followup_dir, cta_dir = (Path(str(v.meta.source)) for v in (study.followup, study.cta))
    rewrite_series(followup_dir, root / "followup", header)
    rewrite_series(cta_dir, root / "cta", header)
    followup, cta = load_volume(root / "followup"), load_volume(root / "cta")
    out = tmp_path_factory.mktemp("stuffed-out")
    thr = export_results(out, source=cta, thrombus=study.thrombus, anonymize=True)
    hem = export_results(out, source=followup, hemorrhage=study.hemorrhage, anonymize=True)
    return Stuffed(tokens, thr, hem)


def test_every_patient_and_study_attribute_was_filled(stuffed: Stuffed) -> None:
    assert stuffed.tokens.filled > 1000
    assert len(stuffed.tokens.top_keywords) > 100


@pytest.mark.parametrize("which", ["thrombus", "hemorrhage"])
def test_no_token_in_any_output(stuffed: Stuffed, which: str) -> None:
    manifest: ExportManifest = getattr(stuffed, which)
    assert manifest.seg and manifest.sr and manifest.pdf_dicom and manifest.source
    found = leaks(manifest.folder, stuffed.tokens)
    assert not found, f"{len(found)} tokens survived, e.g. {found[:20]}"


@pytest.mark.parametrize("which", ["thrombus", "hemorrhage"])
def test_only_allowed_source_attributes_survive(stuffed: Stuffed, which: str) -> None:
    manifest: ExportManifest = getattr(stuffed, which)
    for root, _dirs, files in os.walk(manifest.folder):
        for name in files:
            if not name.endswith(".dcm"):
                continue
            ds = pydicom.dcmread(Path(root, name), stop_before_pixels=True)
            kept = {e.keyword for e in ds} & (stuffed.tokens.top_keywords - SURVIVORS)
            assert not kept, f"{name}: {sorted(kept)}"
            assert not [e for e in ds.iterall() if e.tag.is_private], name
