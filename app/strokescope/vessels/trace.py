"""Trace and label the arteries: minimal paths from the roots to distal search regions.

Per side, fast marching from the carotid root (:mod:`.paths`) reaches the nearest voxel of
four regions of the head frame (:mod:`.frame`): the superior and inferior M2 trunks, the
A2 and the P2, and follows each on along its branch to the branch's end
(:func:`.paths.downstream`). The paths back to the root share the carotid and part ways
where the anatomy branches, and those partings are the landmarks ([Deschamps2001]-style minimal
paths, labelled by branch order as in the TopCoW classes [TopCoW]):

* **ICA terminus**: where the superior-M2 path and the A2 path part, or further along the
  former where the A1 folds back along the ICA (:mod:`.terminus`); the ICA is the path
  from the root to it, its **supraclinoid** part from the most anterior point of the siphon
  (the anterior genu, in the last ``SIPHON_MM``) on;
* **M1 end**: where the superior and inferior M2 paths part;
* **A1 end**: where the A2 path first comes within ``A1_END_MM`` of the midsagittal plane;
* **Pcom**: the P2 path from the carotid, from where it leaves the carotid to where it
  meets the posterior cerebral artery traced from the vertebral roots;
* **basilar tip**: where the paths from the vertebral roots to the two P2 regions part;
  the basilar their shared stretch above the vertebral confluence (:mod:`.confluence`),
  the P1 runs from the tip to the Pcom junction;
* **Acom**: the minimal path between the two A1 ends, when shorter than ``ACOM_MAX_MM``.

The boxes were set on one phantom family. Each side's M2 and A2 targets are also read from
the anatomy's extremes (:mod:`.extremes`); where the two readings of the M1 disagree, the
boxes have missed the middle cerebral artery and the extremes' labels are taken, unless
only the boxes' M2 paths part (:mod:`.anterior`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np
import numpy.typing as npt

from strokescope.thrombus.anatomy import Plane
from strokescope.vessels.across import across_acom
from strokescope.vessels.anterior import A1_END_MM, divisions_part, labelled
from strokescope.vessels.confluence import basilar_part
from strokescope.vessels.extremes import extremal_paths
from strokescope.vessels.frame import OTHER, SIGN, HeadFrame, Roots, head_frame, region
from strokescope.vessels.grid import WorkGrid
from strokescope.vessels.paths import (
    arc_mm,
    arrival_times,
    best_in_region,
    common_prefix,
    descend,
    to_branch_end,
)
from strokescope.vessels.threads import side_by_side, thread_map

I64 = npt.NDArray[np.int64]
STOP = 400.0
"""Arrival-time limit of the fast marching: about 2-3 mm of tissue or 35 mm of clot
beyond the lumen; a side whose targets lie beyond it is marched again to ``FAR_STOP``."""
FAR_STOP = 3000.0
ACOM_MAX_MM = 12.0
PCOM_MAX_MM = 35.0
TOL_MM = 2.0
M1_AGREEMENT = 0.5
"""Where the box and extremal readings of a side's M1 share less than this, the extremal
one is taken (C-dev: 0.00-0.64 where the boxes miss; A-calibration: 1.00 on every side)."""
P1_DEFAULT_MM = 8.0
REGIONS: dict[str, tuple[tuple[float, float], ...]] = {
    "M2 superior": ((32.0, 60.0), (-12.0, 25.0), (20.0, 34.0)),
    "M2 inferior": ((34.0, 60.0), (12.0, 32.0), (-4.0, 12.0)),
    "A2": ((0.5, 6.0), (-36.0, -15.0), (18.0, 30.0)),
    "P2": ((15.0, 30.0), (18.0, 36.0), (-6.0, 8.0)),
}
"""Head-frame boxes (x mirrored to the side, y, z; mm) where distal targets are sought."""


@dataclass(frozen=True, eq=False)
class Traced:
    """Labelled index paths (label, side, (n, 3) z, y, x) and landmarks (voxel indices)."""

    paths: tuple[tuple[str, str, I64], ...]
    termini: dict[str, I64]
    basilar_tip: I64 | None
    frame: HeadFrame | None
    warnings: tuple[str, ...]
    no_carotid: tuple[str, ...] = ()
    """The side whose carotid alone was not found at the skull base (the other's was)."""


def _mm(grid: WorkGrid, path: I64) -> npt.NDArray[np.float64]:
    return grid.geometry.index_to_lps(path.astype(float))


def _target_path(
    grid: WorkGrid, times: npt.NDArray[np.float32], frame: HeadFrame, name: str, sign: float
) -> I64 | None:
    """Root to the first-reached voxel of the region ``name``, then on along that branch to
    its end (:func:`to_branch_end`)."""
    target = best_in_region(times, region(grid, frame, REGIONS[name], sign))
    if target is None:
        return None
    return to_branch_end(grid.speed, times, target, lumen=grid.lumen)


Anterior = tuple[list[tuple[str, str, I64]], I64 | None, I64 | None]


def _anterior(
    grid: WorkGrid,
    plane: Plane,
    times: npt.NDArray[np.float32],
    frame: HeadFrame,
    side: str,
    brain: npt.NDArray[np.bool_],
) -> Anterior:
    """ICA, M1, M2, A1, A2 of one side; the terminus; the P2 path from the carotid: from
    the head-frame boxes, or from the anatomy's extremes (:mod:`.extremes`) where only
    they find the M1's bifurcation (:func:`.anterior.divisions_part`) or the two readings
    of the M1 do not share ``M1_AGREEMENT`` of their points (within ``TOL_MM``)."""
    sg = SIGN[side]
    boxes = {name: _target_path(grid, times, frame, name, sg) for name in REGIONS}
    mm = partial(_mm, grid)
    readings = []
    for paths in (boxes, {**boxes, **extremal_paths(grid, plane, frame, times, sg, brain)}):
        ends = (paths["M2 superior"], paths["M2 inferior"], paths["A2"])
        out, t = labelled(mm, plane, frame, side, ends)
        readings.append(((out, t, paths["P2"]), divisions_part(ends[0], ends[1], mm)))
    (found, parts), (other, other_parts) = readings
    m1 = [next((p for lab, _, p in f[0] if lab == "M1"), None) for f in (found, other)]
    if m1[0] is None:
        return other if m1[1] is not None else found
    if m1[1] is not None and parts != other_parts:
        return found if parts else other  # the reading that found the M1's bifurcation
    if (
        m1[1] is not None
        and _shared(m1[0], m1[1], TOL_MM / grid.geometry.spacing[0]) < M1_AGREEMENT
    ):
        return other
    return found


def _shared(a: I64, b: I64, tol_vox: float) -> float:
    """The smaller of the fractions of ``a`` within ``tol_vox`` of ``b`` and of ``b`` of ``a``."""
    return float(min(_close(a, b, tol_vox).mean(), _close(b, a, tol_vox).mean()))


def _close(a: I64, b: I64, tol: float = 1.8) -> npt.NDArray[np.bool_]:
    d = np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1)).min(1)
    return np.asarray(d <= tol)


