"""The side of an occluded carotid, traced across the anterior communicating artery.

Where one carotid holds no contrast (occluded below the skull base), its middle and anterior
cerebral arteries often fill from the other side through the anterior communicating artery
(Acom). From the patent carotid's arrival times, the paths to the occluded side's M2 and A2
regions run up the patent ICA, along its A1 and across the Acom; there the A2 path turns
up and the M2 paths go on along the occluded side's A1 to its ICA terminus and into its M1:

* **junction**: where the superior-M2 and A2 paths part (beside the Acom);
* **terminus**: the point of the superior-M2 path beyond the junction nearest the mirror
  image of the patent side's terminus through the midsagittal plane (within
  ``MIRROR_MAX_MM``);
* **A1** from the terminus to the junction (as a traced A1 runs), **M1** from the terminus
  to where the two M2 paths part, the **M2** trunks beyond, the **A2** beyond the junction.

The superior-M2 path must cross the midsagittal plane within ``ACOM_NEAR_MM`` of the Acom
the head frame is anchored at: an M2 reached round the posterior circulation (posterior
communicating arteries and the basilar tip) is not labelled. The occluded side's ICA is not
traced.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from strokescope.thrombus.anatomy import Plane
from strokescope.vessels.frame import ACOM_TO_ORIGIN_MM, SIGN, HeadFrame
from strokescope.vessels.grid import WorkGrid
from strokescope.vessels.paths import common_prefix

I64 = npt.NDArray[np.int64]
ACOM_NEAR_MM = 10.0
MIRROR_MAX_MM = 12.0


def _lps(grid: WorkGrid, path: I64) -> npt.NDArray[np.float64]:
    return grid.geometry.index_to_lps(np.asarray(path, dtype=float).reshape(-1, 3))


def _crosses_at_acom(
    grid: WorkGrid, plane: Plane, frame: HeadFrame, path: I64, sign: float
) -> bool:
    """Whether ``path`` first reaches the side of ``sign`` within ``ACOM_NEAR_MM`` of the
    Acom the frame is anchored at."""
    pts = _lps(grid, path)
    over = np.flatnonzero(sign * plane.signed_distance(pts) > 0)
    if len(over) == 0:
        return False
    acom = frame.origin - np.asarray(ACOM_TO_ORIGIN_MM) @ frame.axes
    return bool(np.linalg.norm(pts[over[0]] - acom) <= ACOM_NEAR_MM)


def across_acom(
    grid: WorkGrid,
    plane: Plane,
    frame: HeadFrame,
    targets: dict[str, I64 | None],
    other_terminus: I64,
    side: str,
) -> tuple[list[tuple[str, str, I64]], I64 | None]:
    """Labelled paths of ``side`` (see the module) from the patent root's paths to its
    regions (``targets``: "M2 superior", "M2 inferior", "A2"), and its terminus; nothing
    where the paths do not run across the Acom or no terminus mirrors ``other_terminus``."""
    sup, inf, a2 = (targets.get(k) for k in ("M2 superior", "M2 inferior", "A2"))
    if sup is None or a2 is None or not _crosses_at_acom(grid, plane, frame, sup, SIGN[side]):
        return [], None
    j = max(1, common_prefix(sup, a2)) - 1
    mirror = plane.mirror(_lps(grid, other_terminus[None]))
    d = np.linalg.norm(_lps(grid, sup[j:]) - mirror, axis=1)
    if len(d) < 2 or d.min() > MIRROR_MAX_MM:
        return [], None
    t = j + max(1, int(np.argmin(d)))
    out: list[tuple[str, str, I64]] = [("A1", side, sup[j : t + 1][::-1])]  # terminus first
    b = common_prefix(sup, inf) - 1 if inf is not None else len(sup) - 1
    if inf is not None and b > t:
        out += [("M1", side, sup[t : b + 1]), ("M2 superior", side, sup[b:])]
        out.append(("M2 inferior", side, inf[b:]))
    else:
        out.append(("M1", side, sup[t:]))
    if j < len(a2) - 1:
        out.append(("A2", side, a2[j:]))
    return out, sup[t]
