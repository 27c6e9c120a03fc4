"""Labelled arterial centerlines of a family-A study in CTA patient coordinates (truth).

The tree is redrawn from the study's seeded streams (the same draws as
:func:`strokescope.phantom.study.generate_study`) and placed with the CTA's pose and motion.
Labels follow the TopCoW classes [TopCoW] with the parts the clot burden score needs:
"ICA infraclinoid" / "ICA supraclinoid" (the ICA inside its cistern, from the clinoid on),
"M1", "M2 superior" (the main trunk), "M2 inferior", "A1", "A2", "Acom", "Pcom", "P1",
"P2", "BA"; the vertebral arteries are "VA".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from strokescope.phantom.anatomy import draw_anatomy
from strokescope.phantom.grids import head_pose, motion_transform
from strokescope.phantom.options import PhantomOptions
from strokescope.phantom.vessel_variants import vary_vessels
from strokescope.phantom.vessels import (
    SITE_BASILAR,
    SITE_ICA,
    SITE_M1,
    SITE_P1,
    Segment,
    draw_vessels,
)


@dataclass(frozen=True, eq=False)
class TruthArtery:
    """One labelled stretch: points (n, 3) LPS mm on the CTA, radius (n,) mm."""

    label: str
    side: str  # "left", "right" or "mid"
    points: npt.NDArray[np.float64]
    radius: npt.NDArray[np.float64]


def _point_labels(seg: Segment) -> list[str]:
    name = seg.name
    if name.startswith("ICA-M1-M2"):
        supra = seg.sheath_hu < 0
        return [
            ("ICA supraclinoid" if sup else "ICA infraclinoid")
            if site == SITE_ICA
            else ("M1" if site == SITE_M1 else "M2 superior")
            for site, sup in zip(seg.site, supra, strict=True)
        ]
    if name.startswith("PCA"):
        return ["P1" if site == SITE_P1 else "P2" for site in seg.site]
    if seg.site[0] == SITE_BASILAR:
        return ["BA"] * len(seg.s)
    prefix = {
        "M2 inferior": "M2 inferior",
        "A1": "A1",
        "A2": "A2",
        "AComm": "Acom",
        "PComm": "Pcom",
        "vertebral": "VA",
    }
    label = next((v for k, v in prefix.items() if name.startswith(k)), "other")
    return [label] * len(seg.s)


def artery_truth(options: PhantomOptions) -> list[TruthArtery]:
    """The labelled arteries of the study ``options`` describes, on its CTA (LPS mm)."""
    o = options
    anatomy = draw_anatomy(np.random.default_rng([o.seed, 1]))
    segments = draw_vessels(np.random.default_rng([o.seed, 2]), anatomy)
    if o.vessel_scale is not None or o.tortuosity > 0 or o.cow_variant != "normal":
        segments = vary_vessels(segments, o, np.random.default_rng([o.seed, 5]))
    motion = motion_transform(np.random.default_rng([o.seed, 4]), o.motion_mm)
    to_cta = motion @ head_pose(o.rotation_deg)
    out = []
    for seg in segments:
        labels = np.asarray(_point_labels(seg))
        pts = seg.points @ to_cta[:3, :3].T + to_cta[:3, 3]
        cuts = np.flatnonzero(labels[1:] != labels[:-1]) + 1
        for a, b in zip(np.r_[0, cuts], np.r_[cuts, len(labels)], strict=True):
            out.append(TruthArtery(str(labels[a]), seg.side, pts[a:b], seg.radius[a:b]))
    return out
