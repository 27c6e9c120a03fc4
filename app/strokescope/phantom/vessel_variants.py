"""Variations of a drawn arterial tree: calibre, tortuosity and circle-of-Willis variants.

Applied after :func:`strokescope.phantom.vessels.draw_vessels` with their own random
stream, so a study without them keeps its tree bit for bit.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import numpy.typing as npt

from strokescope.phantom.options import PhantomOptions
from strokescope.phantom.shapes import Waves
from strokescope.phantom.splines import arc_length
from strokescope.phantom.vessels import SITE_P1, Segment

TORTUOSITY_MM = 3.5
"""Displacement amplitude (SD per axis, mm) at ``tortuosity`` 1."""
TORTUOSITY_WAVELENGTH_MM = (14.0, 40.0)
HYPOPLASTIC = 0.4
"""Radius factor of a hypoplastic A1 or P1 (about 0.7 mm across)."""


def _with_radius(g: Segment, radius: npt.NDArray[np.float64]) -> Segment:
    """``g`` with a new lumen radius; the sheath keeps its width around the lumen."""
    return replace(g, radius=radius, sheath=np.maximum(g.sheath + radius - g.radius, radius + 0.6))


def _displace(segments: list[Segment], rng: np.random.Generator, amount: float) -> list[Segment]:
    """Move every centerline point by one smooth random field (junctions stay joined)."""
    fields = [Waves.random(rng, count=6, wavelength_mm=TORTUOSITY_WAVELENGTH_MM) for _ in "xyz"]
    sd = np.float32(TORTUOSITY_MM * amount)
    moved: dict[str, tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]] = {}
    out = []
    for g in segments:
        p = g.points.astype(np.float32)
        shift = np.stack([f(p[:, 0], p[:, 1], p[:, 2]) * sd for f in fields], axis=1)
        points = g.points + shift.astype(np.float64)
        s = arc_length(points)
        moved[g.name] = (g.s, s)
        out.append(replace(g, points=points, s=s))
    for k, g in enumerate(out):
        if g.parent in moved and g.parent_s > 0:
            old, new = moved[g.parent]
            out[k] = replace(g, parent_s=float(np.interp(g.parent_s, old, new)))
    return out


def _variant(segments: list[Segment], variant: str, side: str) -> list[Segment]:
    by_name = {g.name: k for k, g in enumerate(segments)}
    out = list(segments)

    def scale(name: str, factor: float | npt.NDArray[np.float64]) -> None:
        g = out[by_name[name]]
        out[by_name[name]] = _with_radius(g, g.radius * factor)

    pca = out[by_name[f"PCA {side}"]]
    p1 = pca.site == SITE_P1
    if variant == "hypoplastic_a1":
        scale(f"A1 {side}", HYPOPLASTIC)
        other = "right" if side == "left" else "left"
        scale(f"A1 {other}", 1.2)
        scale("AComm", 1.4)
    elif variant == "fetal_pca":
        scale(f"PCA {side}", np.where(p1, HYPOPLASTIC, 1.0))
        scale(
            f"PComm {side}",
            float(pca.radius[~p1][:5].mean() / out[by_name[f"PComm {side}"]].radius.mean()),
        )
    elif variant == "absent_p1":
        keep = ~p1
        first = int(np.argmax(keep))
        s = pca.s[keep] - pca.s[first]
        out[by_name[f"PCA {side}"]] = replace(
            pca,
            points=pca.points[keep],
            radius=pca.radius[keep],
            sheath=pca.sheath[keep],
            sheath_hu=pca.sheath_hu[keep],
            s=s,
            site=pca.site[keep],
            parent=f"PComm {side}",
        )
        pcom = out[by_name[f"PComm {side}"]]
        scale(f"PComm {side}", float(pca.radius[first] / pcom.radius.mean()))
    return out


def vary_vessels(
    segments: list[Segment], options: PhantomOptions, rng: np.random.Generator
) -> list[Segment]:
    """Apply ``vessel_scale``, ``cow_variant`` and ``tortuosity`` of ``options`` to the tree.

    The variant's side is drawn from ``rng``; an absent P1 goes opposite a P1 clot.
    """
    side = str(rng.choice(["left", "right"]))
    if options.cow_variant == "absent_p1" and options.occlusion == "P1":
        side = "right" if options.side == "left" else "left"
    out = list(segments)
    if options.vessel_scale is not None and options.vessel_scale != 1.0:
        out = [_with_radius(g, g.radius * options.vessel_scale) for g in out]
    if options.cow_variant != "normal":
        out = _variant(out, options.cow_variant, side)
    if options.tortuosity > 0:
        out = _displace(out, rng, options.tortuosity)
    return out
