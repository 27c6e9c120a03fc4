"""The ICA terminus on the path from the carotid root to the superior M2.

The paths to the superior M2 and to the A2 share the carotid and part where the A2 path
leaves it (:func:`strokescope.vessels.paths.common_prefix`). Where the A1 leaves the
terminus at an acute angle, back along the ICA's last millimetres, the two lumina merge on
the working grid and the A2 path crosses through the merge: on the calibration block the
parting lay 0-9 mm (median 4) before the truth's terminus, so that the traced M1 began with
the ICA's last millimetres and read a clot there as an M1 clot.

The terminus is taken where the traced A1, extended backwards as a straight line (fitted to
its points ``A1_LINE_MM`` past the parting), comes nearest the path to the M2: the first
point of that path, from the parting on and within ``SEARCH_MM`` of it, whose distance to
the line is within ``SLACK_MM`` of the least. An A1 leaving at a right angle meets the line
at the parting itself; one folded back along the ICA meets it where it truly leaves. The
A1 then starts there, along that line (:func:`a1_from`): its first millimetres, which the
A2 path skipped, are read and labelled (A-calibration: A1 0.81 -> 0.86).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from strokescope.vessels.paths import arc_mm

F64 = npt.NDArray[np.float64]
A1_LINE_MM = (1.5, 6.0)
SEARCH_MM = 12.0
SLACK_MM = 0.3
MIN_LINE_POINTS = 3


def terminus(to_m2: F64, a1: F64, parting: int, last: int) -> int:
    """Index in ``to_m2`` (root to superior M2, n x 3 mm) of the ICA terminus, from the
    ``parting`` index on and no later than ``last``; ``a1`` (m x 3 mm) the A2 path from
    the parting on. The parting itself where the A1 is too short to fit a line."""
    sa = arc_mm(a1)
    fit = a1[(sa >= A1_LINE_MM[0]) & (sa <= A1_LINE_MM[1])]
    if len(fit) < MIN_LINE_POINTS or last <= parting:
        return parting
    centre = fit.mean(0)
    direction = np.linalg.svd(fit - centre)[2][0]
    s = arc_mm(to_m2[parting : last + 1])
    window = to_m2[parting : last + 1][s <= SEARCH_MM]
    rel = window - centre
    off = np.linalg.norm(rel - np.outer(rel @ direction, direction), axis=1)
    return parting + int(np.flatnonzero(off <= off.min() + SLACK_MM)[0])


def chord(a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Voxel indices on the straight line from ``a`` to ``b`` (both kept), one voxel step
    (26-neighbourhood) apart."""
    n = int(np.abs(b - a).max()) + 1
    line = np.rint(np.linspace(a, b, max(n, 2))).astype(np.int64)
    keep = np.concatenate([[True], np.any(np.diff(line, axis=0) != 0, axis=1)])
    return line[keep]


def a1_from(
    to_m2: npt.NDArray[np.int64], a1: npt.NDArray[np.int64], a1_mm: F64, t: int, parting: int
) -> npt.NDArray[np.int64]:
    """The A1 (indices) from the terminus ``t`` of ``to_m2``: where the terminus lies past
    the ``parting``, a straight chord from it to the A1's point ``A1_LINE_MM[0]`` on (the
    line the terminus was found on), then the A1 as traced; else the A1 as traced."""
    if t == parting:
        return a1
    j = int(np.searchsorted(arc_mm(a1_mm), A1_LINE_MM[0]))
    j = min(j, len(a1) - 1)
    return np.vstack([chord(to_m2[t], a1[j]), a1[j + 1 :]])
