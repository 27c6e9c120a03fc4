"""The labels of one side's anterior circulation, from its root-to-target paths.

The paths from the carotid root to the superior and inferior M2 regions and to the A2
region share the carotid and part where the anatomy branches (:mod:`.trace`): the ICA runs
to the terminus (:mod:`.terminus`), the M1 from it to where the two M2 paths part, the A1
from the terminus to ``A1_END_MM`` from the midsagittal plane, the A2 on from there.

**Divisions that do not part.** Where one M2 region is reached first on the other
division, the two paths do not part: one is a prefix of the other (less than
``M2_OWN_MIN_MM`` of its own), and the M1 "ends" at the shorter path's end, tens of
millimetres along a division (calibration head 800010: a 92 mm M1 that read its superior
M2 clot as an M1 clot). Such a reading has not found the M1's bifurcation; of a side's two
readings (:mod:`.trace`) the one whose divisions part is taken (:func:`divisions_part`).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from strokescope.thrombus.anatomy import Plane
from strokescope.vessels.frame import HeadFrame
from strokescope.vessels.paths import arc_mm, common_prefix
from strokescope.vessels.terminus import a1_from, terminus

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
ToMm = Callable[[I64], F64]
SIPHON_MM = 40.0
A1_END_MM = 3.5
M2_OWN_MIN_MM = 3.0
"""A division path with less of its own past the other's does not part from it."""


def divisions_part(sup: I64 | None, inf: I64 | None, mm: ToMm) -> bool:
    """Whether both division paths exist and each runs ``M2_OWN_MIN_MM`` or more past
    their common prefix."""
    if sup is None or inf is None:
        return False
    return all(
        float(arc_mm(mm(a[max(1, common_prefix(a, b)) - 1 :]))[-1]) >= M2_OWN_MIN_MM
        for a, b in ((sup, inf), (inf, sup))
    )


def labelled(
    mm: ToMm,
    plane: Plane,
    frame: HeadFrame,
    side: str,
    paths: tuple[I64 | None, I64 | None, I64 | None],
) -> tuple[list[tuple[str, str, I64]], I64 | None]:
    """(label, side, path) of ICA, M1, M2 divisions, A1 and A2 of ``side`` from its paths
    to the superior M2, inferior M2 and A2 regions, and its ICA terminus."""
    sup, inf, a2 = paths
    out: list[tuple[str, str, I64]] = []
    if sup is None or a2 is None:
        return out, None
    part = max(1, common_prefix(sup, a2)) - 1
    a_tail = a2[max(1, common_prefix(a2, sup)) - 1 :]
    b = len(sup) - 1 if inf is None else max(part + 1, common_prefix(sup, inf)) - 1
    tail_mm = mm(a_tail)
    t = terminus(mm(sup), tail_mm, part, b - 1)
    a_tail = a1_from(sup, a_tail, tail_mm, t, part)
    out += split_ica(mm, frame, sup[: t + 1], side)
    out.append(("M1", side, sup[t : b + 1]))
    if inf is not None:
        out.append(("M2 superior", side, sup[b:]))
        out.append(("M2 inferior", side, inf[common_prefix(inf, sup) - 1 :]))
    d = np.abs(plane.signed_distance(mm(a_tail)))
    near = np.flatnonzero(d < A1_END_MM)
    e = int(near[0]) if len(near) else len(a_tail) - 1
    out.append(("A1", side, a_tail[: e + 1]))
    if e < len(a_tail) - 1:
        out.append(("A2", side, a_tail[e:]))
    return out, sup[t]


def split_ica(mm: ToMm, frame: HeadFrame, ica: I64, side: str) -> list[tuple[str, str, I64]]:
    """The ICA's infraclinoid and supraclinoid parts, split at the anterior genu (the most
    anterior point of its last ``SIPHON_MM``)."""
    pts = mm(ica)
    s = arc_mm(pts)
    last = np.flatnonzero(s >= s[-1] - SIPHON_MM)
    genu = int(last[np.argmin(frame.to_head(pts[last])[:, 1])])
    out = [("ICA supraclinoid", side, ica[genu:])]
    if genu > 0:
        out.insert(0, ("ICA infraclinoid", side, ica[: genu + 1]))
    return out
