"""Small line plots in the PDF: CTA and NCCT along each clot's axis, and along the labelled
arterial segments the clots lie on or whose column drops.

The reader's check of the network's call: on CTA the contrast column runs up to the clot and
drops along it (the shaded span), and NCCT is raised along it. Data from
:class:`strokescope.thrombus.result.AxialProfile` and, when the arterial tree was traced, the
segments' :class:`strokescope.vessels.result.Profile` (shaded: the non-opacified run); drawn
with the PDF writer's lines and text.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from strokescope.outputs.pdf_writer import Page
from strokescope.thrombus.result import AxialProfile, ThrombusResult

PLOT_H = 110.0
LEGEND = (
    "HU along each clot's axis and 10 mm beyond its ends: CTA black, NCCT grey; shaded, the "
    "clot; mm from one end. Contrast up to the clot and a drop along it is the filling defect."
)
TREE_LEGEND = (
    "Arterial tree (research, checked on one phantom family): HU along each labelled segment "
    "that holds a clot or whose column drops, mm from the ICA terminus (basilar: from its "
    "tip); shaded, where contrast does not fill it."
)
CTA_GRAY = 0.0
NCCT_GRAY = 0.6


@dataclass(frozen=True)
class ProfilePlot:
    """What one plot shows: a title, the profile and where the clot lies on it (mm)."""

    title: str
    profile: AxialProfile
    shaded_mm: tuple[float, float]
    """Where the clot (or the non-opacified run) lies on the profile."""


def profile_plots(thrombus: ThrombusResult | None) -> list[ProfilePlot]:
    """A plot for each thrombus that carries a profile."""
    if thrombus is None:
        return []
    return [
        ProfilePlot(
            f"Thrombus {t.label} ({t.segment}, {t.side})", t.axial_profile, (0.0, t.length_mm)
        )
        for t in thrombus.thrombi
        if t.axial_profile is not None and len(t.axial_profile.distance_mm) >= 2
    ]


MAX_TREE_PLOTS = 6
"""Segment plots at most (a tree that fails on a scan can report many drops): the segments
the clots lie on first, then those whose column drops, in the tree's order."""


def tree_plots(thrombus: ThrombusResult | None) -> list[ProfilePlot]:
    """A plot for each labelled segment a thrombus lies on or whose column drops (at most
    :data:`MAX_TREE_PLOTS`)."""
    from strokescope.vessels.result import NOT_OPACIFIED

    reading = None if thrombus is None else thrombus.arteries
    if reading is None:
        return []
    on = {(c.segment, c.side) for c in reading.clots}
    chosen = sorted(
        (s for s in reading.tree.segments if (s.label, s.side) in on or s.status == NOT_OPACIFIED),
        key=lambda s: (s.label, s.side) not in on,
    )
    out = []
    for seg in chosen[:MAX_TREE_PLOTS]:
        p = seg.profile
        if len(p.distance_mm) < 2:
            continue
        gap = np.asarray(p.distance_mm)[~np.asarray(p.opacified)]
        span = (float(gap.min()), float(gap.max())) if len(gap) else (0.0, 0.0)
        ncct = np.asarray(p.cta_hu) - np.asarray(p.enhancement_hu)
        profile = AxialProfile(
            tuple(float(v) for v in p.distance_mm),
            tuple(float(v) for v in p.cta_hu),
            tuple(float(v) for v in ncct),
        )
        out.append(
            ProfilePlot(f"{seg.side.capitalize()} {seg.label} ({seg.status})", profile, span)
        )
    return out


def draw_profile(page: Page, plot: ProfilePlot, x: float, y: float, w: float) -> None:
    """Draw ``plot`` with its lower-left corner at (x, y), ``w`` wide and ``PLOT_H`` high."""
    d = np.asarray(plot.profile.distance_mm)
    series = (np.asarray(plot.profile.cta_hu), np.asarray(plot.profile.ncct_hu))
    lo = min(-50.0, float(min(s.min() for s in series)))
    hi = max(150.0, float(max(s.max() for s in series)))
    left, bottom = x + 34.0, y + 16.0
    pw, ph = w - 40.0, PLOT_H - 34.0

    def px(v: float) -> float:
        return left + (v - d[0]) / max(d[-1] - d[0], 1e-6) * pw

    def py(v: float) -> float:
        return bottom + (v - lo) / (hi - lo) * ph

    a, b = plot.shaded_mm
    clot0, clot1 = px(max(a, float(d[0]))), px(min(b, float(d[-1])))
    page.box(clot0, bottom, max(clot1 - clot0, 0.5), ph, fill=(0.99, 0.9, 0.86))
    page.line(left, bottom, left + pw, bottom, width=0.5, gray=0.4)
    page.line(left, bottom, left, bottom + ph, width=0.5, gray=0.4)
    for hu in (0.0, 100.0, 200.0, 300.0, 400.0, 500.0):
        if lo <= hu <= hi:
            page.line(left - 3, py(hu), left, py(hu), width=0.5, gray=0.4)
            page.text(left - 5, py(hu) - 2.5, f"{hu:.0f}", size=6.5, align="right")
    for mm in range(int(np.ceil(d[0] / 10.0)) * 10, int(d[-1]) + 1, 10):
        page.line(px(mm), bottom - 3, px(mm), bottom, width=0.5, gray=0.4)
        page.text(px(mm), bottom - 11, f"{mm}", size=6.5, align="center")
    for values, gray, width in ((series[1], NCCT_GRAY, 0.9), (series[0], CTA_GRAY, 1.2)):
        for k in range(len(d) - 1):
            page.line(
                px(d[k]), py(values[k]), px(d[k + 1]), py(values[k + 1]), width=width, gray=gray
            )
    page.text(x, y + PLOT_H - 8, plot.title, size=8.5, font="bold")
