"""Labelled arterial centerlines of a family-B case in CTA patient coordinates (truth).

Redraws the case's seeded anatomy stream and acquisition stream in the order of
:func:`strokescope.phantom_b.case.generate_case_b` and places the arteries with the CTA's
pose. Labels are TopCoW classes [TopCoW]: "ICA infraclinoid" / "ICA supraclinoid" (the
last 30 centerline points, the stretch in its CSF sleeve), "M1", "M2 superior" (the
branch ending highest), "M2 inferior" (ending lowest), "M2" (a middle third branch),
"A1", "A2", "Acom", "Pcom", "P1", "P2", "BA", "VA"; M3 and SCA are "other".
"""

from __future__ import annotations

from typing import Literal

import numpy as np

from strokescope.phantom.artery_truth import TruthArtery
from strokescope.phantom_b import case as K
from strokescope.phantom_b.arteries import build_arteries, build_sinuses
from strokescope.phantom_b.frame import Pose, rotation_matrix
from strokescope.phantom_b.head import sample_head
from strokescope.phantom_b.structures import structure_list
from strokescope.phantom_b.tissues import tissue_tables
from strokescope.phantom_b.tubes import Tube

SUPRACLINOID_POINTS = 30


def _poses(seed: int, quick: bool) -> tuple[dict[str, Tube], Pose, Pose]:
    anat_rng = np.random.default_rng([seed, 11])
    shape = sample_head(anat_rng)
    arteries = build_arteries(anat_rng)
    build_sinuses(shape, anat_rng)
    structure_list(shape, anat_rng)
    tissue_tables(anat_rng)
    anat_rng.uniform(38.0, 48.0)
    anat_rng.uniform(250.0, 450.0)
    anat_rng.uniform(40.0, 50.0), anat_rng.uniform(150.0, 300.0)
    rot = rotation_matrix(anat_rng.normal(size=3), anat_rng.uniform(-10.0, 10.0))
    trans = np.array([anat_rng.uniform(-3, 3), anat_rng.uniform(-8, 8), anat_rng.uniform(-5, 5)])
    pose = Pose(rot, trans, float(anat_rng.uniform(0.9, 1.1)))
    acq = np.random.default_rng([seed, 14, int(quick)])
    K._grid(acq, pose, quick)
    motion = rotation_matrix(acq.normal(size=3), acq.uniform(0.0, 2.0))
    shift = acq.normal(size=3)
    shift *= acq.uniform(0.0, 2.0) / np.linalg.norm(shift)
    return arteries, pose.moved(motion, shift), pose


def _label(name: str, arteries: dict[str, Tube]) -> str:
    kind = name.split("_")[0]
    if kind.startswith("M2"):
        side = name.split("_")[1]
        m2 = sorted(
            (n for n in arteries if n.startswith("M2") and n.endswith(side)),
            key=lambda n: arteries[n].points[-1][2],
        )
        return "M2 superior" if name == m2[-1] else ("M2 inferior" if name == m2[0] else "M2")
    fixed = {"M1": "M1", "A1": "A1", "A2": "A2", "P1": "P1", "P2": "P2", "Pcom": "Pcom"}
    fixed.update({"Acom": "Acom", "BA": "BA", "VA": "VA"})
    return fixed.get(kind, "other")


def artery_truth_b(
    seed: int, *, quick: bool, on: Literal["cta", "ncct"] = "cta"
) -> list[TruthArtery]:
    """The labelled arteries of family-B case ``seed`` on its CTA (LPS mm), or on its NCCT
    (``on="ncct"``: without the motion between the two scans)."""
    if on not in ("cta", "ncct"):
        raise ValueError(f"on must be 'cta' or 'ncct', got {on!r}")
    arteries, pose_cta, pose_ncct = _poses(int(seed), quick)
    pose = pose_ncct if on == "ncct" else pose_cta
    out = []
    for name, tube in arteries.items():
        side = {"L": "left", "R": "right"}.get(name.rsplit("_", 1)[-1], "mid")
        pts = pose.to_world(tube.points)
        radius = tube.radii * pose.scale
        if name.startswith("ICA"):
            k = max(0, len(pts) - SUPRACLINOID_POINTS)
            out.append(TruthArtery("ICA infraclinoid", side, pts[:k], radius[:k]))
            out.append(TruthArtery("ICA supraclinoid", side, pts[k:], radius[k:]))
        else:
            out.append(TruthArtery(_label(name, arteries), side, pts, radius))
    return out
