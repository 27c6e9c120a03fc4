"""The PDF plots CTA and NCCT along each thrombus (outputs.pdf_profile)."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from export_cases import Study
from PIL import Image

from strokescope.outputs import export_results
from strokescope.outputs.pdf_profile import profile_plots
from strokescope.thrombus.result import AxialProfile

CLOT_FILL = (252, 230, 219)  # pdf_profile's shading of the clot span, in 8-bit RGB


def _profile(length: float) -> AxialProfile:
    d = np.arange(-10.0, length + 10.5, 1.0)
    cta = np.where(d < 0, 300.0, np.where(d <= length, 70.0, 180.0))
    ncct = np.where((d >= 0) & (d <= length), 62.0, 38.0)
    return AxialProfile(tuple(d), tuple(cta), tuple(ncct))


def test_only_thrombi_with_a_profile_are_plotted(study: Study) -> None:
    t = study.thrombus.thrombi[0]
    assert profile_plots(None) == [] and profile_plots(study.thrombus) == []  # no profile
    with_profile = replace(study.thrombus, thrombi=(replace(t, axial_profile=_profile(12.0)),))
    (plot,) = profile_plots(with_profile)
    assert plot.title == "Thrombus 1 (M1, left)" and plot.shaded_mm == (0.0, t.length_mm)


@pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdftoppm") is None,
    reason="poppler-utils not installed",
)
def test_the_report_draws_the_profile(study: Study, tmp_path: Path) -> None:
    t = replace(study.thrombus.thrombi[0], axial_profile=_profile(12.0))
    result = replace(study.thrombus, thrombi=(t,))
    m = export_results(tmp_path / "with", source=study.cta, thrombus=result)
    text = subprocess.run(
        ["pdftotext", "-layout", str(m.pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "CTA and NCCT along each thrombus" in text and "Thrombus 1 (M1, left)" in text

    def rgb(png: Path) -> np.ndarray:
        return np.asarray(Image.open(png).convert("RGB")).astype(int)

    def shaded(pdf: Path, out: Path) -> int:
        subprocess.run(["pdftoppm", "-r", "50", "-png", str(pdf), str(out)], check=True)
        return sum(
            int(np.all(np.abs(rgb(p) - np.asarray(CLOT_FILL)) <= 2, axis=2).sum())
            for p in out.parent.glob(f"{out.name}*.png")
        )

    assert shaded(m.pdf, tmp_path / "with-p") > 20  # the clot span is drawn
    plain = export_results(tmp_path / "without", source=study.cta, thrombus=study.thrombus)
    assert shaded(plain.pdf, tmp_path / "without-p") == 0
