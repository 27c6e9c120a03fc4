from __future__ import annotations

import math

import pytest

from strokescope.errors import InputError
from strokescope.hemorrhage import TABLE_1, select_rule

EPS = 1e-9


@pytest.mark.parametrize(
    ("sd", "window", "classification"),
    [
        (0.0, (35.0, 65.0), "under-segmented"),
        (EPS, (40.0, 70.0), "under-segmented"),
        (1.0, (40.0, 70.0), "under-segmented"),
        (2.3, (40.0, 70.0), "under-segmented"),
        (2.3 + EPS, (45.0, 75.0), "under-segmented"),
        (2.31, (45.0, 75.0), "under-segmented"),
        (6.0, (45.0, 75.0), "under-segmented"),
        (6.0 + EPS, (50.0, 80.0), "well-segmented"),
        (6.01, (50.0, 80.0), "well-segmented"),
        (11.0, (50.0, 80.0), "well-segmented"),
        (11.0 + EPS, (55.0, 85.0), "over-segmented"),
        (11.01, (55.0, 85.0), "over-segmented"),
        (400.0, (55.0, 85.0), "over-segmented"),
    ],
)
def test_table_1_brackets_and_edges(
    sd: float, window: tuple[float, float], classification: str
) -> None:
    rule = select_rule(sd)
    assert rule.window_hu == window
    assert rule.classification == classification
    assert rule.matches(sd)


def test_exactly_one_rule_matches_every_sd() -> None:
    for sd in [0.0, EPS, 2.3, 2.3 + EPS, 6.0, 6.0 + EPS, 11.0, 11.0 + EPS, 1e6]:
        assert sum(r.matches(sd) for r in TABLE_1) == 1


@pytest.mark.parametrize("sd", [-EPS, -1.0, math.nan, math.inf])
def test_invalid_sd_raises(sd: float) -> None:
    with pytest.raises(InputError, match="SD"):
        select_rule(sd)
