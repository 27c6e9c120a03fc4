"""Gaussian smoothing in millimetres (SimpleITK's recursive filter).

Arrays are (z, y, x) with ``spacing`` (z, y, x) in mm, as :class:`strokescope.volume.Geometry`
gives it; scipy is not a runtime dependency.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import SimpleITK as sitk

F32 = npt.NDArray[np.float32]


def _image(values: npt.ArrayLike, spacing: Sequence[float]) -> sitk.Image:
    image = sitk.GetImageFromArray(np.asarray(values, dtype=np.float32))
    image.SetSpacing(tuple(float(s) for s in reversed(tuple(spacing))))
    return image


def gaussian_mm(values: npt.ArrayLike, sigma_mm: float, spacing: Sequence[float]) -> F32:
    """``values`` smoothed by a Gaussian of ``sigma_mm`` (float32)."""
    out = sitk.SmoothingRecursiveGaussian(_image(values, spacing), float(sigma_mm))
    return np.asarray(sitk.GetArrayFromImage(out), dtype=np.float32)
