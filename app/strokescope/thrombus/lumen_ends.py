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
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from strokescope.thrombus.centerline import distance_from_end
from strokescope.volume import Geometry


def clot_stretches(
    index: npt.NDArray[np.int64],
    geometry: Geometry,
    contrast_hu: npt.NDArray[np.floating],
    limit_hu: float,
    stretch_mm: float,
) -> npt.NDArray[np.bool_]:
    """Which voxels of the component ``index`` (n, 3; ``contrast_hu`` their CTA minus
    registered NCCT) stay once its enhanced end stretches are trimmed (see the module)."""
    keep = np.ones(len(index), dtype=bool)
    if len(index) < 2:
        return keep
    bins = np.floor(distance_from_end(index, geometry) / stretch_mm).astype(np.int64)
    count = np.bincount(bins)
    mean = np.bincount(bins, weights=contrast_hu) / np.maximum(count, 1)
    clot = np.flatnonzero((count > 0) & (mean <= limit_hu))
    if len(clot) == 0:
        return keep
    return (bins >= clot[0]) & (bins <= clot[-1])
