"""The thrombus and the blood/contrast value of every artery sample.

A clot is placed on a segment of the drawn kind (weighted toward large arteries), fills the
lumen over 3-40 mm of centreline, and changes what lies downstream: every sample fed
through it (the rest of its segment and every descendant attached past the clot's start)
fills only by collaterals. Past the clot the contrast rises smoothly from none at the clot's
end to ``distal_filling`` of the lumen's, reached ``distal_start_mm`` downstream.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from training.family_c.arteries import Segment
from training.family_c.fields import F64
from training.family_c.options import ClotOptions, VesselOptions

FALLBACK_SITE = "mca_trunk"


@dataclass(frozen=True)
class ClotPlacement:
    """Where the clot lies: segment index and arc range (mm from the segment's start)."""

    segment: int
    start_mm: float
    end_mm: float
    kind: str

    @property
    def length_mm(self) -> float:
        return self.end_mm - self.start_mm


@dataclass(frozen=True)
class VesselValues:
    """Per segment, per sample: NCCT and CTA lumen HU, clot radius (0 outside the clot)."""

    ncct: list[F64]
    cta: list[F64]
    clot_radius: list[F64]
    clot_ncct_hu: float
    clot_cta_hu: float


def place_clot(
    opts: ClotOptions,
    segments: list[Segment],
    rng: np.random.Generator,
    *,
    scale: float,
    min_length: float,
) -> ClotPlacement | None:
    """Choose the clot's segment and extent, or None when the case has no clot."""
    if not opts.present:
        return None
    for kind in (opts.site, FALLBACK_SITE, "ica"):
        room = [
            i
            for i, seg in enumerate(segments)
            if seg.kind == kind and seg.length >= min_length + (8 * scale if seg.parent < 0 else 1)
        ]
        if room:
            break
    else:
        return None
    sided = [i for i in room if segments[i].side in (opts.side, 0)] or room
    i = int(rng.choice(sided))
    seg = segments[i]
    lead = 6.0 * scale if seg.parent < 0 else 0.0
    avail = seg.length - lead - 0.5 * scale
    length = float(np.clip(opts.length_mm * scale, min_length, avail))
    start = lead + opts.position * (avail - length)
    return ClotPlacement(i, start, start + length, seg.kind)


def downstream_mm(segments: list[Segment], clot: ClotPlacement | None) -> list[F64]:
    """Distance along the flow from the clot's end for every sample fed through the clot
    (inf for the others and for the clot itself)."""
    out: list[F64] = []
    for i, seg in enumerate(segments):
        arc = seg.arc
        dist = np.full(len(arc), np.inf)
        if clot is not None and i == clot.segment:
            after = arc > clot.end_mm
            dist[after] = arc[after] - clot.end_mm
        elif seg.parent >= 0:
            attach = segments[seg.parent].arc[seg.attach]
            if clot is not None and seg.parent == clot.segment and attach >= clot.start_mm:
                base = max(attach - clot.end_mm, 0.0)
            else:
                base = float(out[seg.parent][seg.attach])
            dist = base + arc
        out.append(dist)
    return out


def _smoothstep(t: F64) -> F64:
    t = np.clip(t, 0.0, 1.0)
    return t * t * (3 - 2 * t)


def _clot_radius(
    seg: Segment, clot: ClotPlacement, opts: ClotOptions, rng: np.random.Generator
) -> F64:
    arc = seg.arc
    inside = (arc >= clot.start_mm) & (arc <= clot.end_mm)
    radius = seg.radius * opts.radius_factor
    if opts.irregular > 0:
        wave = np.zeros(len(arc))
        for _ in range(3):
            wavelength = rng.uniform(1.5, 5.0)
            wave += np.sin(2 * np.pi * arc / wavelength + rng.uniform(0, 2 * np.pi))
        radius = radius * (1 + opts.irregular * wave / np.sqrt(1.5))
    to_end = np.minimum(arc - clot.start_mm, clot.end_mm - arc)
    cap = np.sqrt(np.clip(to_end / (0.7 * seg.radius + 1e-6) + 0.3, 0.0, 1.0))
    return np.where(inside, radius * cap, 0.0)


def vessel_values(
    segments: list[Segment],
    clot: ClotPlacement | None,
    vessels: VesselOptions,
    opts: ClotOptions,
    rng: np.random.Generator,
    *,
    scale: float,
) -> VesselValues:
    """Lumen HU on both scans for every sample, and the clot's radius profile."""
    blood = vessels.blood_hu
    down = downstream_mm(segments, clot)
    start = max(opts.distal_start_mm * scale, 1e-3)
    clot_cta = opts.ncct_hu + opts.perviousness_hu
    ncct, cta, radius = [], [], []
    for i, seg in enumerate(segments):
        lumen = vessels.lumen_hu * rng.uniform(0.85, 1.15)
        dist = down[i]
        fed = np.isfinite(dist)
        fill = opts.distal_filling * _smoothstep(np.where(fed, dist, 0.0) / start)
        value = np.where(fed, blood + (lumen - blood) * fill, lumen)
        r = np.zeros(len(dist))
        if clot is not None and i == clot.segment:
            r = _clot_radius(seg, clot, opts, rng)
            arc = seg.arc
            within = (arc >= clot.start_mm) & (arc <= clot.end_mm)
            value = np.where(within, blood + opts.perviousness_hu, value)
        ncct.append(np.full(len(dist), blood))
        cta.append(value)
        radius.append(r)
    return VesselValues(ncct, cta, radius, opts.ncct_hu, clot_cta)


def upstream_points(segments: list[Segment], clot: ClotPlacement, scale: float) -> F64:
    """Centreline points 2-8 mm upstream of the clot (head frame), for checks."""
    lo, hi = clot.start_mm - 8 * scale, clot.start_mm - 2 * scale
    seg = segments[clot.segment]
    arc = seg.arc
    pts = [seg.points[(arc >= lo) & (arc <= hi)]]
    if lo < 0 and seg.parent >= 0:
        parent = segments[seg.parent]
        a = parent.arc[seg.attach]
        pa = parent.arc
        pts.append(parent.points[(pa >= a + lo) & (pa <= a - 2 * scale)])
    return np.concatenate(pts, axis=0)
