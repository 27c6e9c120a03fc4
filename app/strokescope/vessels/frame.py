"""Anatomical landmarks of the arterial tree: roots at the skull base and a head frame.

* **Roots** (where the arteries enter the field of view): the opacified components of a
  ``ROOT_SLAB_MM`` slab at the bottom of the arteries - the lowest slab of the working grid
  that holds a thick opacified component (a field of view may begin below the first
  opacified artery, or a scan's arteries may begin at the skull base). Per side, the
  internal carotid is the most anterior thick one (maximal radius >= ``ICA_MIN_RADIUS_MM``)
  ``10-40`` mm from the midsagittal plane, sought among the lumen's cores (radius >=
  ``ICA_CORE_MM``, the lumen less its outer voxel): a carotid that touches the jugular bulb
  or the sigmoid sinus through a partial-volume bridge, as in a venous-contaminated CTA,
  stays its own candidate instead of joining the larger sinus, whose centre lies behind
  it. A side without one there is sought in the slabs above, up to ``ICA_RISE_MM`` above
  the other side's carotid (bone or a cervical occlusion can hide one carotid low down).
  Where that leaves a side without one, both are taken as a pair that need not sit either
  side of the plane, nor lie in one slab (:func:`_carotid_pair`) - unless one carotid
  was found and its partner lies where a vertebral or the basilar does
  (:func:`_extends_with_posterior`): the other carotid is then taken as occluded below the
  skull base, not replaced. A carotid found above
  the bottom of the field of view is then followed down its lumen (:func:`_lowest`; beside
  the pair's midpoint where the pair gave the roots): a scan whose carotids run
  through the skull base in bone-bright canals, or thin there, finds its thick cores only
  higher up, and the tree would start tens of millimetres up the ICA. The vertebral
  arteries are those (maximal radius >= ``VA_MIN_RADIUS_MM``) within 20 mm of the plane and
  ``VA_SEED_BEHIND_MM`` behind the carotids (the jugular bulb and sigmoid sinus lie lateral
  and behind the carotid, the vertebrals medial and behind it; the dural sinuses and the
  veins of the neck's back far behind it).
* **Head frame**: x the normal of the midsagittal plane (patient left), z the patient's
  head direction made orthogonal to x, y = z x x (posterior); its origin is the anterior
  communicating artery - where the minimal path between the two carotid roots crosses the
  midsagittal plane - moved by ``ACOM_TO_ORIGIN_MM`` to the centre of the circle of Willis.
  Search regions for distal targets (M2 trunks, A2, P2) are boxes in this frame.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

from strokescope.preprocess.index_box import box_indices
from strokescope.preprocess.morphology import components
from strokescope.thrombus.anatomy import Plane
from strokescope.vessels.grid import WorkGrid
from strokescope.vessels.paths import UNREACHED, arrival_times
from strokescope.vessels.threads import thread_map

ROOT_SLAB_MM = 10.0
ICA_MIN_RADIUS_MM = 1.4
ICA_CORE_MM = 1.0
ICA_RISE_MM = 20.0
ICA_PAIR_MM = (20.0, 70.0)
ICA_PAIR_DY_MM = 25.0
ICA_PAIR_OFFSET_MM = 25.0
ICA_PAIR_SLABS = 4
"""Where the plane-relative search leaves a side without a carotid, the two are sought as a
pair (:func:`_carotid_pair`) in this many slabs from the lowest up."""
VA_MIN_RADIUS_MM = 0.5
SAME_ROOT_MM = 5.0
"""A pair's root this near the root of the one carotid found is that carotid."""
ICA_LATERAL_MM = (10.0, 40.0)
VA_LATERAL_MM = (1.0, 20.0)
VA_BEHIND_ICA_MM = 8.0
"""A pair member this far behind the one carotid found, near the plane, is taken for a
vertebral or the basilar (:func:`_extends_with_posterior`)."""
VA_SEED_BEHIND_MM = (4.0, 35.0)
"""Vertebral roots lie this many mm behind the rearmost carotid root (range). Set on the
family-A calibration block and family C's development seed: their vertebrals lie 5-24 mm
behind, thin vessels near the dural sinuses 43-64 mm (taken as roots they gave paths to
the posterior cerebral arteries that never met at a basilar)."""
VA_SLABS = 4
"""The vertebral arteries are sought in the lowest slab and, where bone hides them there,
in up to this many slabs above it."""
ACOM_TO_ORIGIN_MM = (0.0, 20.0, -5.0)
"""Anterior communicating artery -> centre of the circle of Willis in the head frame (mm);
set on the family-A calibration block only."""
SIGN = {"left": 1.0, "right": -1.0}
OTHER = {"left": "right", "right": "left"}
LOWER_STOP = 150.0
"""Arrival-time limit of the march down a carotid from its root: its lumen, a few mm of
clot-like voxels, never 2 mm of tissue."""
LOWER_DY_MM = 15.0
"""A lower root lies within this many mm front to back of the first (the cervical ICA runs
up; the jugular bulb lies behind it)."""
LOWER_MIN_MM = 2.0
"""A lower root must lie at least this much lower to replace the first."""
LOWER_CENTRE_SLICES = 2
"""The lower root is the deepest lumen voxel (largest radius) of the lowest slices reached,
this many above the lowest included: the very lowest slice of a lumen is often its rim."""

