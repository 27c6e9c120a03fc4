"""Where a clot lies: midsagittal plane, side, estimated vessel segment, contralateral vessel.

Midsagittal plane: through the brain mask's centroid, normal = the principal axis of the
brain-mask voxels closest to the patient's left (LPS +x); a brain is mirror-symmetric, so one
principal axis is the plane's normal. If that axis is more than 20 degrees from LPS x (nearly
equal principal moments), LPS x is used. The normal points to the patient's left. The
analysis uses this plane only to start :func:`strokescope.thrombus.symmetry.symmetric_plane`,
which finds the plane of mirror symmetry of the head itself.

Segment rule (``SegmentRule``; lateral distance d from the plane, "non-lateral" meaning
|tangent . normal| < ``lateral_cos``), first match wins:

* **basilar**: the whole centerline lies within ``basilar_max_lateral_mm`` of the midline
  and at least half of it runs non-laterally (the basilar climbs the clivus in the midline;
  no anterior-circulation artery runs there);
* **A1/P1**: its medial end lies within ``proximal_branch_max_lateral_mm`` of the midline
  and it spans less than ``branch_max_vertical_mm`` head-foot: the A1 (from the AComm,
  ~1-3 mm) and the P1 (from the basilar tip) start at the midline and run nearly
  horizontally, while the M1 starts at the ICA terminus, ~10-18 mm lateral, and an ICA
  clot climbs. The two are not told apart without a vessel tree;
* **ICA**: at least ``ica_min_fraction`` of the centerline runs non-laterally (the
  vertical/anteroposterior supraclinoid and cavernous ICA) and its medial end lies within
  ``ica_max_lateral_mm`` of the midline;
* **A1/P1**, where ``lateral_branch_max_medial_mm`` is set (the manifest's
  ``a1p1_max_medial_mm``; None: not read): a clot that is not an ICA clot whose medial end
  lies within that distance of the midline and its lateral end within
  ``lateral_branch_max_lateral_mm``. The M1 starts at the ICA terminus, at least ~10 mm
  lateral, so a laterally running clot that starts nearer the midline and stays near it
  lies in an A1 or P1: a clot in the lateral half of a P1 (5-10 mm long from the basilar
  tip) starts 7-10 mm from the midline. Read after the ICA test, because a climbing ICA
  clot near the terminus may start as near the midline (a tortuous ICA 9 mm from it);
  where ``lateral_branch_min_basilar_mm3`` is set (the manifest's ``a1p1_min_basilar_mm3``)
  the clot must also have that much opacified lumen in the midline below its medial end
  (:mod:`strokescope.thrombus.basilar_lumen`): the basilar under a P1, where a piece of an
  ICA clot at its terminus, whose centerline need not climb, has none;
* **M1**: otherwise, when its medial end lies within ``m1_max_lateral_mm`` (the M1 runs
  laterally from the terminus, ~14 mm, to the bifurcation, ~40 mm);
* **M2**: otherwise (the clot starts beyond the bifurcation).

The numbers are set from adult anatomy (terminus ~14 mm, bifurcation ~40 mm from the
midline, basilar in the midline) and checked on the calibration phantoms; they are
estimates, not a vessel labelling.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from strokescope.thrombus.centerline import Centerline
from strokescope.volume import Mask

MAX_PLANE_TILT_DEG = 20.0
MIDLINE_MM = 3.0


@dataclass(frozen=True)
class Plane:
    """Midsagittal plane: a point and the unit normal pointing to the patient's left (LPS)."""

    point: tuple[float, float, float]
    normal: tuple[float, float, float]

    def signed_distance(self, points: npt.ArrayLike) -> npt.NDArray[np.float64]:
        p = np.asarray(points, dtype=float).reshape(-1, 3)
        return np.asarray((p - np.asarray(self.point)) @ np.asarray(self.normal))

    def mirror(self, points: npt.ArrayLike) -> npt.NDArray[np.float64]:
        p = np.asarray(points, dtype=float).reshape(-1, 3)
        return p - 2.0 * self.signed_distance(p)[:, None] * np.asarray(self.normal)[None]


