"""How much of the brain is contrast-enhanced: the one HU test for "is this a CTA?".

Arteries filled with contrast lie at 200-600 HU; brain tissue, blood and clot stay below
100 HU. Bone and the partial-volume rim of the skull also exceed 200 HU, so the count runs
inside the brain mask eroded by a few millimetres, away from the inner table of the skull.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from strokescope.errors import InputError
from strokescope.preprocess.morphology import erode_ball
from strokescope.volume import Mask, Volume


@dataclass(frozen=True)
class EnhancementBand:
    """HU band of contrast-filled vessels and the rim excluded next to the skull."""

    low_hu: float = 200.0
    high_hu: float = 600.0
    rim_mm: float = 4.0

    def __post_init__(self) -> None:
        if not 0.0 < self.low_hu < self.high_hu <= 3000.0:
            raise InputError(
                f"enhancement band {self.low_hu}..{self.high_hu} HU must satisfy "
                "0 < low < high <= 3000"
            )
        if not 0.0 <= self.rim_mm <= 20.0:
            raise InputError(f"enhancement rim_mm must be in 0..20, got {self.rim_mm}")


SAMPLE_MM = 1.5
"""Voxels are sampled on a lattice of about this step: the fraction of a thin-slice volume
is estimated from ~1/27 of its voxels, which keeps the test well under a second."""


def enhanced_fraction(volume: Volume, brain: Mask, *, band: EnhancementBand | None = None) -> float:
    """Fraction of brain voxels (skull rim excluded) whose HU lies inside the band.

    About 0.1-2 % on a CTA, below 0.05 % on a non-contrast CT (calcified plaques only).
    Estimated on a lattice of about :data:`SAMPLE_MM` steps. Returns 0 when the eroded
    brain is empty.
    """
    return enhanced_fractions(brain, (volume, band or EnhancementBand()))[0]


def enhanced_fractions(brain: Mask, *probes: tuple[Volume, EnhancementBand]) -> tuple[float, ...]:
    """:func:`enhanced_fraction` of each (volume, band) pair, all on ``brain``'s grid; the
    eroded brain is computed once per rim width, not once per pair."""
    steps = [max(1, int(SAMPLE_MM / s)) for s in brain.geometry.spacing]
    lattice = tuple(slice(None, None, st) for st in steps)
    inner_by_rim: dict[float, npt.NDArray[np.bool_]] = {}
    out = []
    for volume, b in probes:
        if b.rim_mm not in inner_by_rim:
            radius = [
                int(np.ceil(b.rim_mm / (s * st) - 0.5))
                for s, st in zip(brain.geometry.spacing, steps, strict=True)
            ]
            inner_by_rim[b.rim_mm] = erode_ball(brain.array[lattice], radius)
        inner = inner_by_rim[b.rim_mm]
        n = int(np.count_nonzero(inner))
        if n == 0:
            out.append(0.0)
            continue
        values = volume.array[lattice][inner]
        out.append(float(np.count_nonzero((values > b.low_hu) & (values < b.high_hu)) / n))
    return tuple(out)
