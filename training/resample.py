"""Resampling onto the model grids.

Images go through :func:`strokescope.preprocess.resample_volume` (linear, no anti-aliasing,
air outside the source), the same function the app's inference uses, so training and
inference see identically resampled inputs. This module adds what only training needs: the
partial-volume fraction of a label on a coarser grid, and the model grids themselves.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import SimpleITK as sitk

from strokescope.io.sitk_convert import geometry_to_sitk, mask_to_sitk
from strokescope.volume import Geometry, Mask


def _reference(geometry: Geometry) -> sitk.Image:
    z, y, x = geometry.shape
    return geometry_to_sitk(sitk.Image(int(x), int(y), int(z), sitk.sitkUInt8), geometry)


def _resample(image: sitk.Image, geometry: Geometry, *, default: float) -> sitk.Image:
    return sitk.Resample(
        image, _reference(geometry), sitk.Transform(), sitk.sitkLinear, default, sitk.sitkFloat32
    )


def resample_fraction(mask: Mask, geometry: Geometry) -> npt.NDArray[np.float32]:
    """Fraction (0-1) of each target voxel covered by ``mask``, as float32 (z, y, x).

    Where the target grid is coarser than the mask's, the mask is first smoothed with a
    Gaussian of sigma 0.3 x target spacing (about a box filter of one target voxel), so thin
    clots leave a partial-volume trace instead of vanishing between samples.
    """
    image = sitk.Cast(mask_to_sitk(mask), sitk.sitkFloat32)
    src = np.asarray(image.GetSpacing())  # (x, y, z)
    dst = np.asarray(geometry.spacing[::-1])
    sigma = np.where(dst > 1.2 * src, 0.3 * dst, 0.0)
    if np.any(sigma > 0):
        sigma = np.maximum(sigma, 1e-3 * src)
        image = sitk.SmoothingRecursiveGaussian(image, [float(s) for s in sigma])
    out = _resample(image, geometry, default=0.0)
    return np.clip(sitk.GetArrayFromImage(out), 0.0, 1.0).astype(np.float32)


def model_grid(
    source: Geometry,
    spacing: tuple[float, float, float],
    *,
    lo: npt.ArrayLike = (0, 0, 0),
    hi: npt.ArrayLike | None = None,
) -> Geometry:
    """Grid with ``spacing`` and ``source``'s direction covering source indices ``lo..hi``.

    ``lo``/``hi`` are inclusive (z, y, x) indices of ``source`` (default: the whole grid);
    the new grid's first voxel sits on ``lo`` and it extends to cover ``hi``.
    """
    lo_a = np.asarray(lo, dtype=float)
    hi_a = np.asarray(source.shape, dtype=float) - 1 if hi is None else np.asarray(hi, float)
    extent = (hi_a - lo_a) * np.asarray(source.spacing)
    shape = tuple(int(np.floor(e / s + 1e-6)) + 1 for e, s in zip(extent, spacing, strict=True))
    origin = source.index_to_lps(lo_a)
    return Geometry(
        shape=shape,  # type: ignore[arg-type]
        spacing=spacing,
        origin=tuple(float(v) for v in origin),  # type: ignore[arg-type]
        direction=source.direction,
    )
