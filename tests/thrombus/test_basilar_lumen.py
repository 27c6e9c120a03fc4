"""The basilar below a P1 clot (``strokescope.thrombus.basilar_lumen``) on drawn volumes, and
the segment rule's lateral A1/P1 branch that asks for it.

A 0.5 mm head-sized grid whose midsagittal plane is x = 0 (LPS), brain 30 HU on both scans;
arteries are drawn as 3 mm wide opacified tubes (CTA 300 HU) and clots as 60 HU on both.
"""

from __future__ import annotations

import numpy as np
import pytest

from strokescope.preprocess.registration import RegistrationResult
from strokescope.thrombus.anatomy import Plane, SegmentRule, segment_of
from strokescope.thrombus.basilar_lumen import basilar_lumen_mm3
from strokescope.thrombus.centerline import Centerline, centerline
from strokescope.volume import Geometry, Volume

GRID = Geometry((120, 140, 100), (0.5,) * 3, (-25.0, -40.0, -40.0), np.eye(3))
PLANE = Plane((0.0, 0.0, 0.0), (1.0, 0.0, 0.0))
REG = RegistrationResult(np.eye(4), -1.0, -0.5, 0, 0.0)
BRANCH = SegmentRule(lateral_branch_max_medial_mm=10.0, lateral_branch_min_basilar_mm3=30.0)
P1_PIECE = ((7.8, 10.0, 0.0), (10.8, 11.0, 0.0))
"""The lateral half of a left P1 (7.8-10.8 mm from the midline), 10 mm behind the origin."""


def _lps(shape: tuple[int, ...]) -> np.ndarray:
    idx = np.indices(shape).reshape(3, -1).T.astype(float)
    return GRID.index_to_lps(idx).reshape(*shape, 3)


def _scans(basilar_y_mm: float | None) -> tuple[Volume, Volume]:
    """NCCT and CTA with a P1 clot and, where given, a basilar climbing the midline at
    ``basilar_y_mm`` from 30 mm below the clot up to it."""
    ncct = np.full(GRID.shape, 30.0, np.float32)
    cta = ncct.copy()
    p = _lps(GRID.shape)
    if basilar_y_mm is not None:
        tube = np.hypot(p[..., 0], p[..., 1] - basilar_y_mm) <= 1.5
        tube &= (p[..., 2] >= -30.0) & (p[..., 2] <= 0.0)
        cta[tube] = 300.0
    a, b = (np.asarray(v) for v in P1_PIECE)
    t = np.clip(((p - a) @ (b - a)) / float((b - a) @ (b - a)), 0.0, 1.0)
    clot = np.linalg.norm(p - (a + t[..., None] * (b - a)), axis=-1) <= 1.0
    ncct[clot] = cta[clot] = 60.0
    return Volume(ncct, GRID), Volume(cta, GRID)


def _line() -> Centerline:
    a, b = (np.asarray(v) for v in P1_PIECE)
    pts = a + np.linspace(0.0, 1.0, 13)[:, None] * (b - a)
    index = np.unique(np.rint(GRID.lps_to_index(pts)).astype(np.int64), axis=0)
    return centerline(index, GRID)


@pytest.mark.parametrize(
    ("basilar_y_mm", "expected"),
    [
        (10.0, "A1/P1"),  # the basilar under the P1's medial end
        (13.0, "A1/P1"),  # a few mm off front to back
        (-8.0, "M1"),  # 18 mm off front to back, as the basilar lies from an ICA terminus
        (None, "M1"),  # no opacified midline lumen at all
    ],
)
def test_the_lateral_branch_asks_for_a_basilar_below_the_clot(
    basilar_y_mm: float | None, expected: str
) -> None:
    ncct, cta = _scans(basilar_y_mm)
    line = _line()
    lumen = basilar_lumen_mm3(line.points, PLANE, cta, ncct, REG)
    if expected == "A1/P1":
        # the 3 mm tube over the 21 mm read below the end
        assert lumen == pytest.approx(np.pi * 1.5**2 * 21.0, rel=0.15)
    else:
        assert lumen == 0.0
    assert segment_of(line, PLANE, BRANCH, lumen) == expected
    # without the requirement the branch reads geometry alone
    assert segment_of(line, PLANE, SegmentRule(lateral_branch_max_medial_mm=10.0)) == "A1/P1"


def test_the_requirement_is_read_only_by_the_lateral_branch() -> None:
    """An M1 from the terminus and a proximal P1 keep their labels whatever lies below."""
    m1 = ((13.0, -5.0, 0.0), (25.0, -6.0, 0.0))
    pts = np.asarray(m1[0]) + np.linspace(0, 1, 30)[:, None] * (np.subtract(m1[1], m1[0]))
    index = np.unique(np.rint(GRID.lps_to_index(pts)).astype(np.int64), axis=0)
    assert segment_of(centerline(index, GRID), PLANE, BRANCH, 500.0) == "M1"
    proximal = np.asarray((2.0, 10.0, 0.0)) + np.linspace(0, 1, 20)[:, None] * [7.0, 2.0, 0.0]
    index = np.unique(np.rint(GRID.lps_to_index(proximal)).astype(np.int64), axis=0)
    assert segment_of(centerline(index, GRID), PLANE, BRANCH, 0.0) == "A1/P1"
