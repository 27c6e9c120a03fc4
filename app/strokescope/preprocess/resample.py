"""Resample volumes (linear) and masks (nearest neighbour) onto another grid via SimpleITK.

Both functions map through patient (LPS) coordinates, so the source and target grids may
differ in spacing, origin and direction (e.g. a gantry-tilted series onto an orthogonal grid).
"""

from __future__ import annotations

import SimpleITK as sitk

from strokescope.io.sitk_convert import (
    geometry_to_sitk,
    mask_from_sitk,
    mask_to_sitk,
    volume_from_sitk,
    volume_to_sitk,
)
from strokescope.volume import Geometry, Mask, Volume

AIR_HU = -1024.0


def _reference(geometry: Geometry) -> sitk.Image:
    z, y, x = geometry.shape
    return geometry_to_sitk(sitk.Image(x, y, z, sitk.sitkUInt8), geometry)


def resample_volume(vol: Volume, geometry: Geometry, *, default_hu: float = AIR_HU) -> Volume:
    """Resample ``vol`` onto ``geometry`` with linear interpolation.

    Parameters
    ----------
    vol
        Source image (HU, axis order z, y, x).
    geometry
        Target grid.
    default_hu
        Value of target voxels that fall outside the source image (air by default).
    """
    out = sitk.Resample(
        volume_to_sitk(vol),
        _reference(geometry),
        sitk.Transform(),
        sitk.sitkLinear,
        float(default_hu),
        sitk.sitkFloat32,
    )
    return volume_from_sitk(out, vol.meta)


def resample_mask(mask: Mask, geometry: Geometry) -> Mask:
    """Resample ``mask`` onto ``geometry`` nearest-neighbour; outside voxels are False."""
    out = sitk.Resample(
        mask_to_sitk(mask),
        _reference(geometry),
        sitk.Transform(),
        sitk.sitkNearestNeighbor,
        0,
        sitk.sitkUInt8,
    )
    return mask_from_sitk(out, mask.name)
