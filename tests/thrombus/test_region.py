"""The box the thrombus networks read stays within the NCCT's field of view.

A head-and-neck CTA beside a head NCCT (or motion along the head between the scans) leaves
CTA slices with no NCCT; the networks read air for it there. The box is the brain's grown
by a margin, clipped to where the NCCT is.
"""

from __future__ import annotations

import numpy as np

from strokescope.preprocess.registration import RegistrationResult, identity_registration
from strokescope.thrombus.region import analysis_region, ncct_box
from strokescope.volume import Geometry, Mask

CTA = Geometry((100, 60, 60), (1.0, 1.0, 1.0))
NCCT_FROM_Z = 30  # the NCCT starts 30 mm above the CTA's bottom
NCCT = Geometry((70, 60, 60), (1.0, 1.0, 1.0), (0.0, 0.0, float(NCCT_FROM_Z)))


def _brain(z0: int, z1: int) -> Mask:
    brain = np.zeros(CTA.shape, bool)
    brain[z0 : z1 + 1, 10:50, 10:50] = True
    return Mask(brain, CTA, "brain")


def test_the_margin_stops_at_the_ncct() -> None:
    lo, hi = analysis_region(_brain(35, 90), CTA, NCCT, identity_registration(), 10.0)
    assert lo.tolist() == [NCCT_FROM_Z, 0, 0]  # 10 mm below the brain would be 25
    assert hi.tolist() == [99, 59, 59]


def test_a_brain_well_inside_keeps_its_margin() -> None:
    lo, hi = analysis_region(_brain(50, 80), CTA, NCCT, identity_registration(), 10.0)
    assert lo.tolist() == [40, 0, 0]
    assert hi.tolist() == [90, 59, 59]


def test_the_ncct_box_follows_the_motion() -> None:
    moved = np.eye(4)
    moved[2, 3] = -5.0  # a CTA point lies 5 mm lower in the NCCT: the NCCT sits 5 mm higher
    reg = RegistrationResult(moved, float("nan"), float("nan"), 0, 0.0)
    lo, hi = ncct_box(CTA, NCCT, reg)
    assert lo.tolist() == [NCCT_FROM_Z + 5, 0, 0]
    assert hi.tolist() == [99, 59, 59]


def test_an_empty_brain_reads_the_ncct_box() -> None:
    lo, hi = analysis_region(_brain(1, 0), CTA, NCCT, identity_registration(), 10.0)
    assert lo.tolist() == [NCCT_FROM_Z, 0, 0]
    assert hi.tolist() == [99, 59, 59]
