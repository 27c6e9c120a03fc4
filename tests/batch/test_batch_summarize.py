"""``strokescope batch --summarize``: counts, distributions, agreement with the truth."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from batch_cases import copy_tree

from strokescope.batch import plot
from strokescope.batch.record import CaseRecord, write_record
from strokescope.batch.run import BatchReport
from strokescope.batch.stats import summarize
from strokescope.errors import InputError

if TYPE_CHECKING:
    from PIL import Image


def test_summarize_a_batch_folder(
    serial_batch: BatchReport, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from strokescope.cli import main

    out = copy_tree(serial_batch.out_dir, tmp_path / "batch")
    assert main(["batch", "--summarize", str(out)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Research use only") and "phantom" in text.splitlines()[0]
    assert "cases: 3 (2 done, 1 failed)" in text
    assert "occlusion class: LVO 1, none 1" in text
    assert "thrombus_length_mm: n=1 median" in text
    assert "TP 1 FN 0 TN 1 FP 0" in text and "Dice: n=1" in text
    stats = json.loads((out / "cohort_stats.json").read_text())
    assert "not for diagnosis" in stats["research_use"].lower()
    assert stats["counts"]["failed"] == 1
    assert stats["agreement"]["volume_mm3"]["n"] == 2  # the negative study's 0 mm3 counts
    _open_png((out / "bland_altman_volume_mm3.png").read_bytes())
    assert not list(out.glob("*.svg"))


def _record(case_id: str, volume: float, truth: float) -> CaseRecord:
    thrombus = {
        "assessed": True,
        "occlusion_class": "LVO" if volume else "none",
        "total_volume_mm3": volume,
        "thrombi": [{"label": 1, "volume_mm3": volume, "length_mm": volume / 5}] if volume else [],
        "warnings": [],
    }
    return CaseRecord(
        case_id=case_id,
        status="done",
        thrombus=thrombus,
        seconds=2.0,
        model_version="m",
        truth={"truth_volume_mm3": str(truth), "truth_occlusion_class": "LVO" if truth else "none"},
    )


def test_agreement_uses_the_evaluation_functions(tmp_path: Path) -> None:
    for i, (v, t) in enumerate(
        [(100.0, 90.0), (50.0, 55.0), (0.0, 0.0), (80.0, 85.0), (0.0, 20.0)]
    ):
        write_record(tmp_path, _record(f"c{i}", v, t))
    text = summarize(tmp_path)
    stats = json.loads((tmp_path / "cohort_stats.json").read_text())
    volume = stats["agreement"]["volume_mm3"]
    assert volume["n"] == 5 and -1 <= volume["ccc"]["ccc"] <= 1
    assert volume["errors"]["mean_error"] == pytest.approx((10 - 5 + 0 - 5 - 20) / 5)
    assert stats["agreement"]["occlusion"]["fn"] == 1
    assert stats["distributions"]["total_volume_mm3"]["median"] == 80.0
    assert "volume_mm3: n=5 CCC" in text


def test_summarize_an_empty_folder_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no batch case records"):
        summarize(tmp_path)


def _open_png(data: bytes) -> Image.Image:
    from PIL import Image

    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG" and image.size == (plot.WIDTH, plot.HEIGHT)
    return image.convert("RGB")


def _has_colour_near(
    image: Image.Image, xy: tuple[float, float], rgb: tuple[int, int, int], r: int = 2
) -> bool:
    x0, y0 = round(xy[0]), round(xy[1])
    return any(
        image.getpixel((x, y)) == rgb
        for x in range(x0 - r, x0 + r + 1)
        for y in range(y0 - r, y0 + r + 1)
    )


def test_bland_altman_png_draws_each_pair_where_its_values_say() -> None:
    # pairs (measured, reference): means 10, 20, 30 and differences +2, 0, -2 (bias 0,
    # SD 2, limits -/+ 3.92: the y range is the limits)
    image = _open_png(plot.bland_altman_png([11.0, 20.0, 29.0], [9.0, 20.0, 31.0], label="v"))
    left, right = plot.LEFT, plot.WIDTH - plot.RIGHT
    top, bottom = plot.TOP, plot.HEIGHT - plot.BOTTOM
    pad_x, pad_y = 20 * plot.PAD, 2 * 3.92 * plot.PAD

    def at(mean: float, diff: float) -> tuple[float, float]:
        x = left + (mean - (10 - pad_x)) / (20 + 2 * pad_x) * (right - left)
        y = bottom - (diff - (-3.92 - pad_y)) / (2 * 3.92 + 2 * pad_y) * (bottom - top)
        return x, y

    for mean, diff in ((10, 2), (20, 0), (30, -2)):
        assert _has_colour_near(image, at(mean, diff), plot.POINT_RGB), (mean, diff)
    assert not _has_colour_near(image, at(10, -2), plot.POINT_RGB)  # nothing where no pair is
    assert not _has_colour_near(image, at(30, 2), plot.POINT_RGB)
    # the bias line (0) and the limits of agreement, across the plot area
    for diff in (0.0, 3.92, -3.92):
        assert _has_colour_near(image, at(15, diff), plot.LINE_RGB, r=1), diff
    # axes, tick labels, title and notice put dark pixels outside the plot area
    assert image.crop((0, 0, plot.WIDTH, top - 8)).getextrema()[0][0] < 100  # title
    assert image.crop((0, plot.HEIGHT - 24, plot.WIDTH, plot.HEIGHT)).getextrema()[0][0] < 200
    assert image.crop((0, top, left - 2, bottom)).getextrema()[0][0] < 100  # y ticks


def test_bland_altman_png_with_identical_values() -> None:
    image = _open_png(plot.bland_altman_png([1.0, 1.0], [1.0, 1.0], label="a < b"))
    centre = ((plot.LEFT + plot.WIDTH - plot.RIGHT) / 2, (plot.TOP + plot.HEIGHT - plot.BOTTOM) / 2)
    assert _has_colour_near(image, centre, plot.POINT_RGB)