def _from_vertebrals(grid: WorkGrid, roots: Roots, frame: HeadFrame) -> dict[str, I64 | None]:
    """Per side, the path from the vertebral roots to the P2 region and on to its branch's
    end (none without vertebral roots)."""
    if not roots.vertebral:
        return {s: None for s in SIGN}
    times = arrival_times(grid.speed, np.stack(roots.vertebral), stop=STOP)
    return {s: _target_path(grid, times, frame, "P2", sg) for s, sg in SIGN.items()}


def _posterior(
    grid: WorkGrid,
    pv: dict[str, I64 | None],
    pcom_paths: dict[str, I64 | None],
    ica: dict[str, I64],
) -> tuple[list[tuple[str, str, I64]], I64 | None]:
    """Basilar, P1, P2 and Pcom from the vertebral roots' P2 paths ``pv``
    (:func:`_from_vertebrals`) and the carotid P2 paths."""
    left, right = pv["left"], pv["right"]
    if left is None or right is None:
        return [], None
    close = np.flatnonzero(_close(left, right))
    if len(close) == 0:
        return [], None
    tip = int(close[-1])
    start = tip
    while start > 0 and start - 1 in set(close.tolist()):
        start -= 1
    out: list[tuple[str, str, I64]] = [("BA", "mid", left[start : tip + 1])]
    for side, path in pv.items():
        assert path is not None
        k = int(np.flatnonzero(_close(path, left[start : tip + 1]))[-1])
        out += _pca(grid, side, path[k:], pcom_paths.get(side), ica.get(side))
    return out, left[tip]


