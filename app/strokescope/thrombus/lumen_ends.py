"""Trim the ends of a candidate that are enhanced lumen, not clot.

A network that runs on from a clot into the slowly or collaterally filled artery beyond it
marks that lumen too. Under a weak bolus, lumen filled by collaterals is enhanced by only
50-80 HU, below the voxel cut for lumen (``max_voxel_contrast_hu``), and the mask runs
on 30-60 mm past the clot (low-contrast CTA phantoms of the calibration block: 66-91 mm
long thrombi for 29-35 mm long clots). A clot is enhanced by 0-30 HU (perviousness,
docs/CLINICAL_VALUES.md), so a stretch of the candidate whose mean enhancement exceeds the
rules' perviousness limit for a whole thrombus (``max_perviousness_hu``) is not clot.
Stretches of ``stretch_mm`` along the candidate (geodesic distance from one end) are
dropped from each end inward up to the first stretch that could be clot; a candidate with
no such stretch is left whole, for the attenuation rules to judge. A mean over a stretch
(tens of voxels) is steady where a single voxel's enhancement is not.

With ``above_least_hu`` an end stretch is lumen also where it is enhanced that much more
than the candidate's least enhanced stretch (of at least :data:`STEADY_VOXELS` voxels),
even within the perviousness limit. Under a weak bolus the collateral-filled lumen is
enhanced by about as much as that limit (50-55 HU on the calibration block's low-contrast
heads, against 2-8 HU for the clot before it), and the stretch at the far end, at 50 HU,
passed the limit and stopped the trim there, so the mask ran on 37 mm past the clot.
Within one clot, enhancement varies far less than between clot and lumen.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from strokescope.thrombus.centerline import distance_from_end
from strokescope.volume import Geometry

STEADY_VOXELS = 10
"""A stretch with fewer voxels (the tip of an end) does not set the least enhancement."""


def clot_stretches(
    index: npt.NDArray[np.int64],
    geometry: Geometry,
    contrast_hu: npt.NDArray[np.floating],
    limit_hu: float,
    stretch_mm: float,
    above_least_hu: float | None = None,
) -> npt.NDArray[np.bool_]:
    """Which voxels of the component ``index`` (n, 3; ``contrast_hu`` their CTA minus
    registered NCCT) stay once its enhanced end stretches are trimmed (see the module)."""
    keep = np.ones(len(index), dtype=bool)
    if len(index) < 2:
        return keep
    bins = np.floor(distance_from_end(index, geometry) / stretch_mm).astype(np.int64)
    count = np.bincount(bins)
    mean = np.bincount(bins, weights=contrast_hu) / np.maximum(count, 1)
    could = (count > 0) & (mean <= limit_hu)
    steady = count >= STEADY_VOXELS
    if above_least_hu is not None and steady.any():
        could &= mean <= mean[steady].min() + above_least_hu
    clot = np.flatnonzero(could)
    if len(clot) == 0:
        return keep
    return (bins >= clot[0]) & (bins <= clot[-1])
