"""Results folders (versioned, --overwrite, failure injection), JSON schema, CSV, PDF text."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from export_cases import Study
from tests.schema_check import validate_schema

from strokescope.errors import Cancelled, InputError
from strokescope.outputs import RESULTS_SCHEMA, export_results, folders
from strokescope.outputs import export as export_module
from strokescope.outputs.tables import CSV_COLUMNS, measurement_rows
from strokescope.volume import Mask, SeriesMeta, Volume


def test_rerun_makes_new_folder_and_overwrite_replaces(study: Study, tmp_path: Path) -> None:
    first = export_results(tmp_path, source=study.followup, hemorrhage=study.hemorrhage)
    second = export_results(tmp_path, source=study.followup, hemorrhage=study.hemorrhage)
    assert (first.folder.name, second.folder.name) == ("results-001", "results-002")
    assert first.json.exists() and second.json.exists()
    before = second.json.read_text()
    third = export_results(
        tmp_path, source=study.followup, hemorrhage=study.hemorrhage, overwrite=True
    )
    assert third.folder == second.folder and third.replaced
    assert third.json.read_text() != before  # new content (creation time or UIDs differ)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results-001", "results-002"]


def test_failure_mid_export_leaves_old_result(
    study: Study, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = export_results(tmp_path, source=study.followup, hemorrhage=study.hemorrhage)
    snapshot = {p.name: p.read_bytes() for p in old.folder.iterdir()}

    def boom(*args: object, **kwargs: object) -> bytes:
        raise RuntimeError("injected")

    monkeypatch.setattr(export_module, "render_report", boom)
    for overwrite in (False, True):
        with pytest.raises(RuntimeError, match="injected"):
            export_results(
                tmp_path,
                source=study.followup,
                hemorrhage=study.hemorrhage,
                overwrite=overwrite,
            )
        assert [p.name for p in tmp_path.iterdir()] == ["results-001"]
        assert {p.name: p.read_bytes() for p in old.folder.iterdir()} == snapshot


def test_cancel_from_progress_writes_nothing(study: Study, tmp_path: Path) -> None:
    seen: list[float] = []

    def progress(f: float) -> None:
        seen.append(f)
        if f >= 0.5:
            raise Cancelled()

    with pytest.raises(Cancelled):
        export_results(
            tmp_path, source=study.followup, hemorrhage=study.hemorrhage, on_progress=progress
        )
    assert list(tmp_path.iterdir()) == [] and seen == sorted(seen)


def test_interrupted_overwrite_is_recovered(tmp_path: Path) -> None:
    aside = tmp_path / ".old-results-003-abc"
    aside.mkdir()
    (aside / "results.json").write_text("{}")
    folders.recover(tmp_path)
    assert (tmp_path / "results-003" / "results.json").exists() and not aside.exists()


def test_json_matches_schema_and_csv_row(study: Study, tmp_path: Path) -> None:
    m = export_results(tmp_path, source=study.cta, thrombus=study.thrombus)
    doc = json.loads(m.json.read_text())
    validate_schema(doc, RESULTS_SCHEMA)
    assert doc["files"]["seg"] == "seg.dcm" and doc["hemorrhage"] is None
    rows = list(csv.DictReader(io.StringIO(m.csv.read_text())))
    assert len(rows) == 1 and tuple(rows[0]) == CSV_COLUMNS
    t = study.thrombus.thrombi[0]
    assert float(rows[0]["thrombus_length_mm"]) == pytest.approx(t.length_mm)
    assert rows[0]["occlusion_class"] == "LVO" and rows[0]["patient_id"] == study.patient_id
    with pytest.raises(AssertionError):
        validate_schema({**doc, "schema_version": "0.9"}, RESULTS_SCHEMA)


@pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
    reason="poppler-utils not installed",
)
def test_pdf_renders_and_holds_every_measurement(study: Study, tmp_path: Path) -> None:
    m = export_results(tmp_path, source=study.followup, hemorrhage=study.hemorrhage)
    text = subprocess.run(
        ["pdftotext", "-layout", str(m.pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    for row in measurement_rows(None, study.hemorrhage):
        assert row.value_text() in text and row.name in text
    assert "Research use only, not for diagnosis." in text
    assert study.patient_id in text and "Method and provenance" in text
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(m.pdf), str(tmp_path / "p")],
        check=True,
    )
    png = next(tmp_path.glob("p*.png"))
    assert png.stat().st_size > 5000


def test_non_dicom_source_skips_dicom_objects(study: Study, tmp_path: Path) -> None:
    vol = Volume(study.followup.array, study.followup.geometry, SeriesMeta())
    mask = Mask(study.hemorrhage.mask.array, vol.geometry, "hemorrhage")

    result = replace(study.hemorrhage, mask=mask)
    m = export_results(tmp_path, source=vol, hemorrhage=result)
    assert m.seg is None and m.sr is None and m.pdf_dicom is None
    assert m.pdf.exists() and any("not a DICOM series" in w for w in m.warnings)


def test_resampled_source_gets_derived_seg_geometry(study: Study, tmp_path: Path) -> None:
    import pydicom

    meta = replace(study.followup.meta, resampled=True)
    vol = Volume(study.followup.array, study.followup.geometry, meta)
    m = export_results(tmp_path, source=vol, hemorrhage=study.hemorrhage)
    assert m.seg is not None and any("resampled" in w for w in m.warnings)
    seg = pydicom.dcmread(m.seg, stop_before_pixels=True)
    k_hit = np.nonzero(study.hemorrhage.mask.array.any(axis=(1, 2)))[0]
    positions = [
        [float(v) for v in f.PlanePositionSequence[0].ImagePositionPatient]
        for f in seg.PerFrameFunctionalGroupsSequence
    ]
    expected = vol.geometry.index_to_lps(np.stack([k_hit, 0 * k_hit, 0 * k_hit], axis=1))
    np.testing.assert_allclose(sorted(positions), sorted(expected.tolist()), atol=1e-3)


def test_mask_on_other_grid_is_refused(study: Study, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="grid"):
        export_results(tmp_path, source=study.cta, hemorrhage=study.hemorrhage)
    with pytest.raises(InputError, match="give a hemorrhage"):
        export_results(tmp_path, source=study.cta)