I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Roots:
    """Seed voxels (z, y, x) of the carotids per side and of the vertebral arteries."""

    ica: dict[str, I64]
    vertebral: tuple[I64, ...]


@dataclass(frozen=True, eq=False)
class HeadFrame:
    """Origin (LPS mm) and axes (rows x, y, z) of the head frame; see the module."""

    origin: npt.NDArray[np.float64]
    axes: npt.NDArray[np.float64]

    def to_head(self, points_lps: npt.ArrayLike) -> npt.NDArray[np.float64]:
        p = np.asarray(points_lps, dtype=float).reshape(-1, 3)
        return np.asarray((p - self.origin) @ self.axes.T)


@dataclass(frozen=True, eq=False)
class _Blob:
    seed: I64
    radius: float
    d: float
    y: float


def _components(grid: WorkGrid, plane: Plane, first: int = 0, core_mm: float = 0.0) -> list[_Blob]:
    """Thick opacified components of the slab from slice ``first`` with their seed and
    position; with ``core_mm`` the components of the lumen at least that deep."""
    n = max(1, int(round(ROOT_SLAB_MM / grid.geometry.spacing[0])))
    slab = slice(first, first + n)
    labels, count = components(grid.lumen[slab] & (grid.radius_mm[slab] >= core_mm))
    out: list[_Blob] = []
    for k in range(1, count + 1):
        idx = np.argwhere(labels == k) + [first, 0, 0]
        r = grid.radius_mm[tuple(idx.T)]
        if float(r.max()) < VA_MIN_RADIUS_MM:
            continue
        seed = idx[int(np.argmax(r))]
        lps = grid.geometry.index_to_lps(seed[None].astype(float)).reshape(3)
        out.append(_Blob(seed, float(r.max()), float(plane.signed_distance(lps)[0]), float(lps[1])))
    return out


def _base_slice(grid: WorkGrid) -> int:
    """First slice of the lowest slab holding a thick opacified voxel (0 when none does)."""
    thick = np.nonzero((grid.radius_mm >= ICA_MIN_RADIUS_MM).any(axis=(1, 2)))[0]
    return int(thick[0]) if len(thick) else 0


def _carotid(blobs: list[_Blob], sign: float) -> _Blob | None:
    cand = [
        c
        for c in blobs
        if ICA_LATERAL_MM[0] <= sign * c.d <= ICA_LATERAL_MM[1] and c.radius >= ICA_MIN_RADIUS_MM
    ]
    return min(cand, key=lambda c: c.y) if cand else None


def _pairs(blobs: list[_Blob]) -> list[tuple[_Blob, _Blob]]:
    """(left, right) carotid pairs among ``blobs`` (see :func:`_carotid_pair`)."""
    thick = [b for b in blobs if b.radius >= ICA_MIN_RADIUS_MM]
    return [
        (a, b)
        for a in thick
        for b in thick
        if ICA_PAIR_MM[0] <= a.d - b.d <= ICA_PAIR_MM[1]
        and abs(a.y - b.y) <= ICA_PAIR_DY_MM
        and abs(a.d + b.d) / 2.0 <= ICA_PAIR_OFFSET_MM
    ]


