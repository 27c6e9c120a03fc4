"""The report preview: the export's PDF, built without writing anything, and its page 1."""

from __future__ import annotations

import math
import shutil
import struct
import subprocess
from pathlib import Path

import pytest
from export_cases import Study

from strokescope import pipeline
from strokescope.errors import InputError, PreviewUnavailable
from strokescope.outputs import export_results, first_page_png, pdf_raster, report_preview

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
    reason="poppler-utils not installed",
)


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "p.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode()


@needs_poppler
def test_preview_is_the_exported_report_and_writes_nothing(study: Study, tmp_path: Path) -> None:
    before = sorted(p.name for p in tmp_path.iterdir())
    pdf = report_preview(source=study.followup, hemorrhage=study.hemorrhage, anonymize=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    m = export_results(tmp_path / "out", source=study.followup, hemorrhage=study.hemorrhage)
    shown, written = _text(pdf, tmp_path), _text(m.pdf.read_bytes(), tmp_path)
    impression = next(ln for ln in written.splitlines() if "mL" in ln and ln.strip())
    assert impression.strip() in shown
    assert study.patient_name.split("^")[0] in written  # named in the export...
    assert study.patient_name.split("^")[0] not in shown  # ...not in an anonymised preview


@needs_poppler
def test_first_page_png_has_the_a4_size_at_the_dpi(study: Study) -> None:
    png = pipeline.preview_report(source=study.cta, thrombus=study.thrombus, dpi=50)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (math.ceil(595.28 / 72 * 50), math.ceil(841.89 / 72 * 50))


def test_a_missing_renderer_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_raster.shutil, "which", lambda _name: None)
    with pytest.raises(PreviewUnavailable, match="pdftoppm, which is not installed"):
        first_page_png(b"%PDF-1.4\n")


@needs_poppler
def test_a_broken_pdf_is_a_preview_error() -> None:
    with pytest.raises(PreviewUnavailable, match="pdftoppm failed"):
        first_page_png(b"not a pdf at all")


def test_preview_needs_a_result(study: Study) -> None:
    with pytest.raises(InputError, match="give a hemorrhage"):
        report_preview(source=study.followup)
    with pytest.raises(InputError, match="differs from the source volume grid"):
        report_preview(source=study.cta, hemorrhage=study.hemorrhage)