def _pca(
    grid: WorkGrid, side: str, pca: I64, from_ica: I64 | None, ica: I64 | None
) -> list[tuple[str, str, I64]]:
    """P1/P2 split at the Pcom junction (or ``P1_DEFAULT_MM`` without a usable Pcom)."""
    out: list[tuple[str, str, I64]] = []
    j = None
    if from_ica is not None and ica is not None:
        tail = from_ica[max(1, common_prefix(from_ica, ica)) - 1 :]
        meet = np.flatnonzero(_close(tail, pca))
        if len(meet) and arc_mm(_mm(grid, tail[: meet[0] + 1]))[-1] <= PCOM_MAX_MM:
            pcom = tail[: meet[0] + 1]
            if grid.lumen[tuple(pcom.T)].mean() >= 0.5:
                out.append(("Pcom", side, pcom))
                j = int(np.argmin(((pca - pcom[-1]) ** 2).sum(1)))
    if j is None:
        s = arc_mm(_mm(grid, pca))
        j = int(np.searchsorted(s, P1_DEFAULT_MM))
    j = min(max(j, 1), len(pca) - 1)
    out.append(("P1", side, pca[: j + 1]))
    if j < len(pca) - 1:
        out.append(("P2", side, pca[j:]))
    return out


def _acom(grid: WorkGrid, paths: list[tuple[str, str, I64]]) -> list[tuple[str, str, I64]]:
    ends = {side: p[-1] for label, side, p in paths if label == "A1"}
    if len(ends) < 2:
        return []
    times = arrival_times(grid.speed, ends["left"][None], stop=STOP)
    if not times[tuple(ends["right"])] < STOP:
        return []
    path = descend(times, ends["right"])
    if arc_mm(_mm(grid, path))[-1] > ACOM_MAX_MM:
        return []
    return [("Acom", "mid", path)]


def _frame(
    grid: WorkGrid, plane: Plane, roots: Roots, left: npt.NDArray[np.float32]
) -> tuple[npt.NDArray[np.float32], HeadFrame]:
    """The head frame, anchored where the path between the carotid roots crosses the
    midsagittal plane (the anterior communicating artery), and the left root's arrival
    times ``left`` (marched again to ``FAR_STOP`` when the right root lies beyond them)."""
    if not left[tuple(roots.ica["right"])] < STOP:
        left = arrival_times(grid.speed, roots.ica["left"][None], stop=FAR_STOP)
    between = _mm(grid, descend(left, roots.ica["right"]))
    return left, head_frame(plane, between[int(np.argmin(np.abs(plane.signed_distance(between))))])


def _across(
    grid: WorkGrid,
    plane: Plane,
    frame: HeadFrame,
    roots: Roots,
    termini: dict[str, I64],
    far: npt.NDArray[np.float32],
) -> tuple[list[tuple[str, str, I64]], str]:
    """The side without a carotid, traced across the Acom from the other (:mod:`.across`)
    on the patent root's arrival times to ``FAR_STOP`` (``far``), with the warning that
    says what was and was not traced there."""
    (only,) = roots.ica
    other = OTHER[only]
    found: list[tuple[str, str, I64]] = []
    if only in termini:
        names = ("M2 superior", "M2 inferior", "A2")
        targets = {n: _target_path(grid, far, frame, n, SIGN[other]) for n in names}
        found, terminus = across_acom(grid, plane, frame, targets, termini[only], other)
        if terminus is not None:
            termini[other] = terminus
    what = (
        "its A1, M1 and M2 traced across the anterior communicating artery, its ICA not"
        if found
        else f"the {other} anterior circulation was not traced"
    )
    return found, f"{_no_carotid(roots)}; {what}"


def _one_root_frame(
    grid: WorkGrid,
    plane: Plane,
    side: str,
    times: npt.NDArray[np.float32],
    brain: npt.NDArray[np.bool_],
) -> HeadFrame | None:
    """The head frame where the carotid of ``side`` alone was found: anchored where its A2
    path, read from the anatomy's extremes (which use the frame's axes only), first comes
    within ``A1_END_MM`` of the midsagittal plane - the end of its A1, beside the anterior
    communicating artery. None where that path does not reach the plane."""
    axes_only = head_frame(plane, np.zeros(3))
    a2 = extremal_paths(grid, plane, axes_only, times, SIGN[side], brain)["A2"]
    if a2 is None:
        return None
    pts = _mm(grid, a2)
    near = np.flatnonzero(np.abs(plane.signed_distance(pts)) < A1_END_MM)
    return head_frame(plane, pts[near[0]]) if len(near) else None


def _no_carotid(roots: Roots) -> str:
    """Which carotid was not found at the skull base, and what that may mean."""
    missing = [side for side in SIGN if side not in roots.ica]
    where = f"the {missing[0]}" if len(missing) == 1 else "either side"
    return (
        f"arterial tree: no opacified carotid found on {where} at the skull base "
        "(occluded, or outside the field of view)"
    )


def _no_tree(roots: Roots) -> Traced:
    """No tree, and why."""
    why = "" if not roots.ica else f", and the {next(iter(roots.ica))} one's A1 was not found"
    warning = f"{_no_carotid(roots)}{why}; the tree was not traced"
    return Traced((), {}, None, None, (warning,), _one_missing(roots))