def _carotid_pair(slabs: list[list[_Blob]]) -> dict[str, _Blob | None] | None:
    """Both carotids as a pair, from the lowest slab that holds one: the most anterior two
    thick components whose lateral separation lies in ``ICA_PAIR_MM``, within
    ``ICA_PAIR_DY_MM`` of each other front to back and with their midpoint within
    ``ICA_PAIR_OFFSET_MM`` of the midsagittal plane; the one farther to the patient's left
    is the left carotid. The sides then rest on the pair, not on a plane that a skull
    drawn asymmetric, or a head turned far, can shift by centimetres at the skull base.
    Where no slab holds both, the two may come from different slabs (one carotid enters
    the field of view higher, or is thin low down, and its core starts slabs above the
    other's); :func:`_lowest` then follows each down its lumen."""
    found = next((p for p in map(_pairs, slabs) if p), None)
    if found is None:
        found = _pairs([b for blobs in slabs for b in blobs])
    if not found:
        return None
    left, right = min(found, key=lambda p: p[0].y + p[1].y)
    return {"left": left, "right": right}


def _lowest(grid: WorkGrid, plane: Plane, seed: I64, sign: float, centre: float = 0.0) -> I64:
    """The lowest lumen voxel reached from carotid root ``seed`` by a short march
    (``LOWER_STOP``) that still lies where a carotid does (``ICA_LATERAL_MM`` on its side
    from the plane moved by ``centre`` mm, the carotid pair's midpoint where the pair gave
    the roots; within ``LOWER_DY_MM`` front to back); ``seed`` unless that lies at least
    ``LOWER_MIN_MM`` lower."""
    below = grid.lumen.copy()
    below[seed[0] + 1 :] = False
    reached = np.argwhere(
        below & (arrival_times(grid.speed, seed[None], stop=LOWER_STOP) < UNREACHED)
    )
    if len(reached) == 0:
        return seed
    lps = grid.geometry.index_to_lps(reached.astype(float))
    d = sign * (plane.signed_distance(lps) - centre)
    y0 = float(grid.geometry.index_to_lps(seed[None].astype(float))[0, 1])
    ok = (
        (d >= ICA_LATERAL_MM[0])
        & (d <= ICA_LATERAL_MM[1])
        & (np.abs(lps[:, 1] - y0) <= LOWER_DY_MM)
    )
    reached = reached[ok]
    if (
        len(reached) == 0
        or (seed[0] - reached[:, 0].min()) * grid.geometry.spacing[0] < LOWER_MIN_MM
    ):
        return seed
    low = reached[reached[:, 0] <= reached[:, 0].min() + LOWER_CENTRE_SLICES]
    return np.asarray(low[int(np.argmax(grid.radius_mm[tuple(low.T)]))], dtype=np.int64)


def _followed_down(
    grid: WorkGrid, plane: Plane, found: dict[str, _Blob | None], centre: float = 0.0
) -> dict[str, I64]:
    """The carotids ``found`` followed down their lumen (:func:`_lowest`, beside the plane
    moved by ``centre``)."""
    todo = [(side, blob) for side, blob in found.items() if blob is not None]
    low = thread_map(lambda sb: _lowest(grid, plane, sb[1].seed, SIGN[sb[0]], centre), todo)
    return {side: root for (side, _), root in zip(todo, low, strict=True)}


def _midpoint(pair: dict[str, _Blob | None]) -> float:
    return sum(b.d for b in pair.values() if b is not None) / 2.0


def _extends_with_posterior(
    grid: WorkGrid, plane: Plane, one: dict[str, I64], paired: dict[str, I64]
) -> bool:
    """Whether the pair's roots ``paired`` are the one carotid found beside the plane
    (``one``: its root within ``SAME_ROOT_MM``) and, as the other, a vessel where a vertebral
    artery or the basilar lies beside it: within ``VA_LATERAL_MM[1]`` of the plane and
    ``VA_BEHIND_ICA_MM`` or more behind it. The other carotid may then be occluded below
    the skull base; the pair would trace from a vertebral as from a carotid. A pair that
    does not hold the carotid found (a plane far off found another vessel) is taken."""
    if len(one) != 1 or len(paired) != 2:
        return False
    ((side, root),) = one.items()
    other = OTHER[side]
    lps = {
        s: grid.geometry.index_to_lps(i[None].astype(float)).reshape(3) for s, i in paired.items()
    }
    here = grid.geometry.index_to_lps(root[None].astype(float)).reshape(3)
    if np.linalg.norm(lps[side] - here) > SAME_ROOT_MM:
        return False
    d = abs(float(plane.signed_distance(lps[other][None])[0]))
    return d <= VA_LATERAL_MM[1] and lps[other][1] >= here[1] + VA_BEHIND_ICA_MM


