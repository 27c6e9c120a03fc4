"""Clot burden score (Puetz et al. 2008, [Puetz2008]) from per-segment opacification.

Ten points minus, on the affected side only: 2 each for no contrast opacification of the
supraclinoid ICA, the proximal half of M1 and the distal half of M1; 1 each for the
infraclinoid ICA, the A1, the superior M2 and the inferior M2 trunk. 10 means no clot seen,
0 all eight segments occluded. The affected side is the side that loses more points (the
score of a study with occlusions on both sides is the lower one; a tie keeps the left).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

CBS_ITEMS: dict[str, int] = {
    "ICA supraclinoid": 2,
    "M1 proximal": 2,
    "M1 distal": 2,
    "ICA infraclinoid": 1,
    "A1": 1,
    "M2 superior": 1,
    "M2 inferior": 1,
}
"""The scored parts of one side and the points each costs when not opacified."""
SIDES = ("left", "right")


@dataclass(frozen=True)
class ClotBurden:
    """The score, the side it was read on and the parts that cost points there."""

    score: int
    side: str | None
    """"left"/"right", or None when no part of either side is occluded (score 10)."""
    occluded: tuple[str, ...]


def side_score(occluded: Iterable[str]) -> int:
    """Points of one side given the names of its non-opacified parts (``CBS_ITEMS`` keys).

    Unknown names raise ``KeyError``: a typo must not silently score as patent.
    """
    parts = set(occluded)
    return 10 - sum(CBS_ITEMS[name] for name in parts)


def clot_burden_score(occluded_by_side: Mapping[str, Iterable[str]]) -> ClotBurden:
    """The CBS of a study from the non-opacified parts of each side (see the module)."""
    best: ClotBurden = ClotBurden(10, None, ())
    for side in SIDES:
        parts = tuple(sorted(set(occluded_by_side.get(side, ()))))
        score = side_score(parts)
        if score < best.score:
            best = ClotBurden(score, side, parts)
    return best
