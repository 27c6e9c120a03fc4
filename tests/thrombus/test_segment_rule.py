"""The segment rule (``strokescope.thrombus.anatomy.segment_of``) on drawn clot courses.

Each clot is a straight run of voxels on a 0.5 mm grid whose midsagittal plane is x = 0
(LPS: +x is the patient's left); its centerline comes from the measurement code.
"""

from __future__ import annotations

import numpy as np
import pytest

from strokescope.thrombus.analysis import segment_rule
from strokescope.thrombus.anatomy import Plane, SegmentRule, segment_of
from strokescope.thrombus.centerline import centerline
from strokescope.thrombus.rules import rules_from_manifest
from strokescope.volume import Geometry

SPACING = 0.5
GRID = Geometry((160, 160, 200), (SPACING,) * 3, (-50.0, -40.0, -40.0), np.eye(3))
PLANE = Plane((0.0, 0.0, 0.0), (1.0, 0.0, 0.0))
BRANCH = SegmentRule(lateral_branch_max_medial_mm=10.0)


def _clot(
    start_mm: tuple[float, float, float],
    end_mm: tuple[float, float, float],
    rule: SegmentRule | None = None,
) -> str:
    """Segment of a 2 mm thick clot drawn from ``start_mm`` to ``end_mm`` (LPS)."""
    a, b = np.asarray(start_mm), np.asarray(end_mm)
    steps = int(np.ceil(np.linalg.norm(b - a) / (SPACING / 2))) + 1
    points = a + np.linspace(0.0, 1.0, steps)[:, None] * (b - a)
    offsets = np.array(
        [(x, y, z) for x in (-1, 0, 1) for y in (-1, 0, 1) for z in (-1, 0, 1)], dtype=float
    )
    disc = points[:, None, :] + SPACING * offsets[None]
    index = np.unique(np.rint(GRID.lps_to_index(disc.reshape(-1, 3))).astype(np.int64), axis=0)
    return segment_of(centerline(index, GRID), PLANE, rule)


@pytest.mark.parametrize(
    ("start", "end", "without", "with_branch"),
    [
        # P1: basilar tip to the posterior communicating artery, horizontal, posterior
        ((2.0, 10.0, 0.0), (9.0, 12.0, 0.0), "A1/P1", "A1/P1"),
        # a clot in the lateral half of a P1 (7.8-10.8 mm from the midline, as in a
        # calibration phantom whose P1 clot was called "M1", an LVO)
        ((7.8, 10.0, 0.0), (10.8, 11.0, 0.0), "M1", "A1/P1"),
        ((-8.5, 10.0, 0.0), (-12.0, 11.5, 0.0), "M1", "A1/P1"),
        # M1 from the ICA terminus (12-18 mm) laterally
        ((13.0, -5.0, 0.0), (25.0, -6.0, 0.0), "M1", "M1"),
        ((-17.5, -5.0, 2.0), (-29.0, -6.0, 1.0), "M1", "M1"),
        # an M1 clot that runs on from the terminus into the A1 is still an M1 clot
        ((8.0, -6.0, 0.0), (24.0, -5.0, 0.0), "M1", "M1"),
        # a climbing ICA clot at the terminus, 9 mm from the midline (a tortuous ICA)
        ((9.0, -2.0, -8.0), (9.5, -4.0, 0.0), "ICA", "ICA"),
        ((14.0, -2.0, -20.0), (14.0, -4.0, 0.0), "ICA", "ICA"),
        # the basilar climbs the clivus in the midline
        ((0.0, 15.0, -25.0), (0.5, 12.0, -5.0), "basilar", "basilar"),
        # beyond the bifurcation
        ((42.0, -4.0, 5.0), (50.0, 0.0, 12.0), "M2", "M2"),
    ],
)
def test_segment_of_drawn_clots(
    start: tuple[float, float, float],
    end: tuple[float, float, float],
    without: str,
    with_branch: str,
) -> None:
    assert _clot(start, end) == without
    assert _clot(start, end, BRANCH) == with_branch


def test_the_manifest_sets_the_lateral_branch() -> None:
    shipped = segment_rule(rules_from_manifest({}))
    assert shipped.lateral_branch_max_medial_mm is None
    assert "lateral end" not in shipped.describe()
    rule = segment_rule(rules_from_manifest({"a1p1_max_medial_mm": 10.0}))
    assert rule == BRANCH
    assert "A1/P1 if the medial end < 10 mm and the lateral end < 15 mm" in rule.describe()
    assert "basilar)" not in rule.describe()
    rule = segment_rule(
        rules_from_manifest({"a1p1_max_medial_mm": 10.0, "a1p1_min_basilar_mm3": 30.0})
    )
    assert rule.lateral_branch_min_basilar_mm3 == 30.0
    assert "with >= 30 mm3 of opacified midline lumen below it (a basilar)" in rule.describe()
