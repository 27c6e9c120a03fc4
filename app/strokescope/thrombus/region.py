"""The CTA-index box the thrombus networks read: the brain's box and a margin, within the
NCCT's field of view.

A CTA often reaches further than the NCCT beside it (a head-and-neck CTA with a head NCCT,
or motion along the head between the scans). Both networks read both scans, and where the
NCCT is missing they read air for it beside the CTA's tissue - nothing they were trained
on. On a calibration head with a left ICA clot (800000) and its NCCT cut 25 mm short of the
CTA's bottom, the margin took 10 mm of that band into the box: the clot was read as a
33 mm3 M1 thrombus and a false 10 mm3 basilar one appeared (Dice 0.50 -> 0.14); with the
box kept within the NCCT, the ICA clot is found as with the whole NCCT.
"""

from __future__ import annotations

import logging

import numpy as np
import numpy.typing as npt

from strokescope.preprocess.registration import RegistrationResult, move_points
from strokescope.volume import Geometry, Mask

log = logging.getLogger(__name__)
I64 = npt.NDArray[np.int64]


def ncct_box(cta: Geometry, ncct: Geometry, reg: RegistrationResult) -> tuple[I64, I64]:
    """The inclusive CTA-index box round the NCCT's field of view (its corners carried
    through the registration), within the CTA."""
    corners = np.array([[a, b, c] for a in (0, 1) for b in (0, 1) for c in (0, 1)], float)
    corners *= np.asarray(ncct.shape) - 1
    lps = move_points(reg.ncct_to_cta, ncct.index_to_lps(corners))
    idx = cta.lps_to_index(lps)
    shape = np.asarray(cta.shape)
    lo = np.clip(np.ceil(idx.min(0) - 1e-6).astype(np.int64), 0, shape - 1)
    hi = np.clip(np.floor(idx.max(0) + 1e-6).astype(np.int64), 0, shape - 1)
    return lo, hi


def analysis_region(
    brain: Mask, cta: Geometry, ncct: Geometry, reg: RegistrationResult, margin_mm: float
) -> tuple[I64, I64]:
    """The inclusive CTA-index box of the brain grown by ``margin_mm``, within the CTA and
    the NCCT's field of view (see the module)."""
    inside = ncct_box(cta, ncct, reg)
    nz = np.argwhere(brain.array)
    if len(nz) == 0:
        log.warning("thrombus: empty brain mask, using the NCCT's field of view on the CTA")
        return inside
    corners = brain.geometry.index_to_lps(np.stack([nz.min(0), nz.max(0)]).astype(float))
    idx = cta.lps_to_index(corners)
    margin = np.ceil(margin_mm / np.asarray(cta.spacing)).astype(np.int64)
    lo = np.floor(idx.min(0)).astype(np.int64) - margin
    hi = np.ceil(idx.max(0)).astype(np.int64) + margin
    lo = np.minimum(np.maximum(lo, inside[0]), inside[1])
    return lo, np.maximum(np.minimum(hi, inside[1]), lo)
