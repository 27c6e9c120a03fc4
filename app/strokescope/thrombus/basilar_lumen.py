"""Opacified lumen in the midline below a clot's medial end: the basilar artery of a P1 clot.

The P1 leaves the basilar tip, so the basilar artery climbs the midline just below the
medial end of a clot in a P1 (within a few mm front to back). The ICA terminus lies ~15-20
mm in front of the basilar, and below it in the midline there is no artery. The segment
rule's lateral A1/P1 branch (:mod:`strokescope.thrombus.anatomy`) may ask for this lumen
before it calls a clot near the midline A1/P1 instead of M1: a piece of an ICA clot at its
terminus starts as near the midline as the lateral half of a P1.

Read on the CTA grid in a box round the medial end's foot on the midsagittal plane:
opacified voxels (:func:`strokescope.thrombus.vessel_evidence.opacified_hu`, the NCCT
registered into the box) within ``MIDLINE_MM`` of the plane, ``BELOW_MM`` below the medial
end and within ``REACH_MM`` of its foot horizontally.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from strokescope.preprocess.registration import RegistrationResult, resample_registered
from strokescope.thrombus.anatomy import Plane
from strokescope.thrombus.vessel_evidence import opacified_hu
from strokescope.volume import Volume

MIDLINE_MM = 5.0
BELOW_MM = (4.0, 25.0)
REACH_MM = 10.0


def basilar_lumen_mm3(
    points: npt.ArrayLike, plane: Plane, cta: Volume, ncct: Volume, reg: RegistrationResult
) -> float:
    """Opacified midline lumen (mm3) below the medial end of the centerline ``points``
    (LPS mm; see the module)."""
    p = np.asarray(points, dtype=float).reshape(-1, 3)
    d = plane.signed_distance(p)
    k = int(np.argmin(np.abs(d)))
    end, foot = p[k], p[k] - d[k] * np.asarray(plane.normal)
    r = REACH_MM + MIDLINE_MM
    lo_z, hi_z = end[2] - BELOW_MM[1], end[2] - BELOW_MM[0]
    corners = np.array(
        [
            [foot[0] + a * r, foot[1] + b * r, z]
            for a in (-1, 1)
            for b in (-1, 1)
            for z in (lo_z, hi_z)
        ]
    )
    g = cta.geometry
    bounds = g.index_bounds(corners)
    if bounds is None:
        return 0.0
    lo, hi = bounds
    box = g.crop(lo.tolist(), (hi - lo).tolist())
    c = cta.array[lo[0] : hi[0], lo[1] : hi[1], lo[2] : hi[2]]
    n = resample_registered(ncct, box, reg.cta_to_ncct).array
    vox = np.argwhere(opacified_hu(c, n))
    if not len(vox):
        return 0.0
    q = box.index_to_lps(vox.astype(float))
    rel = q - foot
    keep = (
        (np.abs(plane.signed_distance(q)) < MIDLINE_MM)
        & (np.hypot(rel[:, 0], rel[:, 1]) <= REACH_MM)
        & (q[:, 2] >= lo_z)
        & (q[:, 2] <= hi_z)
    )
    return float(keep.sum() * g.voxel_volume_mm3)