def _one_missing(roots: Roots) -> tuple[str, ...]:
    return tuple(side for side in SIGN if side not in roots.ica) if len(roots.ica) == 1 else ()


def trace_posterior(grid: WorkGrid, plane: Plane, roots: Roots) -> Traced:
    """The basilar, P1 and P2 alone (no Pcom: the carotids' own branches are not traced),
    for a second look at the posterior circulation at a fraction of :func:`trace`'s cost."""
    if len(roots.ica) < 2:
        why = f"{_no_carotid(roots)}; the posterior circulation was not traced"
        return Traced((), {}, None, None, (why,))
    left = arrival_times(grid.speed, roots.ica["left"][None], stop=STOP)
    frame = _frame(grid, plane, roots, left)[1]
    paths, tip = _posterior(grid, _from_vertebrals(grid, roots, frame), {}, {})
    warnings = [] if tip is not None else ["arterial tree: the basilar artery was not traced"]
    return Traced(tuple(paths), {}, tip, frame, tuple(warnings))


def trace(grid: WorkGrid, plane: Plane, roots: Roots, brain: npt.NDArray[np.bool_]) -> Traced:
    """Labelled paths of the tree (see the module docstring); ``brain``: the brain mask on
    the working grid (extremal targets lie inside it). Where one carotid alone was found
    (the other occluded below the skull base), its side and the posterior circulation are
    traced in a frame anchored at its A1's end (:func:`_one_root_frame`), and the other
    side's A1, M1 and M2 across the anterior communicating artery (:mod:`.across`)."""
    if not roots.ica:
        return _no_tree(roots)
    sides = list(roots.ica)
    marched = thread_map(lambda s: arrival_times(grid.speed, roots.ica[s][None], stop=STOP), sides)
    times = dict(zip(sides, marched, strict=True))
    marched_far: dict[str, npt.NDArray[np.float32]] = {}

    def far(side: str) -> npt.NDArray[np.float32]:
        """The root's arrival times to ``FAR_STOP``, marched once per side."""
        if side not in marched_far:
            marched_far[side] = arrival_times(grid.speed, roots.ica[side][None], stop=FAR_STOP)
        return marched_far[side]

    warnings: list[str] = []
    if len(roots.ica) == 2:
        times["left"], frame = _frame(grid, plane, roots, times["left"])
    else:
        (only,) = roots.ica
        anchored = _one_root_frame(grid, plane, only, times[only], brain)
        if anchored is None:
            times[only] = far(only)
            anchored = _one_root_frame(grid, plane, only, times[only], brain)
        if anchored is None:
            return _no_tree(roots)
        frame = anchored

    def anterior(side: str) -> Anterior:
        found, terminus, to_p2 = _anterior(grid, plane, times[side], frame, side, brain)
        if terminus is None or to_p2 is None or len(found) < 6:
            return _anterior(grid, plane, far(side), frame, side, brain)
        return found, terminus, to_p2

    paths: list[tuple[str, str, I64]] = []
    termini: dict[str, I64] = {}
    p2: dict[str, I64 | None] = {}
    ica: dict[str, I64] = {}
    # Both sides and the posterior circulation's marches, side by side (:mod:`.threads`).
    posterior = partial(_from_vertebrals, grid, roots, frame)
    *sided, pv = side_by_side(*(partial(anterior, side) for side in sides), posterior)
    for side, (found, terminus, p2[side]) in zip(sides, sided, strict=True):
        paths += found
        if terminus is not None:
            termini[side] = terminus
            ica[side] = np.concatenate(
                [p for lab, s, p in found if s == side and lab.startswith("ICA")]
            )
    if len(roots.ica) == 1:
        (only,) = roots.ica
        found, warning = _across(grid, plane, frame, roots, termini, far(only))
        paths += found
        warnings.append(warning)
    times.clear()
    marched_far.clear()
    post, tip = _posterior(grid, pv, p2, ica)
    basilar = partial(basilar_part, grid, plane, vertebral=roots.vertebral, stop=FAR_STOP)
    ba = [i for i, (lab, _, _) in enumerate(post) if lab == "BA"]
    *trimmed, acom = side_by_side(
        *(partial(basilar, post[i][2]) for i in ba), partial(_acom, grid, paths)
    )
    for i, p in zip(ba, trimmed, strict=True):
        post[i] = (post[i][0], post[i][1], p)
    paths += post + acom
    if tip is None:
        warnings.append("arterial tree: the basilar artery was not traced")
    return Traced(tuple(paths), termini, tip, frame, tuple(warnings), _one_missing(roots))
