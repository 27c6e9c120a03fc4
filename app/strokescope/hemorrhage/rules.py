"""The SD rules of [HT-SD] (Table 1): the SD of the initial 50-80 HU segment picks the window.

========================  =================  ============
SD of initial segment     classed as         window (HU)
========================  =================  ============
SD = 0                    under-segmented    35-65
0 < SD <= 2.3             under-segmented    40-70
2.3 < SD <= 6             under-segmented    45-75
6 < SD <= 11              well-segmented     50-80
SD > 11                   over-segmented     55-85
========================  =================  ============

Edges belong to the lower bracket (``SD <= 2.3`` is 40-70), exactly as the table reads.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from strokescope.errors import InputError

INITIAL_WINDOW_HU: tuple[float, float] = (50.0, 80.0)
"""The initial (and the paper's global, Table 3) threshold window."""


@dataclass(frozen=True)
class ThresholdRule:
    """One row of Table 1: SD in ``(sd_above, sd_at_most]`` selects ``window_hu``."""

    label: str
    classification: str
    sd_above: float
    sd_at_most: float
    window_hu: tuple[float, float]

    def matches(self, sd: float) -> bool:
        if self.sd_above < 0:  # the SD = 0 row
            return sd == 0.0
        return self.sd_above < sd <= self.sd_at_most


TABLE_1: tuple[ThresholdRule, ...] = (
    ThresholdRule("SD = 0", "under-segmented", -1.0, 0.0, (35.0, 65.0)),
    ThresholdRule("0 < SD <= 2.3", "under-segmented", 0.0, 2.3, (40.0, 70.0)),
    ThresholdRule("2.3 < SD <= 6", "under-segmented", 2.3, 6.0, (45.0, 75.0)),
    ThresholdRule("6 < SD <= 11", "well-segmented", 6.0, 11.0, (50.0, 80.0)),
    ThresholdRule("SD > 11", "over-segmented", 11.0, math.inf, (55.0, 85.0)),
)


def select_rule(sd: float) -> ThresholdRule:
    """The Table 1 row for an initial-segment SD (HU).

    Raises
    ------
    InputError
        If ``sd`` is negative or not finite.
    """
    if not math.isfinite(sd) or sd < 0:
        raise InputError(f"initial segment SD must be a finite value >= 0 HU, got {sd}")
    for rule in TABLE_1:
        if rule.matches(sd):
            return rule
    raise AssertionError(f"Table 1 does not cover SD {sd}")  # pragma: no cover
