"""The arterial tree of a CTA: :func:`arterial_tree`, the one entry point."""

from __future__ import annotations

import logging
import time
from functools import partial

import numpy as np
import numpy.typing as npt

from strokescope.preprocess import brain_mask
from strokescope.preprocess.registration import RegistrationResult
from strokescope.thrombus.anatomy import Plane
from strokescope.thrombus.symmetry import symmetric_plane
from strokescope.vessels.cbs import SIDES, ClotBurden, clot_burden_score
from strokescope.vessels.frame import OTHER, find_roots
from strokescope.vessels.grid import WorkGrid, derived_grid, resampled
from strokescope.vessels.paths import arc_mm
from strokescope.vessels.profile import long_runs, profile, resample, status
from strokescope.vessels.result import NOT_OPACIFIED, ArterialTree, ArterySegment, Profile
from strokescope.vessels.threads import side_by_side
from strokescope.vessels.trace import Traced, trace
from strokescope.volume import Mask, Volume

log = logging.getLogger(__name__)

I64 = npt.NDArray[np.int64]
CHILDREN = {
    "ICA infraclinoid": ("ICA supraclinoid",),
    "ICA supraclinoid": ("M1", "A1", "Pcom"),
    "M1": ("M2 superior", "M2 inferior"),
    "A1": ("A2", "Acom"),
    "BA": ("P1",),
    "P1": ("P2", "Pcom"),
}
_PROFILE_ARRAYS = ("distance_mm", "cta_hu", "enhancement_hu", "opacified")
SAME_POINT_MM = 1e-3
"""The infraclinoid ICA's last point is the supraclinoid's first (the genu): read once, so
that a run across the split counts its points once (:func:`ica_parts`)."""
SCORED = ("ICA supraclinoid", "ICA infraclinoid", "A1", "M2 superior", "M2 inferior")
_BEFORE = {
    "ICA supraclinoid": ("ICA supraclinoid",),
    "ICA infraclinoid": ("ICA infraclinoid", "ICA supraclinoid"),
    "M2 superior": ("M1",),
    "M2 inferior": ("M1",),
    "A2": ("A1",),
    "P2": ("P1",),
}
"""Segments between the reference point and a segment's start (ICA: below the terminus)."""


def _start_mm(label: str, side: str, lengths: dict[tuple[str, str], float]) -> float:
    if label == "Acom":
        return lengths.get(("A1", "left"), 0.0)
    if label == "BA":
        return -lengths.get(("BA", "mid"), 0.0)
    before = sum(lengths.get((b, side), 0.0) for b in _BEFORE.get(label, ()))
    return -before if label.startswith("ICA") else before


def _segments(
    traced: Traced, grid: WorkGrid, ncct: Volume, cta: Volume, reg: RegistrationResult
) -> list[ArterySegment]:
    pts = {
        (lab, side): resample(grid.geometry.index_to_lps(p.astype(float)))
        for lab, side, p in traced.paths
    }
    lengths = {k: float(arc_mm(v)[-1]) for k, v in pts.items()}
    profiles: dict[tuple[str, str], Profile] = {}
    for (lab, side), p in pts.items():
        ref = "basilar tip" if lab in ("BA", "P1", "P2") else "ICA terminus"
        profiles[(lab, side)] = profile(p, _start_mm(lab, side, lengths), ref, cta, ncct, reg)
    medians = {k: float(np.median(v.enhancement_hu)) for k, v in profiles.items()}
    out = []
    for lab, side, path in traced.paths:
        p = pts[(lab, side)]
        r_vox = grid.radius_mm[tuple(path.T)]
        where = np.linspace(0, len(r_vox) - 1, len(p))
        radius = np.interp(where, np.arange(len(r_vox)), r_vox).astype(np.float32)
        other = OTHER.get(side, side)
        reference = max(medians[(lab, side)], medians.get((lab, other), 0.0))
        st, drop = status(profiles[(lab, side)], reference)
        out.append(ArterySegment(lab, side, p, radius, profiles[(lab, side)], st, drop))
    return out


def _long_runs(p: Profile) -> list[tuple[float, float]]:
    """(first, last) distance of each run of non-opacified points at least ``MIN_RUN_MM``."""
    d = p.distance_mm
    return [(float(d[a]), float(d[b])) for a, b in long_runs(p)]


def m1_halves(m1: ArterySegment) -> tuple[str, ...]:
    """Which halves of an M1 ("M1 proximal", "M1 distal") a non-opacified run of at least
    ``MIN_RUN_MM`` reaches."""
    d = m1.profile.distance_mm
    mid = 0.5 * (d[0] + d[-1])
    out: set[str] = set()
    for a, b in _long_runs(m1.profile):
        if a < mid:
            out.add("M1 proximal")
        if b >= mid:
            out.add("M1 distal")
    return tuple(sorted(out))


