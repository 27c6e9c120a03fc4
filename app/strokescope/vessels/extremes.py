"""Distal targets of one carotid read from the anatomy's extremes instead of head-frame boxes.

The head-frame boxes of :mod:`.trace` were set on one phantom family; a middle cerebral
artery of another shape, or a frame origin a centimetre off, puts the M2 boxes over the
wrong artery. What holds in any head: the farthest lateral artery the carotid feeds is a
branch of its middle cerebral artery, and the highest artery it feeds beside the midline on
its own side is its anterior cerebral artery (pericallosal). So, among opacified voxels
inside the brain reached from the carotid root:

* the **first M2**: the farthest from the midsagittal plane on this side;
* the **A2**: the highest (head-frame z) ``A2_BAND_MM`` from the plane on this side;
* the **ICA terminus**: where the paths to those two part;
* the **second M2**: of up to ``CANDIDATES`` reached voxels at least ``LATERAL_MIN_MM``
  beyond the terminus laterally and ``AWAY_MM`` from the first M2's path, the one whose
  path parts from it nearest the terminus (the M1's end);
* both M2s are then followed from ``SPLIT_STEP_MM`` past their split on to their branch's
  end (:func:`.paths.to_branch_end`), as the boxes' targets are; the higher is "superior".

An occluded branch has no opacified end to be an extreme, so these targets miss what the
boxes find through a clot; :func:`.trace.trace` takes them only where the two readings of
the M1 disagree (see there).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from strokescope.thrombus.anatomy import Plane
from strokescope.vessels.frame import HeadFrame
from strokescope.vessels.grid import WorkGrid
from strokescope.vessels.paths import UNREACHED, common_prefix, descend, to_branch_end

I64 = npt.NDArray[np.int64]
A2_BAND_MM = (0.5, 6.0)
LATERAL_MIN_MM = 20.0
AWAY_MM = 15.0
CANDIDATES = 40
M1_MIN_MM = 10.0
"""The first M2's path from this far past the terminus on is what the second keeps away from."""
SPLIT_MIN_MM = 3.0
"""A second M2 must part from the first at least this far past the terminus."""
SPLIT_STEP_MM = 4.0


def _on_branch(grid: WorkGrid, times: npt.NDArray[np.float32], path: I64, split: int) -> I64:
    step = int(round(SPLIT_STEP_MM / grid.geometry.spacing[0]))
    target = path[min(len(path) - 1, split + step)]
    return to_branch_end(grid.speed, times, target, lumen=grid.lumen)


def _second_m2(
    idx: I64,
    lateral: npt.NDArray[np.float64],
    first: I64,
    terminus: tuple[int, float],
    times: npt.NDArray[np.float32],
    spacing_mm: float,
) -> I64 | None:
    """The path of the reached voxel (``idx``, ``lateral`` mm from the plane) that parts
    from ``first`` nearest its ``terminus`` (index on ``first``, lateral mm), see the
    module docstring."""
    start, terminus_lateral = terminus
    beyond = start + int(round(M1_MIN_MM / spacing_mm))
    far = first[beyond:] if len(first) > beyond else first[-1:]
    ok = np.flatnonzero(lateral >= terminus_lateral + LATERAL_MIN_MM)
    gap = np.full(len(ok), np.inf)
    for lo in range(0, len(ok), 4096):  # bounded memory: 4096 x len(far) distances at a time
        part = idx[ok[lo : lo + 4096]]
        gap[lo : lo + 4096] = np.sqrt(((part[:, None, :] - far[None, :, :]) ** 2).sum(-1)).min(1)
    ok = ok[spacing_mm * gap > AWAY_MM]
    if len(ok) > CANDIDATES:
        ok = np.random.default_rng(0).choice(ok, CANDIDATES, replace=False)
    best: tuple[int, float, I64] | None = None
    min_split = start + round(SPLIT_MIN_MM / spacing_mm)
    for k in ok:
        path = descend(times, idx[k])
        split = common_prefix(path, first)
        if split > min_split and (best is None or (split, -lateral[k]) < best[:2]):
            best = (split, -float(lateral[k]), path)
    return None if best is None else best[2]


def extremal_paths(
    grid: WorkGrid,
    plane: Plane,
    frame: HeadFrame,
    times: npt.NDArray[np.float32],
    sign: float,
    brain: npt.NDArray[np.bool_],
) -> dict[str, I64 | None]:
    """Root-to-target paths named as the head-frame regions ("M2 superior", "M2 inferior",
    "A2"; None where not found) of the carotid whose arrival ``times`` are given, on the
    side of ``sign`` (+1 left, -1 right)."""
    out: dict[str, I64 | None] = {"M2 superior": None, "M2 inferior": None, "A2": None}
    idx = np.argwhere((times < UNREACHED) & grid.lumen & brain)
    if len(idx) == 0:
        return out
    lps = grid.geometry.index_to_lps(idx.astype(float))
    lateral = sign * plane.signed_distance(lps)
    height = frame.to_head(lps)[:, 2]
    first = descend(times, idx[int(np.argmax(lateral))])
    band = np.flatnonzero((lateral >= A2_BAND_MM[0]) & (lateral <= A2_BAND_MM[1]))
    if len(band) == 0:
        return out
    a2 = descend(times, idx[band[int(np.argmax(height[band]))]])
    out["A2"] = a2
    terminus = max(1, common_prefix(first, a2)) - 1
    at = grid.geometry.index_to_lps(first[terminus][None].astype(float))
    second = _second_m2(
        idx,
        lateral,
        first,
        (terminus, float(sign * plane.signed_distance(at)[0])),
        times,
        grid.geometry.spacing[0],
    )
    if second is None:
        out["M2 superior"] = first
        return out
    split = common_prefix(second, first) - 1
    m2 = [_on_branch(grid, times, p, split) for p in (first, second)]
    tops = [frame.to_head(grid.geometry.index_to_lps(p[-1:].astype(float)))[0, 2] for p in m2]
    hi = int(np.argmax(tops))
    out["M2 superior"], out["M2 inferior"] = m2[hi], m2[1 - hi]
    return out
