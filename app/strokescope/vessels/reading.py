"""The arterial tree read beside the thrombus result: the evidence a physician can check.

Per thrombus: the labelled segment its voxels lie on (the segment with the most centerline
points within ``NEAR_MM`` of them), the distance along the tree from the reference point
(the side's ICA terminus; the basilar tip for the basilar and the posterior cerebral
arteries) to the clot's proximal end (over every segment of that side it touches), and
whether the segment's contrast profile agrees: most of its centerline points at the clot
not opacified, as an occluded lumen is. The
distance is signed, negative below the terminus on the ICA (MR CLEAN Registry's "distance
from the ICA terminus" [Friedrich2015] for clots beyond it).

Disagreements become warnings, in words a physician can check on the CTA: a thrombus on a
segment opacified along the clot, a thrombus on no traced artery, and a segment whose
column drops (a non-opacified run of 3 mm or more) with no thrombus on it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from strokescope.thrombus.result import ThrombusResult
from strokescope.thrombus.thrombus_voxels import thrombus_voxels
from strokescope.vessels.cbs import ClotBurden
from strokescope.vessels.result import NOT_OPACIFIED, ArterialTree, ArterySegment, Profile

NEAR_MM = 1.5
"""A centerline point lies at a clot when a clot voxel centre is this close (about the
radius of an M1)."""
AGREE_FRACTION = 0.5
"""A clot's segment agrees when at least this fraction of its points at the clot are not
opacified."""
MAX_CLOT_POINTS = 4000
"""Clot voxels read per thrombus (an even subsample of larger clots)."""
TREE_CAVEAT = (
    "Arterial tree: classical method, checked on phantoms of the first family only (labels "
    "fail on other phantom families); research use, not for diagnosis - read the CTA."
)


@dataclass(frozen=True)
class ClotOnTree:
    """Where one thrombus lies on the tree and whether the tree's profile agrees."""

    thrombus: int
    """The thrombus's ``label`` in the thrombus result."""
    segment: str | None
    side: str | None
    distance_mm: float | None
    """Along the tree from ``reference`` to the clot's proximal end (negative: below it)."""
    reference: str | None
    not_opacified_fraction: float | None
    """Fraction of the segment's centerline points at the clot that contrast does not fill."""
    profile_agrees: bool | None