@dataclass(frozen=True)
class SegmentRule:
    """Numbers of the segment rule (see the module docstring)."""

    lateral_cos: float = 0.5
    ica_min_fraction: float = 0.4
    ica_max_lateral_mm: float = 30.0
    m1_max_lateral_mm: float = 36.5
    basilar_max_lateral_mm: float = 5.0
    proximal_branch_max_lateral_mm: float = 7.0
    branch_max_vertical_mm: float = 10.0
    lateral_branch_max_medial_mm: float | None = None
    lateral_branch_max_lateral_mm: float = 15.0
    lateral_branch_min_basilar_mm3: float | None = None

    def _basilar(self) -> str:
        need = self.lateral_branch_min_basilar_mm3
        if need is None:
            return ""
        return f" with >= {need:g} mm3 of opacified midline lumen below it (a basilar)"

    def describe(self) -> str:
        lateral = self.lateral_branch_max_medial_mm
        branch = (
            ""
            if lateral is None
            else f"else A1/P1 if the medial end < {lateral:g} mm and the lateral end < "
            f"{self.lateral_branch_max_lateral_mm:g} mm from the midline{self._basilar()}; "
        )
        return (
            f"basilar if the whole centerline lies < {self.basilar_max_lateral_mm:g} mm from "
            f"the midline and >= 50% of it runs non-laterally (|cos| < {self.lateral_cos:g}); "
            f"else A1/P1 if the medial end < {self.proximal_branch_max_lateral_mm:g} mm from "
            f"the midline and it spans < {self.branch_max_vertical_mm:g} mm head-foot; else "
            f"ICA if >= {self.ica_min_fraction:.0%} runs non-laterally with the medial end < "
            f"{self.ica_max_lateral_mm:g} mm; {branch}else M1 if the medial end < "
            f"{self.m1_max_lateral_mm:g} mm; else M2"
        )


def midsagittal_plane(
    brain: Mask, *, max_points: int = 200_000, max_tilt_deg: float = MAX_PLANE_TILT_DEG
) -> Plane:
    """Estimate the midsagittal plane from a brain mask (see the module docstring; a normal
    more than ``max_tilt_deg`` from LPS x is replaced by LPS x)."""
    idx = np.argwhere(brain.array)
    if len(idx) == 0:
        centre = brain.geometry.index_to_lps((np.asarray(brain.geometry.shape) - 1) / 2)
        return Plane(tuple(float(v) for v in centre), (1.0, 0.0, 0.0))  # type: ignore[arg-type]
    if len(idx) > max_points:
        idx = idx[:: len(idx) // max_points + 1]
    pts = brain.geometry.index_to_lps(idx.astype(float))
    centre = pts.mean(0)
    _, vecs = np.linalg.eigh(np.cov((pts - centre).T))
    best = vecs[:, int(np.argmax(np.abs(vecs[0])))]
    normal = best if best[0] >= 0 else -best
    if np.degrees(np.arccos(min(1.0, abs(float(normal[0]))))) > max_tilt_deg:
        normal = np.array([1.0, 0.0, 0.0])
    return Plane(
        tuple(float(v) for v in centre),  # type: ignore[arg-type]
        tuple(float(v) for v in normal),  # type: ignore[arg-type]
    )


def side_of(plane: Plane, centroid: npt.ArrayLike) -> str:
    """``"left"``/``"right"`` of the patient, ``"midline"`` within 3 mm of the plane."""
    d = float(plane.signed_distance(centroid)[0])
    if abs(d) < MIDLINE_MM:
        return "midline"
    return "left" if d > 0 else "right"


def segment_of(
    line: Centerline,
    plane: Plane,
    rule: SegmentRule | None = None,
    basilar_mm3: float | None = None,
) -> str:
    """Estimated vessel segment ("basilar", "ICA", "A1/P1", "M1" or "M2") of a clot;
    ``basilar_mm3``: the opacified midline lumen below its medial end, where the rule's
    lateral A1/P1 branch asks for it."""
    r = rule or SegmentRule()
    lateral = np.abs(plane.signed_distance(line.points))
    medial = float(lateral.min())
    cos = np.abs(line.tangents @ np.asarray(plane.normal))
    if len(line.points) > 1:
        steps = np.linalg.norm(np.diff(line.points, axis=0), axis=1)
        weights = np.concatenate([steps, steps[-1:]])
    else:
        weights = np.ones(1)
    non_lateral = float(weights[cos < r.lateral_cos].sum() / max(weights.sum(), 1e-9))
    vertical = float(np.ptp(line.points[:, 2]))
    if float(lateral.max()) < r.basilar_max_lateral_mm and non_lateral >= 0.5:
        return "basilar"
    if medial < r.proximal_branch_max_lateral_mm and vertical < r.branch_max_vertical_mm:
        return "A1/P1"
    if non_lateral >= r.ica_min_fraction and medial < r.ica_max_lateral_mm:
        return "ICA"
    near, basilar = r.lateral_branch_max_medial_mm, r.lateral_branch_min_basilar_mm3
    if (
        near is not None
        and medial < near
        and float(lateral.max()) < r.lateral_branch_max_lateral_mm
        and (basilar is None or (basilar_mm3 or 0.0) >= basilar)
    ):
        return "A1/P1"
    if medial < r.m1_max_lateral_mm:
        return "M1"
    return "M2"
