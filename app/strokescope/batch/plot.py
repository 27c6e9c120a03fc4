"""A Bland-Altman plot as a PNG image, drawn with Pillow's ImageDraw (no plotting library).

x: mean of measurement and reference; y: measurement minus reference; lines at the bias
and at the 95 % limits of agreement (bias -/+ 1.96 SD, from
:func:`strokescope.evaluation.volume_errors`); axes with tick labels, a title with the
number of pairs and the research-use notice at the foot.

Layout: the image is :data:`WIDTH` x :data:`HEIGHT` pixels; the plot area spans
``LEFT..WIDTH-RIGHT`` across and ``TOP..HEIGHT-BOTTOM`` down. Each axis shows the data
range padded by :data:`PAD` of its span on both sides (a range of zero width is padded by
10 % of its value, at least 0.1), so a point lies where these numbers say.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from strokescope import RESEARCH_ONLY
from strokescope.evaluation import volume_errors

if TYPE_CHECKING:
    from PIL import Image, ImageDraw, ImageFont

    Font = ImageFont.FreeTypeFont | ImageFont.ImageFont

WIDTH, HEIGHT = 720, 520
LEFT, RIGHT, TOP, BOTTOM = 80, 24, 48, 84
PAD = 0.08
POINT_RADIUS = 4
POINT_RGB = (36, 113, 163)  # #2471a3
LINE_RGB = (192, 57, 43)  # #c0392b
AXIS_RGB = (0, 0, 0)
NOTE_RGB = (90, 90, 90)
FONT_PX = 13


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    span = high - low
    raw = span / count if span > 0 else 1.0
    step = 10 ** np.floor(np.log10(raw))
    step *= next(m for m in (1, 2, 5, 10) if raw <= m * step)
    first = np.ceil(low / step) * step
    return [float(v) for v in np.arange(first, high + step * 0.5, step) if v <= high + 1e-9]


@dataclass(frozen=True)
class Axis:
    """A padded data range ``low..high`` mapped onto pixels ``a..b``."""

    low: float
    high: float
    a: float
    b: float

    @classmethod
    def fit(cls, low: float, high: float, a: float, b: float) -> Axis:
        pad = (high - low) * PAD or max(abs(high) * 0.1, 0.1)
        return cls(low - pad, high + pad, a, b)

    def __call__(self, value: float) -> float:
        return self.a + (value - self.low) * (self.b - self.a) / (self.high - self.low)


@lru_cache(maxsize=4)
def _font(size: int = FONT_PX) -> Font:
    """Pillow's built-in font at ``size`` pixels (scalable: Pillow's wheels carry FreeType)."""
    from PIL import ImageFont

    return ImageFont.load_default(size=size)


def _text(
    draw: ImageDraw.ImageDraw,
    xy: tuple[float, float],
    text: str,
    anchor: str,
    *,
    fill: tuple[int, int, int] = AXIS_RGB,
    font: Font | None = None,
) -> None:
    """``text`` at ``xy`` by Pillow's two-letter ``anchor`` (e.g. "mt": middle, top)."""
    draw.text(xy, text, fill=fill, font=font or _font(), anchor=anchor)


def _dashed(draw: ImageDraw.ImageDraw, y: float, dash: int = 6, gap: int = 4) -> None:
    for x in range(LEFT, WIDTH - RIGHT, dash + gap):
        draw.line([(x, y), (min(x + dash, WIDTH - RIGHT), y)], fill=LINE_RGB, width=1)


def _vertical_label(image: Image.Image, text: str, centre: tuple[float, float]) -> None:
    """``text`` rotated by 90 degrees (reading upwards), centred on ``centre``."""
    from PIL import Image, ImageDraw

    font = _font()
    box = [round(v) for v in ImageDraw.Draw(image).textbbox((0, 0), text, font=font)]
    label = Image.new("RGB", (box[2] - box[0] + 4, box[3] - box[1] + 4), "white")
    ImageDraw.Draw(label).text((2 - box[0], 2 - box[1]), text, fill=AXIS_RGB, font=font)
    turned = label.rotate(90, expand=True)
    image.paste(turned, (round(centre[0] - turned.width / 2), round(centre[1] - turned.height / 2)))


def bland_altman_png(
    measured: Sequence[float], reference: Sequence[float], *, label: str = "value"
) -> bytes:
    """The PNG bytes of a Bland-Altman plot of paired values (at least one pair)."""
    from PIL import Image, ImageDraw

    m, r = np.asarray(measured, dtype=float), np.asarray(reference, dtype=float)
    mean, diff = (m + r) / 2, m - r
    errors = volume_errors(m, r)
    low_loa, high_loa = errors.limits_of_agreement
    bias = errors.mean_error
    px = Axis.fit(float(mean.min()), float(mean.max()), LEFT, WIDTH - RIGHT)
    ys = [*diff, bias, low_loa, high_loa]
    py = Axis.fit(min(ys), max(ys), HEIGHT - BOTTOM, TOP)  # pixel rows grow downwards

    image = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(image)
    _text(draw, (WIDTH / 2, 24), f"Bland-Altman: {label} (n={m.size})", "mm", font=_font(15))
    draw.line([(LEFT, HEIGHT - BOTTOM), (WIDTH - RIGHT, HEIGHT - BOTTOM)], fill=AXIS_RGB)
    draw.line([(LEFT, TOP), (LEFT, HEIGHT - BOTTOM)], fill=AXIS_RGB)
    for t in _ticks(px.low, px.high):
        draw.line([(px(t), HEIGHT - BOTTOM), (px(t), HEIGHT - BOTTOM + 4)], fill=AXIS_RGB)
        _text(draw, (px(t), HEIGHT - BOTTOM + 7), f"{t + 0.0:g}", "mt")
    for t in _ticks(py.low, py.high):
        draw.line([(LEFT - 4, py(t)), (LEFT, py(t))], fill=AXIS_RGB)
        _text(draw, (LEFT - 7, py(t)), f"{t + 0.0:g}", "rm")
    # bias labelled at the left above its line, the limits at the right above (upper) and
    # below (lower) theirs: the three stay apart even when the lines coincide
    draw.line([(LEFT, py(bias)), (WIDTH - RIGHT, py(bias))], fill=LINE_RGB, width=1)
    _text(draw, (LEFT + 6, py(bias) - 3), f"bias {bias:.3g}", "lb", fill=LINE_RGB)
    for name, value, anchor, dy in (
        ("+1.96 SD", high_loa, "rb", -3),
        ("-1.96 SD", low_loa, "rt", 3),
    ):
        _dashed(draw, py(value))
        _text(
            draw, (WIDTH - RIGHT - 4, py(value) + dy), f"{name} {value:.3g}", anchor, fill=LINE_RGB
        )
    for x, y in zip(mean, diff, strict=True):
        cx, cy = px(float(x)), py(float(y))
        box = [cx - POINT_RADIUS, cy - POINT_RADIUS, cx + POINT_RADIUS, cy + POINT_RADIUS]
        draw.ellipse(box, fill=POINT_RGB)
    _text(
        draw,
        ((LEFT + WIDTH - RIGHT) / 2, HEIGHT - BOTTOM + 28),
        "mean of measurement and reference",
        "mt",
    )
    _vertical_label(image, "measurement - reference", (18, (TOP + HEIGHT - BOTTOM) / 2))
    _text(draw, (WIDTH / 2, HEIGHT - 10), RESEARCH_ONLY, "ms", fill=NOTE_RGB)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