def find_roots(grid: WorkGrid, plane: Plane) -> Roots:
    """Carotid and vertebral seeds (see the module docstring); a side without a thick
    carotid candidate is missing from ``ica``."""
    step = max(1, int(round(ROOT_SLAB_MM / grid.geometry.spacing[0])))
    base = _base_slice(grid)
    slabs = range(base, grid.lumen.shape[0], step)
    blobs = cache(lambda first: _components(grid, plane, first))  # each slab labelled once
    cores = cache(lambda first: _components(grid, plane, first, ICA_CORE_MM))
    found = {side: _carotid(cores(base), sg) for side, sg in SIGN.items()}
    rise = int(round(ICA_RISE_MM / grid.geometry.spacing[0]))
    for side, sg in SIGN.items():
        other = found[OTHER[side]]
        top = base + (rise if other is not None else 0)
        for first in slabs[1:]:
            if found[side] is not None or first > top:
                break
            found[side] = _carotid(cores(first), sg)
    ica = _followed_down(grid, plane, found)
    if None in found.values():
        pair = _carotid_pair([cores(first) for first in slabs[:ICA_PAIR_SLABS]])
        paired = {} if pair is None else _followed_down(grid, plane, pair, _midpoint(pair))
        if pair is not None and not _extends_with_posterior(grid, plane, ica, paired):
            found, ica = pair, paired
    rear = max((b.y for b in found.values() if b is not None), default=-np.inf)
    behind = (rear + VA_SEED_BEHIND_MM[0], rear + VA_SEED_BEHIND_MM[1])
    va: tuple[I64, ...] = ()
    for first in slabs[:VA_SLABS]:
        va = tuple(
            c.seed
            for c in blobs(first)
            if VA_LATERAL_MM[0] <= abs(c.d) <= VA_LATERAL_MM[1] and behind[0] <= c.y <= behind[1]
        )
        if va:
            break
    return Roots(ica, va)


def head_frame(plane: Plane, acom_lps: npt.ArrayLike) -> HeadFrame:
    """The head frame anchored at the anterior communicating artery (see the module)."""
    x = np.asarray(plane.normal, dtype=float)
    z = np.array([0.0, 0.0, 1.0]) - x[2] * x
    z /= np.linalg.norm(z)
    y = np.cross(z, x)
    axes = np.stack([x, y, z])
    origin = np.asarray(acom_lps, dtype=float).reshape(3) + np.asarray(ACOM_TO_ORIGIN_MM) @ axes
    return HeadFrame(origin, axes)


def region(
    grid: WorkGrid, frame: HeadFrame, box: tuple[tuple[float, float], ...], sign: float
) -> npt.NDArray[np.bool_]:
    """Voxels whose head coordinates lie in ``box`` ((x), (y), (z) ranges, mm), with x
    mirrored by ``sign`` (+1 left, -1 right)."""
    g = grid.geometry
    corners = np.array(
        [[sign * box[0][a], box[1][b], box[2][c]] for a in (0, 1) for b in (0, 1) for c in (0, 1)]
    )
    lps = frame.origin + corners @ frame.axes
    out = np.zeros(g.shape, dtype=bool)
    bounds = g.index_bounds(lps)
    if bounds is None:
        return out
    lo, hi = bounds
    vox = box_indices(lo, hi)
    h = frame.to_head(g.index_to_lps(vox.astype(float)))
    h[:, 0] *= sign
    inside = np.all((h >= [b[0] for b in box]) & (h <= [b[1] for b in box]), axis=1)
    out[tuple(vox[inside].T)] = True
    return out
