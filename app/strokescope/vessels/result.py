"""Typed results of the arterial tree (frozen dataclasses; points LPS mm on the CTA)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from strokescope.vessels.cbs import ClotBurden

OPACIFIED, NOT_OPACIFIED, REDUCED = "opacified", "not opacified", "reduced"


@dataclass(frozen=True, eq=False)
class Profile:
    """Contrast along a segment, one value per centerline point.

    ``distance_mm`` runs from the side's ICA terminus along the tree (negative below it, on
    the ICA) for the anterior segments and the Pcom, from the basilar tip for the basilar
    (negative) and the P1/P2 (``reference`` names which).
    """

    reference: str  # "ICA terminus" or "basilar tip"
    distance_mm: npt.NDArray[np.float64]
    cta_hu: npt.NDArray[np.float32]
    enhancement_hu: npt.NDArray[np.float32]
    """CTA minus the registered NCCT (HU)."""
    opacified: npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class ArterySegment:
    """One labelled edge of the tree: a TopCoW class [TopCoW] (with the parts the clot
    burden score needs: "ICA infraclinoid"/"ICA supraclinoid", "M2 superior"/"M2
    inferior"), its side, centerline and lumen radius, profile and status."""

    label: str
    side: str  # "left", "right" or "mid"
    points: npt.NDArray[np.float64]
    radius_mm: npt.NDArray[np.float32]
    profile: Profile
    status: str  # OPACIFIED, NOT_OPACIFIED or REDUCED
    drop_mm: float | None
    """Where the column first drops (``distance_mm`` of the first non-opacified run), or
    None when it does not."""

    @property
    def topcow_class(self) -> str:
        return self.label.split()[0]

    @property
    def length_mm(self) -> float:
        return float(np.linalg.norm(np.diff(self.points, axis=0), axis=1).sum())


@dataclass(frozen=True, eq=False)
class ArterialTree:
    """Labelled centerline graph of the intracranial arteries on a CTA and its clot burden.

    Method (classical, no network): opacified lumen as CTA - registered NCCT
    (:mod:`strokescope.thrombus.vessel_evidence`); fast-marching minimal paths
    [Sethian1996, Deschamps2001] from the carotid and vertebral roots at the skull base to
    distal search regions of a head frame anchored at the anterior communicating artery;
    segments labelled by where the paths part (ICA terminus, M1 bifurcation, A1 end,
    basilar tip, Pcom junction) with TopCoW classes [TopCoW]; the contrast profile of each
    segment; the clot burden score [Puetz2008] from the non-opacified parts of each side.
    ``edges`` are (parent index, child index) into ``segments`` at their shared end points.
    """

    segments: tuple[ArterySegment, ...]
    edges: tuple[tuple[int, int], ...]
    termini_lps: dict[str, tuple[float, float, float]]
    basilar_tip_lps: tuple[float, float, float] | None
    clot_burden: ClotBurden
    seconds: float
    warnings: tuple[str, ...] = ()

    def segment(self, label: str, side: str) -> ArterySegment | None:
        return next((s for s in self.segments if s.label == label and s.side == side), None)
