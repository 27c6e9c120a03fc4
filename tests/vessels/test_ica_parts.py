"""Clot-burden parts read from the ICA's and the M1's profiles (``vessels.tree``)."""

from __future__ import annotations

import numpy as np

from strokescope.vessels.result import NOT_OPACIFIED, OPACIFIED, ArterySegment, Profile
from strokescope.vessels.tree import ica_parts, occluded_parts

STEP = 0.5


def _segment(
    label: str, start_mm: float, end_mm: float, clot: tuple[float, float] | None
) -> ArterySegment:
    d = np.arange(start_mm, end_mm + STEP / 2, STEP)
    opacified = np.ones(len(d), bool)
    if clot is not None:
        opacified &= ~((d >= clot[0] - 1e-6) & (d <= clot[1] + 1e-6))
    hu = np.where(opacified, 350.0, 50.0).astype(np.float32)
    profile = Profile("ICA terminus", d, hu, hu - 40.0, opacified)
    status = OPACIFIED if opacified.all() else NOT_OPACIFIED
    pts = np.zeros((len(d), 3))
    return ArterySegment(label, "left", pts, np.ones(len(d), np.float32), profile, status, None)


def _ica(clot: tuple[float, float] | None, split: float = -12.0) -> list[ArterySegment]:
    return [
        _segment("ICA infraclinoid", -80.0, split, clot),
        _segment("ICA supraclinoid", split, 0.0, clot),
    ]


def test_a_clot_reaching_below_the_clinoid_scores_both_parts() -> None:
    # 2 mm of the run lie below the split: too short alone, part of one clot with the rest
    infra, supra = _ica((-14.0, -0.5))
    assert ica_parts(infra, supra) == ("ICA infraclinoid", "ICA supraclinoid")
    assert occluded_parts([infra, supra], "left") == ("ICA infraclinoid", "ICA supraclinoid")


def test_a_clot_above_the_clinoid_scores_the_supraclinoid_part_only() -> None:
    assert ica_parts(*_ica((-12.0, 0.0))) == ("ICA supraclinoid",)


def test_a_clot_low_in_the_ica_scores_the_infraclinoid_part_only() -> None:
    assert ica_parts(*_ica((-40.0, -30.0))) == ("ICA infraclinoid",)


def test_a_short_gap_scores_nothing_and_a_patent_ica_nothing() -> None:
    assert ica_parts(*_ica((-13.0, -11.0))) == ()  # 2.5 mm across the split: one short run
    assert ica_parts(*_ica(None)) == ()


def test_a_part_alone_is_read_alone() -> None:
    infra, supra = _ica((-20.0, -5.0))
    assert ica_parts(infra, None) == ("ICA infraclinoid",)
    assert ica_parts(None, supra) == ("ICA supraclinoid",)
    assert ica_parts(None, None) == ()
