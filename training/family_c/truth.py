"""Labelled arterial centerlines of a family-C case in world (LPS) coordinates (truth).

The tree is rebuilt from the case's seeded draws (:func:`training.family_c.case.build_parts`,
no rendering) and placed with the case's pose. Family C draws arteries by kind, not by
TopCoW segment, so the labels are coarser than family A's: "ICA" (the whole internal
carotid in the field), "M1" (the middle-cerebral trunk), "M2" (its branches), "A" (the
anterior cerebral artery, A1 and A2 together), "BA" and "P" (the posterior cerebral
artery, P1 and P2 together). Connecting and small side branches carry no label.
"""

from __future__ import annotations

from strokescope.phantom.artery_truth import TruthArtery
from training.family_c.case import build_parts
from training.family_c.options import draw_options

LABELS = {
    "ica": "ICA",
    "mca_trunk": "M1",
    "mca_branch": "M2",
    "aca": "A",
    "basilar": "BA",
    "posterior": "P",
}
SIDES = {1: "left", -1: "right", 0: "mid"}
"""The head frame's x points to the patient's left (``training.family_c.fields``)."""


def artery_truth_c(seed: int, index: int, *, tiny: bool = False) -> list[TruthArtery]:
    """The labelled arteries of case ``index`` of ``seed`` (see the module docstring)."""
    parts = build_parts(draw_options(seed, index, tiny=tiny))
    return [
        TruthArtery(
            LABELS[seg.kind],
            SIDES[int(seg.side)],
            parts.pose.to_world(seg.points),
            seg.radius.copy(),
        )
        for seg in parts.segments
        if seg.kind in LABELS
    ]
