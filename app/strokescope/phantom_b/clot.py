"""Where the family B clot goes, and which vessel pieces it leaves normal or under-filled.

A clot is an arc range ``[s0, s1]`` of one artery: the terminal ICA ("ICA"), the proximal
or distal M1 ("M1"), or the first part of one M2 branch ("M2"). It fills the lumen (radius
90-100 % of the vessel's) between two flat faces. Everything the clot cuts off fills only
by collaterals: on the CTA it gets ``distal_fraction`` (0-60 %) of the normal enhancement.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from strokescope.phantom_b.tubes import Tube

F64 = npt.NDArray[np.float64]
NORMAL, DISTAL, CLOT, VEIN = 0, 1, 2, 3
SITES = ("none", "ICA", "M1", "M2")
OCCLUSION_CLASS = {"none": "none", "ICA": "LVO", "M1": "LVO", "M2": "MeVO"}


@dataclass(frozen=True)
class ClotPlan:
    site: str
    side: str
    branch: str  # tube name holding the clot
    s0: float  # arc position of the proximal face, mm (head frame, before scaling)
    s1: float  # arc position of the distal face
    radius_scale: float
    hu_ncct: float  # 50-80
    perviousness: float  # CTA minus NCCT inside the clot, 0-25
    distal_fraction: float  # 0-0.6 of normal enhancement beyond the clot

    @property
    def length(self) -> float:
        return self.s1 - self.s0


@dataclass(frozen=True, eq=False)
class Piece:
    """One drawable stretch of a vessel: its class, centreline and radii (head frame)."""

    kind: int
    points: F64
    radii: F64
    caps: bool = False


def plan_clot(
    tubes: dict[str, Tube], site: str, side: str, rng: np.random.Generator
) -> ClotPlan | None:
    """Draw the clot's position and attenuation; ``None`` when ``site`` is "none"."""
    if site == "none":
        return None
    x = side[0].upper()
    want = rng.uniform(5.0, 30.0)
    if site == "ICA":
        branch = f"ICA_{x}"
        s1 = tubes[branch].length - rng.uniform(0.0, 2.0)
        s0 = s1 - want
    elif site == "M1":
        branch = f"M1_{x}"
        ln = tubes[branch].length
        want = min(want, ln - 1.5)
        if rng.random() < 0.5:  # proximal M1
            s0 = rng.uniform(0.5, max(ln - want - 0.5, 0.6))
            s0 = min(s0, 3.0)
        else:  # distal M1, ends just before the bifurcation
            s0 = ln - rng.uniform(0.5, 1.5) - want
        s1 = s0 + want
    else:
        m2 = sorted(n for n in tubes if n.startswith("M2") and n.endswith(f"_{x}"))
        branch = m2[int(rng.integers(len(m2)))]
        want = min(want, tubes[branch].length - 8.0)
        s0 = rng.uniform(1.0, 4.0)
        s1 = s0 + want
    return ClotPlan(
        site=site,
        side=side,
        branch=branch,
        s0=float(s0),
        s1=float(s1),
        radius_scale=float(rng.uniform(0.92, 1.0)),
        hu_ncct=float(rng.uniform(50.0, 80.0)),
        perviousness=float(rng.uniform(0.0, 25.0)),
        distal_fraction=float(rng.uniform(0.0, 0.6)),
    )


def _subtree(tubes: dict[str, Tube], name: str) -> set[str]:
    out, todo = set(), [name]
    while todo:
        n = todo.pop()
        out.add(n)
        todo += tubes[n].children
    return out


def vessel_pieces(
    arteries: dict[str, Tube], sinuses: dict[str, Tube], plan: ClotPlan | None
) -> list[Piece]:
    """Every stretch to draw, normal pieces first, then under-filled, veins, clot last."""
    distal: set[str] = set()
    if plan is not None:
        start = plan.branch.replace("ICA", "M1") if plan.site == "ICA" else plan.branch
        distal = _subtree(arteries, start) - {plan.branch}
    pieces: list[Piece] = []
    for name, tube in arteries.items():
        if plan is not None and name == plan.branch:
            p, r = tube.piece(0.0, plan.s0)
            pieces.append(Piece(NORMAL, p, r))
            if tube.length - plan.s1 > 0.2:
                p, r = tube.piece(plan.s1, tube.length)
                pieces.append(Piece(DISTAL, p, r))
            p, r = tube.piece(plan.s0, plan.s1)
            pieces.append(Piece(CLOT, p, r * plan.radius_scale, caps=True))
        else:
            pieces.append(Piece(DISTAL if name in distal else NORMAL, tube.points, tube.radii))
    pieces += [Piece(VEIN, t.points, t.radii) for t in sinuses.values()]
    order = {NORMAL: 0, DISTAL: 1, VEIN: 2, CLOT: 3}
    return sorted(pieces, key=lambda q: order[q.kind])
