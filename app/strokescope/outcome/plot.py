"""ROC and calibration plots as PNG images, drawn with Pillow's ImageDraw (no plotting
library), in the manner of :mod:`strokescope.batch.plot`.

Both plots live in the unit square: the ROC curve (false- against true-positive rate) with
the chance diagonal, and the calibration plot (mean predicted against observed success
rate per decile of the predictions, dot area by count) with the ideal diagonal. The title
carries the numbers, the foot the research-use notice.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from strokescope import RESEARCH_ONLY

if TYPE_CHECKING:
    from PIL import Image, ImageDraw, ImageFont

    Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

SIZE = 520
LEFT, RIGHT, TOP, BOTTOM = 72, 24, 56, 76
CURVE_RGB = (36, 113, 163)
DIAGONAL_RGB = (150, 150, 150)
AXIS_RGB = (0, 0, 0)
NOTE_RGB = (90, 90, 90)
TICKS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


@lru_cache(maxsize=4)
def _font(size: int = 13) -> Font:
    from PIL import ImageFont

    return ImageFont.load_default(size=size)


def _px(x: float, y: float) -> tuple[float, float]:
    """Pixel of a point of the unit square (rows grow downwards)."""
    return LEFT + x * (SIZE - LEFT - RIGHT), SIZE - BOTTOM - y * (SIZE - TOP - BOTTOM)


def _frame(title: str, x_label: str, y_label: str) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    """A white image with axes, ticks, labels, the dashed diagonal and the notice."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (SIZE, SIZE), "white")
    draw = ImageDraw.Draw(image)
    draw.text((SIZE / 2, 22), title, fill=AXIS_RGB, font=_font(14), anchor="mm")
    draw.rectangle([_px(0, 1), _px(1, 0)], outline=AXIS_RGB)
    for t in TICKS:
        x, y0 = _px(t, 0)
        draw.line([(x, y0), (x, y0 + 4)], fill=AXIS_RGB)
        draw.text((x, y0 + 7), f"{t:g}", fill=AXIS_RGB, font=_font(), anchor="mt")
        x0, y = _px(0, t)
        draw.line([(x0 - 4, y), (x0, y)], fill=AXIS_RGB)
        draw.text((x0 - 7, y), f"{t:g}", fill=AXIS_RGB, font=_font(), anchor="rm")
    for i in range(0, 40, 2):
        draw.line([_px(i / 40, i / 40), _px((i + 1) / 40, (i + 1) / 40)], fill=DIAGONAL_RGB)
    draw.text(
        ((LEFT + SIZE - RIGHT) / 2, SIZE - BOTTOM + 26),
        x_label,
        fill=AXIS_RGB,
        font=_font(),
        anchor="mt",
    )
    label = Image.new("RGB", (SIZE - TOP - BOTTOM, 18), "white")
    ImageDraw.Draw(label).text(
        (label.width / 2, 9), y_label, fill=AXIS_RGB, font=_font(), anchor="mm"
    )
    image.paste(label.rotate(90, expand=True), (8, TOP))
    draw.text((SIZE / 2, SIZE - 10), RESEARCH_ONLY, fill=NOTE_RGB, font=_font(), anchor="ms")
    return image, draw


def _png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def roc_png(fpr: Sequence[float], tpr: Sequence[float], *, title: str) -> bytes:
    """The PNG bytes of a ROC curve through the points ``(fpr[i], tpr[i])``."""
    image, draw = _frame(title, "1 - specificity (false-positive rate)", "sensitivity")
    draw.line([_px(x, y) for x, y in zip(fpr, tpr, strict=True)], fill=CURVE_RGB, width=2)
    return _png(image)


def calibration_png(bins: Sequence[tuple[float, float, int]], *, title: str) -> bytes:
    """The PNG bytes of a calibration plot of ``(mean predicted, observed, count)`` bins."""
    image, draw = _frame(title, "predicted probability of success", "observed success rate")
    most = max((n for _, _, n in bins), default=1)
    points = [_px(p, o) for p, o, _ in bins]
    if len(points) > 1:
        draw.line(points, fill=CURVE_RGB, width=1)
    for (x, y), (_, _, n) in zip(points, bins, strict=True):
        r = 3 + 5 * (n / most) ** 0.5
        draw.ellipse([x - r, y - r, x + r, y + r], fill=CURVE_RGB)
    return _png(image)
