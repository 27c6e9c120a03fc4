"""Drawn arteries, clots and blood for the vessel-evidence and clot-extension tests.

Two mirror-image arteries (lumen 40/350 HU on NCCT/CTA, radius 1.5 mm) run along x, left
and right of a midsagittal plane at x = 40 mm, in brain at 35/45 HU with noise SD 2 HU;
:func:`analyse_scene` runs the analysis's candidate rules on the clot or the blood.
"""

from __future__ import annotations

import numpy as np

from strokescope.preprocess.registration import identity_registration
from strokescope.thrombus.analysis import Inputs, _thrombi
from strokescope.thrombus.anatomy import Plane
from strokescope.thrombus.candidate_features import CandidateRecord
from strokescope.thrombus.result import Thrombus
from strokescope.thrombus.rules import Rules
from strokescope.volume import Volume

SPACING = 0.5
SHAPE = (40, 60, 160)  # z, y, x: 20 x 30 x 80 mm
PLANE = Plane((40.0, 15.0, 10.0), (1.0, 0.0, 0.0))
RADIUS = 1.5


def coords() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    z, y, x = np.meshgrid(*(np.arange(n) * SPACING for n in SHAPE), indexing="ij")
    return z, y, x


def tube(y0: float, x0: float, x1: float, radius: float) -> np.ndarray:
    z, y, x = coords()
    return ((z - 10.0) ** 2 + (y - y0) ** 2 <= radius**2) & (x >= x0) & (x <= x1)


def scene(
    *, clot: bool, blob: bool, middle: bool = False, pool: bool = False
) -> tuple[Volume, Volume, np.ndarray]:
    """NCCT, CTA and the candidate's mask: brain 35/45 HU, lumen 40/350 HU, clot 60/70 HU.

    ``pool``: the left artery ends in the clot, and subarachnoid blood (64/68 HU) fills a
    cistern 5 mm around its axis from x = 62 to 75 mm, in line with the clot."""
    rng = np.random.default_rng(3)
    ncct = 35.0 + rng.normal(0, 2, SHAPE)
    cta = 45.0 + rng.normal(0, 2, SHAPE)
    arteries = tube(15.0, 44.0, 75.0, RADIUS) | tube(15.0, 5.0, 36.0, RADIUS)
    ncct[arteries], cta[arteries] = 40.0, 350.0
    if pool:
        z, y, x = coords()
        cistern = ((z - 10.0) ** 2 + (y - 15.0) ** 2 <= 25.0) & (x > 62.0) & (x <= 75.0)
        ncct[cistern], cta[cistern] = 64.0, 68.0
    candidate = np.zeros(SHAPE, dtype=bool)
    if clot:
        candidate = tube(15.0, 52.0, 62.0, RADIUS)
    if blob:  # subarachnoid blood along the patent left artery, 0.8 mm from its wall
        candidate = tube(15.0 + RADIUS + 0.8 + 1.2, 52.0, 62.0, 1.2)
    ncct[candidate], cta[candidate] = 62.0, 70.0
    if middle:  # the network found only the middle 4 mm of the 10 mm clot
        candidate = tube(15.0, 55.0, 59.0, RADIUS)
    return (
        Volume.from_array(ncct, (SPACING,) * 3),
        Volume.from_array(cta, (SPACING,) * 3),
        candidate,
    )


def analyse_scene(
    *,
    clot: bool,
    rules: Rules,
    scan_only: bool,
    record: list[CandidateRecord] | None = None,
) -> tuple[list[Thrombus], np.ndarray]:
    """The analysis's thrombi (:func:`strokescope.thrombus.analysis._thrombi`) from the
    drawn clot, or the blood beside the patent artery, as a candidate that ``scan_only``
    says only the scan proposed; and the candidate's mask."""
    ncct, cta, mask = scene(clot=clot, blob=not clot)
    thrombi = read_candidate(mask, ncct, cta, rules, scan_only=scan_only, record=record)
    return thrombi, mask


def read_candidate(
    mask: np.ndarray,
    ncct: Volume,
    cta: Volume,
    rules: Rules,
    *,
    parenchyma: float | None = None,
    scan_only: bool = False,
    record: list[CandidateRecord] | None = None,
    parents: np.ndarray | None = None,
) -> list[Thrombus]:
    """The analysis's thrombi (:func:`strokescope.thrombus.analysis._thrombi`) from the
    candidate ``mask`` (the network's probability 1 on it) of an unmoved NCCT + CTA pair;
    ``parents`` labels the components before lumen removal."""
    pair = Inputs(ncct, cta, identity_registration(), rules, parenchyma)
    thrombi, _ = _thrombi(
        mask, np.zeros(3, np.int64), mask.astype(np.float32), pair, PLANE, [],
        lambda _: scan_only, record, parents,
    )  # fmt: skip
    return thrombi
