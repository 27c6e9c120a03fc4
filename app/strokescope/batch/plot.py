"""A Bland-Altman plot as a small self-contained SVG file (no plotting library).

x: mean of measurement and reference; y: measurement minus reference; lines at the bias
and at the 95 % limits of agreement (bias -/+ 1.96 SD, from
:func:`strokescope.evaluation.volume_errors`). SVG rather than PNG because the package
has no plotting or font-rendering dependency; every browser and office program opens it.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import numpy as np

from strokescope.evaluation import volume_errors

WIDTH, HEIGHT = 560, 400
LEFT, RIGHT, TOP, BOTTOM = 70, 20, 40, 50


def _ticks(low: float, high: float, count: int = 5) -> list[float]:
    span = high - low
    raw = span / count if span > 0 else 1.0
    step = 10 ** np.floor(np.log10(raw))
    step *= next(m for m in (1, 2, 5, 10) if raw <= m * step)
    first = np.ceil(low / step) * step
    return [float(v) for v in np.arange(first, high + step * 0.5, step) if v <= high + 1e-9]


def _scale(low: float, high: float, a: float, b: float) -> tuple[float, float]:
    """Padded data range and the factor mapping it onto pixels a..b."""
    pad = (high - low) * 0.08 or max(abs(high), 1.0) * 0.1
    low, high = low - pad, high + pad
    return low, (b - a) / (high - low)


def bland_altman_svg(
    measured: Sequence[float], reference: Sequence[float], *, label: str = "value"
) -> str:
    """The SVG text of a Bland-Altman plot of paired values (at least one pair)."""
    m, r = np.asarray(measured, dtype=float), np.asarray(reference, dtype=float)
    mean, diff = (m + r) / 2, m - r
    errors = volume_errors(m, r)
    low_loa, high_loa = errors.limits_of_agreement
    lines = {"bias": errors.mean_error, "-1.96 SD": low_loa, "+1.96 SD": high_loa}
    x0, sx = _scale(float(mean.min()), float(mean.max()), LEFT, WIDTH - RIGHT)
    ys = [*diff, *lines.values()]
    y0, sy = _scale(min(ys), max(ys), 0, HEIGHT - TOP - BOTTOM)

    def px(x: float) -> float:
        return LEFT + (x - x0) * sx

    def py(y: float) -> float:
        return HEIGHT - BOTTOM - (y - y0) * sy

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'font-family="sans-serif" font-size="12">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        f'<text x="{WIDTH / 2}" y="22" text-anchor="middle" font-size="14">'
        f"Bland-Altman: {escape(label)} (n={m.size})</text>",
        f'<line x1="{LEFT}" y1="{HEIGHT - BOTTOM}" x2="{WIDTH - RIGHT}" '
        f'y2="{HEIGHT - BOTTOM}" stroke="black"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{HEIGHT - BOTTOM}" stroke="black"/>',
    ]
    x_hi = x0 + (WIDTH - RIGHT - LEFT) / sx
    for t in _ticks(x0, x_hi):
        out.append(
            f'<text x="{px(t):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle">{t:g}</text>'
        )
    for t in _ticks(y0, y0 + (HEIGHT - TOP - BOTTOM) / sy):
        out.append(f'<text x="{LEFT - 6}" y="{py(t) + 4:.1f}" text-anchor="end">{t:g}</text>')
    for name, value in lines.items():
        dash = "" if name == "bias" else ' stroke-dasharray="6 4"'
        out.append(
            f'<line x1="{LEFT}" y1="{py(value):.1f}" x2="{WIDTH - RIGHT}" y2="{py(value):.1f}" '
            f'stroke="#c0392b"{dash}/><text x="{WIDTH - RIGHT - 4}" y="{py(value) - 4:.1f}" '
            f'text-anchor="end" fill="#c0392b">{name} {value:.3g}</text>'
        )
    out.extend(
        f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3.5" fill="#2471a3"/>'
        for x, y in zip(mean, diff, strict=True)
    )
    out.append(
        f'<text x="{(LEFT + WIDTH - RIGHT) / 2}" y="{HEIGHT - 12}" text-anchor="middle">'
        f"mean of measurement and reference</text>"
    )
    out.append(
        f'<text x="16" y="{(TOP + HEIGHT - BOTTOM) / 2}" text-anchor="middle" '
        f'transform="rotate(-90 16 {(TOP + HEIGHT - BOTTOM) / 2})">'
        f"measurement - reference</text>"
    )
    out.append("</svg>")
    return "\n".join(out) + "\n"
