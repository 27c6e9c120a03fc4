"""The working grid of the arterial tree: both scans resampled, opacified lumen, speed.

Both scans are resampled linearly onto an isotropic grid (``spacing_mm``, default 1 mm)
with the CTA's orientation: the CTA through the identity, the NCCT through the rigid
motion of :func:`strokescope.preprocess.registration.register_rigid`. "Opacified" is the
rule of :mod:`strokescope.thrombus.vessel_evidence` (CTA - NCCT >= ``ENHANCEMENT_HU``,
CTA >= ``MIN_LUMEN_CTA_HU``, NCCT below the calcification cut), applied voxel-wise.

The speed of the minimal-path search ([Sethian1996] fast marching, as in the minimal-path
centerlines of [Deschamps2001]) is high deep inside the lumen - (1 + radius / mm)^2, so
paths keep to the lumen's centre - ``CLOT_SPEED`` in clot-like voxels (NCCT 45-100 HU,
not opacified: a path can run through an occluding clot) and ``TISSUE_SPEED`` elsewhere
(a path can still bridge a short gap, at a high price).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import SimpleITK as sitk

from strokescope.preprocess.registration import RegistrationResult, resample_registered
from strokescope.thrombus.vessel_evidence import ENHANCEMENT_HU, opacified_hu
from strokescope.volume import Geometry, Volume

CLOT_NCCT_HU = (45.0, 100.0)
CLOT_SPEED = 0.3
TISSUE_SPEED = 0.01
MAX_RADIUS_MM = 3.0

F32 = npt.NDArray[np.float32]


@dataclass(frozen=True, eq=False)
class WorkGrid:
    """Both scans on the working grid (z, y, x), the opacified lumen, its radius and speed."""

    geometry: Geometry
    cta: F32
    ncct: F32
    lumen: npt.NDArray[np.bool_]
    radius_mm: F32
    """Distance (mm) from each lumen voxel to the nearest non-lumen voxel; 0 outside."""
    speed: F32


def work_geometry(cta: Geometry, spacing_mm: float) -> Geometry:
    """An isotropic grid of ``spacing_mm`` over the CTA's field of view, same orientation."""
    shape = tuple(
        max(1, int(np.floor((n - 1) * s / spacing_mm)) + 1)
        for n, s in zip(cta.shape, cta.spacing, strict=True)
    )
    return Geometry(shape, (spacing_mm,) * 3, cta.origin, cta.direction)  # type: ignore[arg-type]


def lumen_radius(lumen: npt.NDArray[np.bool_], spacing_mm: float) -> F32:
    """Inside distance (mm) of a mask to its background (Maurer distance map)."""
    if not lumen.any():
        return np.zeros(lumen.shape, np.float32)
    img = sitk.GetImageFromArray(lumen.astype(np.uint8))
    img.SetSpacing((spacing_mm,) * 3)
    dist = sitk.SignedMaurerDistanceMap(
        img, insideIsPositive=True, squaredDistance=False, useImageSpacing=True
    )
    out = np.asarray(sitk.GetArrayFromImage(dist), dtype=np.float32)
    return np.clip(out + np.float32(0.5 * spacing_mm), 0.0, MAX_RADIUS_MM) * lumen


def speed_map(cta: F32, ncct: F32, lumen: npt.NDArray[np.bool_], radius_mm: F32) -> F32:
    """Fast-marching speed (see the module docstring)."""
    clot = (ncct >= CLOT_NCCT_HU[0]) & (ncct <= CLOT_NCCT_HU[1]) & (cta - ncct < ENHANCEMENT_HU)
    speed = np.full(cta.shape, TISSUE_SPEED, np.float32)
    speed[clot] = CLOT_SPEED
    speed[lumen] = (1.0 + radius_mm[lumen]) ** 2
    return speed


def build_grid(
    ncct: Volume, cta: Volume, reg: RegistrationResult, *, spacing_mm: float = 1.0
) -> WorkGrid:
    """Resample both scans onto the working grid and derive lumen, radius and speed."""
    geom = work_geometry(cta.geometry, spacing_mm)
    c = resample_registered(cta, geom, np.eye(4)).array
    n = resample_registered(ncct, geom, reg.cta_to_ncct).array
    lumen = opacified_hu(c, n)
    radius = lumen_radius(lumen, spacing_mm)
    return WorkGrid(geom, c, n, lumen, radius, speed_map(c, n, lumen, radius))
