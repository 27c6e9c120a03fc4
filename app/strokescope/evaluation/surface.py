"""Surface distances in mm between two masks on the same grid: ASSD and HD95.

A mask's surface is the set of its voxels with a face neighbour outside it
(SimpleITK ``LabelContour``, face connectivity). The distance of a surface voxel of one mask
to the other mask's surface comes from a Maurer distance map computed with the image spacing,
so anisotropic voxels (5 mm slices, 0.45 mm pixels) are measured in mm, not in voxels.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import SimpleITK as sitk

from strokescope.errors import InputError
from strokescope.io.sitk_convert import mask_to_sitk
from strokescope.volume import Mask


@dataclass(frozen=True, eq=False)
class SurfaceDistances:
    """Directed surface distances (mm): ``pred_to_truth[i]`` for each prediction surface voxel."""

    pred_to_truth: npt.NDArray[np.float64]
    truth_to_pred: npt.NDArray[np.float64]

    @property
    def empty(self) -> bool:
        return self.pred_to_truth.size == 0 or self.truth_to_pred.size == 0

    @property
    def assd(self) -> float:
        """Average symmetric surface distance (mm); nan if either mask is empty."""
        if self.empty:
            return float("nan")
        total = self.pred_to_truth.sum() + self.truth_to_pred.sum()
        return float(total / (self.pred_to_truth.size + self.truth_to_pred.size))

    @property
    def hd95(self) -> float:
        """95th-percentile Hausdorff distance (mm), the larger of the two directed 95th
        percentiles (the MedPy/nnU-Net convention); nan if either mask is empty."""
        if self.empty:
            return float("nan")
        return float(
            max(np.percentile(self.pred_to_truth, 95), np.percentile(self.truth_to_pred, 95))
        )

    @property
    def hausdorff(self) -> float:
        """Maximum symmetric surface distance (mm); nan if either mask is empty."""
        if self.empty:
            return float("nan")
        return float(max(self.pred_to_truth.max(), self.truth_to_pred.max()))


def _surface_and_distance(mask: Mask) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.float64]]:
    image = mask_to_sitk(mask)
    contour = sitk.LabelContour(image, fullyConnected=False)
    surface = sitk.GetArrayViewFromImage(contour) > 0
    if not surface.any():
        return surface, np.full(mask.array.shape, math.inf)
    dist = sitk.SignedMaurerDistanceMap(
        contour, insideIsPositive=False, squaredDistance=False, useImageSpacing=True
    )
    return surface.copy(), np.abs(sitk.GetArrayFromImage(dist)).astype(np.float64)


def surface_distances(pred: Mask, truth: Mask) -> SurfaceDistances:
    """Directed surface distances between two masks on the same grid (mm).

    Raises
    ------
    InputError
        If the masks are not on the same voxel grid (:meth:`Geometry.same_grid`).
    """
    if not pred.geometry.same_grid(truth.geometry):
        raise InputError(
            f"masks {pred.name!r} and {truth.name!r} are on different grids "
            f"({pred.geometry.shape} at {pred.geometry.spacing} mm vs "
            f"{truth.geometry.shape} at {truth.geometry.spacing} mm); resample first"
        )
    surf_p, dist_p = _surface_and_distance(pred)
    surf_t, dist_t = _surface_and_distance(truth)
    return SurfaceDistances(pred_to_truth=dist_t[surf_p], truth_to_pred=dist_p[surf_t])


def assd(pred: Mask, truth: Mask) -> float:
    """Average symmetric surface distance in mm (nan if either mask is empty)."""
    return surface_distances(pred, truth).assd


def hd95(pred: Mask, truth: Mask) -> float:
    """95th-percentile Hausdorff distance in mm (nan if either mask is empty)."""
    return surface_distances(pred, truth).hd95