@dataclass(frozen=True)
class TreeReading:
    """The tree, each thrombus on it, and the warnings where the two disagree."""

    tree: ArterialTree
    clots: tuple[ClotOnTree, ...]
    warnings: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        t = self.tree
        return {
            "caveat": TREE_CAVEAT,
            "clot_burden_score": {
                "score": t.clot_burden.score,
                "side": t.clot_burden.side,
                "occluded_parts": list(t.clot_burden.occluded),
            },
            "segments": [_segment_dict(s) for s in t.segments],
            "termini_lps": {k: list(v) for k, v in t.termini_lps.items()},
            "basilar_tip_lps": None if t.basilar_tip_lps is None else list(t.basilar_tip_lps),
            "edges": [list(e) for e in t.edges],
            "thrombi": [asdict(c) for c in self.clots],
            "warnings": list(self.warnings),
            "tree_warnings": list(t.warnings),
            "seconds": t.seconds,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> TreeReading:
        """The reading :meth:`to_dict` wrote (points to 0.1 mm, HU to 1 HU)."""
        cbs = d["clot_burden_score"]
        tip = d.get("basilar_tip_lps")
        tree = ArterialTree(
            segments=tuple(_segment_from(s) for s in d["segments"]),
            edges=tuple((int(a), int(b)) for a, b in d.get("edges", ())),
            termini_lps={str(k): _xyz(v) for k, v in d.get("termini_lps", {}).items()},
            basilar_tip_lps=None if tip is None else _xyz(tip),
            clot_burden=ClotBurden(int(cbs["score"]), cbs["side"], tuple(cbs["occluded_parts"])),
            seconds=float(d.get("seconds", 0.0)),
            warnings=tuple(str(w) for w in d.get("tree_warnings", ())),
        )
        clots = tuple(ClotOnTree(**c) for c in d.get("thrombi", ()))
        return cls(tree, clots, tuple(str(w) for w in d.get("warnings", ())))

    def report_warnings(self) -> tuple[str, ...]:
        """What the exports list among their warnings: the disagreements, the tree's own
        warnings and the caveat, each prefixed "arterial tree"."""
        lines = (*self.warnings, *self.tree.warnings)
        return (*(_prefixed(w) for w in lines), TREE_CAVEAT)

    def summary(self) -> list[str]:
        """Report lines: the score, each thrombus on the tree, the disagreements, the caveat."""
        cbs = self.tree.clot_burden
        where = (
            "" if cbs.side is None else f" ({cbs.side}: {', '.join(cbs.occluded)} not opacified)"
        )
        lines = [f"Clot burden score {cbs.score}/10{where}"]
        for c in self.clots:
            if c.segment is None:
                continue
            dist = (
                "" if c.distance_mm is None else f", {c.distance_mm:+.0f} mm from the {c.reference}"
            )
            agree = "profile agrees" if c.profile_agrees else "profile disagrees"
            lines.append(
                f"  thrombus {c.thrombus}: {c.side} {c.segment} on the tree{dist}; {agree}"
            )
        lines += [f"  warning: {w}" for w in (*self.warnings, *self.tree.warnings)]
        lines.append(f"  {TREE_CAVEAT}")
        return lines


def _xyz(v: Any) -> tuple[float, float, float]:
    x, y, z = (float(c) for c in v)
    return (x, y, z)


def _segment_from(d: dict[str, Any]) -> ArterySegment:
    p = d["profile"]
    profile = Profile(
        str(p["reference"]),
        np.asarray(p["distance_mm"], dtype=np.float64),
        np.asarray(p["cta_hu"], dtype=np.float32),
        np.asarray(p["enhancement_hu"], dtype=np.float32),
        np.asarray(p["opacified"], dtype=bool),
    )
    return ArterySegment(
        str(d["label"]),
        str(d["side"]),
        np.asarray(d["points_lps"], dtype=np.float64).reshape(-1, 3),
        np.asarray(d["radius_mm"], dtype=np.float32),
        profile,
        str(d["status"]),
        None if d.get("drop_mm") is None else float(d["drop_mm"]),
    )


def _segment_dict(s: ArterySegment) -> dict[str, Any]:
    p = s.profile
    return {
        "label": s.label,
        "side": s.side,
        "status": s.status,
        "drop_mm": None if s.drop_mm is None else round(s.drop_mm, 1),
        "length_mm": round(s.length_mm, 1),
        "points_lps": [[round(float(c), 1) for c in q] for q in s.points],
        "radius_mm": [round(float(r), 2) for r in s.radius_mm],
        "profile": {
            "reference": p.reference,
            "distance_mm": [round(float(v), 1) for v in p.distance_mm],
            "cta_hu": [round(float(v)) for v in p.cta_hu],
            "enhancement_hu": [round(float(v)) for v in p.enhancement_hu],
            "opacified": [bool(v) for v in p.opacified],
        },
    }


def _points_at(seg: ArterySegment, clot_lps: npt.NDArray[np.float64]) -> npt.NDArray[np.bool_]:
    """Which centerline points of ``seg`` lie within ``NEAR_MM`` of a clot voxel."""
    out = np.zeros(len(seg.points), bool)
    if len(seg.points) == 0 or len(clot_lps) == 0:
        return out
    lo, hi = seg.points.min(0) - NEAR_MM, seg.points.max(0) + NEAR_MM
    near = clot_lps[np.all((clot_lps >= lo) & (clot_lps <= hi), axis=1)]
    if len(near):
        out = ((seg.points[:, None, :] - near[None, :, :]) ** 2).sum(-1).min(1) <= NEAR_MM**2
    return np.asarray(out)


def _clot_on_tree(label: int, tree: ArterialTree, clot_lps: npt.NDArray[np.float64]) -> ClotOnTree:
    """The segment with the most centerline points at the clot; the clot's proximal end is
    its nearest point to the reference on every segment of that side and reference it
    touches (a clot that fills the terminal ICA and runs into the M1 starts on the ICA)."""
    at_clot = [(seg, _points_at(seg, clot_lps)) for seg in tree.segments]
    touched = [(seg, at) for seg, at in at_clot if at.any()]
    if not touched:
        return ClotOnTree(label, None, None, None, None, None, None)
    seg, at = max(touched, key=lambda pair: int(pair[1].sum()))
    p = seg.profile
    fraction = float((~p.opacified[at]).mean())
    ends = [
        float(s.profile.distance_mm[a].min())
        for s, a in touched
        if s.side == seg.side and s.profile.reference == p.reference
    ]
    return ClotOnTree(
        thrombus=label,
        segment=seg.label,
        side=seg.side,
        distance_mm=round(min(ends), 1),
        reference=p.reference,
        not_opacified_fraction=round(fraction, 2),
        profile_agrees=fraction >= AGREE_FRACTION,
    )


def _warnings(
    tree: ArterialTree, clots: list[ClotOnTree], clot_lps: list[npt.NDArray[np.float64]]
) -> list[str]:
    out = []
    for c in clots:
        if c.segment is None:
            out.append(
                f"thrombus {c.thrombus}: on no traced artery (the tree may have missed its "
                "artery) - no profile to check it against"
            )
        elif not c.profile_agrees:
            out.append(
                f"thrombus {c.thrombus} ({c.side} {c.segment}): the {c.side} {c.segment} is "
                "opacified along the clot on the CTA profile - model and profile disagree"
            )
    everything = np.concatenate(clot_lps) if clot_lps else np.zeros((0, 3))
    for seg in tree.segments:
        if seg.status != NOT_OPACIFIED or _points_at(seg, everything).any():
            continue
        where = (
            "" if seg.drop_mm is None else f" {seg.drop_mm:.0f} mm from the {seg.profile.reference}"
        )
        out.append(
            f"{seg.side} {seg.label}: the contrast column drops{where}, and no thrombus was "
            "found there - check the CTA"
        )
    return out


def read_tree(tree: ArterialTree, thrombus: ThrombusResult) -> TreeReading:
    """Each thrombus of ``thrombus`` on ``tree`` (both on the same CTA) and the warnings
    where the network and the profiles disagree (a negative study too: a column that drops
    where no thrombus was found is the reverse disagreement)."""
    geometry = thrombus.mask.geometry
    clot_lps = []
    for vox in thrombus_voxels(thrombus):
        step = max(1, len(vox) // MAX_CLOT_POINTS)
        clot_lps.append(np.asarray(geometry.index_to_lps(vox[::step].astype(float))))
    clots = [
        _clot_on_tree(th.label, tree, pts)
        for th, pts in zip(thrombus.thrombi, clot_lps, strict=True)
    ]
    return TreeReading(tree, tuple(clots), tuple(_warnings(tree, clots, clot_lps)))


def _prefixed(warning: str) -> str:
    """``warning`` beginning "arterial tree: " once (the tree's own warnings carry it)."""
    return warning if warning.startswith("arterial tree:") else f"arterial tree: {warning}"
