"""Tiny synthetic NCCT/CTA thrombus cases for the training tests.

The cases are a skull-and-brain ellipsoid with one straight contrast-filled vessel; positive
cases carry a clot (hyperdense on NCCT, a filling defect on CTA) inside the vessel. They are
made by code from a seed, small enough for a few training iterations in seconds.
"""

from __future__ import annotations

import numpy as np
from training.dataset import Case

from strokescope.volume import Mask, Volume

SPACING = (2.5, 2.0, 2.0)
SHAPE = (56, 88, 80)


BLOOD_CENTRE_MM = (40.0, 130.0, 60.0)
BLOOD_RADIUS_MM = 8.0


BLOOD_BESIDE_VESSEL_MM = (60.0, 100.0, 38.0)
"""A blood ball centre 1.5 mm from the vessel's wall, clear of any clot's far end."""


def make_case(
    case_id: str,
    *,
    seed: int,
    thrombus: bool,
    blood: bool = False,
    blood_centre_mm: tuple[float, float, float] = BLOOD_CENTRE_MM,
) -> Case:
    """One case on a (56, 88, 80) grid of 2.5 x 2 x 2 mm; ``thrombus`` adds a clot.

    ``blood`` adds a clot-dense (70 HU) ball of extravascular blood, a mimic, of radius
    ``BLOOD_RADIUS_MM`` at ``blood_centre_mm`` (z, y, x from the grid corner).
    """
    rng = np.random.default_rng(seed)
    z, y, x = np.meshgrid(
        *(np.arange(n) * s for n, s in zip(SHAPE, SPACING, strict=True)), indexing="ij"
    )
    centre = np.array([n * s / 2 for n, s in zip(SHAPE, SPACING, strict=True)])
    r = np.sqrt(
        ((z - centre[0]) / 60) ** 2 + ((y - centre[1]) / 80) ** 2 + ((x - centre[2]) / 68) ** 2
    )
    base = np.full(SHAPE, -1000.0, np.float32)
    base[r < 1.0] = 1000.0  # skull
    base[r < 0.92] = 32.0  # brain
    vessel = (
        (np.abs(z - centre[0] + 10) < 2.5)
        & (np.abs(y - centre[1]) < 2.5)
        & (np.abs(x - centre[2]) < 45)
    )
    ncct, cta = base.copy(), base.copy()
    ncct[vessel], cta[vessel] = 42.0, 350.0
    clot = np.zeros(SHAPE, bool)
    if thrombus:
        x0 = rng.uniform(-30, 10)
        clot = vessel & (x - centre[2] > x0) & (x - centre[2] < x0 + rng.uniform(8, 20))
        ncct[clot], cta[clot] = 70.0, 60.0
    if blood:
        bz, by, bx = blood_centre_mm
        ball = (z - bz) ** 2 + (y - by) ** 2 + (x - bx) ** 2 < BLOOD_RADIUS_MM**2
        ncct[ball], cta[ball] = 70.0, 72.0
    ncct += rng.normal(0, 3, SHAPE).astype(np.float32)
    cta += rng.normal(0, 3, SHAPE).astype(np.float32)
    n = Volume.from_array(ncct, SPACING, origin=(-80.0, -90.0, -70.0))
    c = Volume.from_array(cta, SPACING, origin=(-80.0, -90.0, -70.0))
    return Case(case_id, n, c, Mask(clot, c.geometry, "thrombus"))
