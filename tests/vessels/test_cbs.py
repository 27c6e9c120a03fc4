"""Each subtraction of the clot burden score [Puetz2008], pinned one by one."""

from __future__ import annotations

import pytest

from strokescope.vessels.cbs import CBS_ITEMS, ClotBurden, clot_burden_score, side_score


def test_no_clot_scores_ten() -> None:
    assert clot_burden_score({}) == ClotBurden(10, None, ())
    assert clot_burden_score({"left": (), "right": ()}).score == 10


@pytest.mark.parametrize(
    ("part", "points"),
    [
        ("ICA supraclinoid", 2),
        ("M1 proximal", 2),
        ("M1 distal", 2),
        ("ICA infraclinoid", 1),
        ("A1", 1),
        ("M2 superior", 1),
        ("M2 inferior", 1),
    ],
)
def test_each_part_costs_its_points(part: str, points: int) -> None:
    assert side_score([part]) == 10 - points
    result = clot_burden_score({"right": [part]})
    assert result == ClotBurden(10 - points, "right", (part,))


def test_all_parts_occluded_scores_zero() -> None:
    assert side_score(CBS_ITEMS) == 0


def test_terminal_ica_and_proximal_m1() -> None:
    assert side_score(["ICA supraclinoid", "M1 proximal"]) == 6


def test_a_part_counts_once() -> None:
    assert side_score(["A1", "A1"]) == 9


def test_only_the_affected_side_counts() -> None:
    result = clot_burden_score({"left": ["M2 superior"], "right": ["M1 distal", "A1"]})
    assert result == ClotBurden(7, "right", ("A1", "M1 distal"))


def test_unknown_part_is_an_error() -> None:
    with pytest.raises(KeyError):
        side_score(["M3"])