def ica_parts(infra: ArterySegment | None, supra: ArterySegment | None) -> tuple[str, ...]:
    """Which ICA parts a non-opacified run of at least ``MIN_RUN_MM`` reaches, the runs read
    along the whole ICA (infraclinoid then supraclinoid, their shared point once), as the
    M1's over its two halves:
    a clot that fills the supraclinoid ICA and reaches on below the clinoid scores both
    parts, however the split between them falls on it; a part traced without a profile
    point is not opacified."""
    parts = [s for s in (infra, supra) if s is not None]
    if not parts:
        return ()
    out = {s.label for s in parts if len(s.profile.opacified) == 0}
    arrays = [np.concatenate([getattr(s.profile, f) for s in parts]) for f in _PROFILE_ARRAYS]
    once = np.diff(arrays[0], prepend=-np.inf) > SAME_POINT_MM
    joined = Profile(parts[0].profile.reference, *(a[once] for a in arrays))
    has_split = supra is not None and len(supra.profile.distance_mm) > 0
    split = float(supra.profile.distance_mm[0]) if has_split and supra is not None else None
    for a, b in _long_runs(joined):
        if infra is not None and (split is None or a < split):
            out.add("ICA infraclinoid")
        if supra is not None and split is not None and b >= split:
            out.add("ICA supraclinoid")
    return tuple(sorted(out))


def occluded_parts(segments: list[ArterySegment], side: str) -> tuple[str, ...]:
    """The clot-burden parts of ``side`` that are not opacified."""
    parts: list[str] = []
    ica: dict[str, ArterySegment] = {}
    for s in segments:
        if s.side != side:
            continue
        if s.label == "M1":
            parts += m1_halves(s)
        elif s.label.startswith("ICA"):
            ica[s.label] = s
        elif s.label in SCORED and s.status == NOT_OPACIFIED:
            parts.append(s.label)
    return (*ica_parts(ica.get("ICA infraclinoid"), ica.get("ICA supraclinoid")), *parts)


def _clot_burden(segments: list[ArterySegment], traced: Traced, warnings: list[str]) -> ClotBurden:
    """The CBS of the traced segments; a carotid not found at the skull base while the
    other was costs its infraclinoid ICA; a side whose M1 was not traced is named in
    ``warnings`` (the score may be lower than given)."""
    occluded = {side: occluded_parts(segments, side) for side in SIDES}
    for side in traced.no_carotid:
        occluded[side] = tuple(sorted({"ICA infraclinoid", *occluded[side]}))
        warnings.append(
            f"clot burden score: the {side} supraclinoid ICA was not traced; the score may be lower"
        )
    for side in SIDES:
        if not any(s.label == "M1" and s.side == side for s in segments):
            warnings.append(
                f"clot burden score: the {side} M1 was not traced; the score may be lower"
            )
    return clot_burden_score(occluded)


def _edges(segments: list[ArterySegment]) -> tuple[tuple[int, int], ...]:
    out = []
    for i, parent in enumerate(segments):
        for j, child in enumerate(segments):
            same = child.side == parent.side or "mid" in (child.side, parent.side)
            if child.label in CHILDREN.get(parent.label, ()) and same:
                out.append((i, j))
    return tuple(out)


def _brain_and_plane(head: Volume) -> tuple[Mask, Plane]:
    brain = brain_mask(head)
    return brain, symmetric_plane(head, brain)


def arterial_tree(
    ncct: Volume, cta: Volume, reg: RegistrationResult, *, spacing_mm: float = 1.0
) -> ArterialTree:
    """Labelled arterial tree, contrast profiles and clot burden score of an NCCT + CTA pair.

    Parameters
    ----------
    ncct, cta
        The two scans in HU, axis order (z, y, x).
    reg
        The motion from :func:`strokescope.preprocess.registration.register_rigid`.
    spacing_mm
        Spacing of the isotropic working grid (0.5-2 mm).
    """
    start = time.perf_counter()
    scans = resampled(ncct, cta, reg, spacing_mm=spacing_mm)
    grid, (brain, plane) = side_by_side(
        partial(derived_grid, scans), partial(_brain_and_plane, Volume(scans.ncct, scans.geometry))
    )
    traced = trace(grid, plane, find_roots(grid, plane), brain.array)
    segments = _segments(traced, grid, ncct, cta, reg)
    warnings = list(traced.warnings)
    cbs = _clot_burden(segments, traced, warnings)
    lps = {
        k: tuple(float(v) for v in grid.geometry.index_to_lps(i[None].astype(float)).reshape(3))
        for k, i in traced.termini.items()
    }
    tip = None
    if traced.basilar_tip is not None:
        tip = tuple(
            float(v)
            for v in grid.geometry.index_to_lps(traced.basilar_tip[None].astype(float)).reshape(3)
        )
    seconds = time.perf_counter() - start
    log.info("arterial tree: %d segments, CBS %d, %.2f s", len(segments), cbs.score, seconds)
    return ArterialTree(
        segments=tuple(segments),
        edges=_edges(segments),
        termini_lps=lps,  # type: ignore[arg-type]
        basilar_tip_lps=tip,  # type: ignore[arg-type]
        clot_burden=cbs,
        seconds=round(seconds, 3),
        warnings=tuple(warnings),
    )
