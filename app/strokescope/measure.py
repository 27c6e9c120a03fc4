"""On-image measurements a viewer offers: ruler distances and ellipse ROI statistics.

Pure numpy, no Qt: the viewer only draws the ruler and the ellipse and shows what these
functions return. Distances use the volume's full geometry (spacing and direction), so an
oblique or anisotropic grid still reads true millimetres.

Plane coordinates follow the viewer: a 2-D plane is indexed ``[row, column]``, and a point
on it is ``(x, y)`` in millimetres from the plane's corner, with pixel ``[r, c]`` covering
``x`` in ``[c, c + 1) * column_mm`` and ``y`` in ``[r, r + 1) * row_mm`` (its centre at
``(c + 0.5) * column_mm, (r + 0.5) * row_mm``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from strokescope.volume import Geometry


def distance_mm(
    geometry: Geometry,
    a: tuple[float, float, float],
    b: tuple[float, float, float],
) -> float:
    """Physical distance in mm between two continuous (k, j, i) index points of a grid."""
    step = np.asarray(b, dtype=float) - np.asarray(a, dtype=float)
    return float(np.linalg.norm(geometry.matrix @ step))


@dataclass(frozen=True)
class Ellipse:
    """An ellipse on a plane, in mm.

    ``center`` is (x, y); ``semi_axes`` are the half-lengths along x and y before the
    rotation by ``angle_deg`` (counter-clockwise from +x towards +y).
    """

    center: tuple[float, float]
    semi_axes: tuple[float, float]
    angle_deg: float = 0.0

    def __post_init__(self) -> None:
        if min(self.semi_axes) <= 0:
            raise ValueError(f"ellipse semi-axes must be positive mm, got {self.semi_axes}")

    @property
    def area_mm2(self) -> float:
        """The drawn ellipse's area (pi a b), independent of the pixel grid."""
        return math.pi * self.semi_axes[0] * self.semi_axes[1]


@dataclass(frozen=True)
class RegionStats:
    """HU statistics of the pixels whose centres lie inside an ellipse.

    ``sd_hu`` is the sample standard deviation (n - 1), 0 for a single pixel; ``mean_hu``
    and ``sd_hu`` are NaN when no pixel centre is inside (``pixels`` 0).
    """

    mean_hu: float
    sd_hu: float
    area_mm2: float
    pixels: int

    def text(self) -> str:
        """Three short lines for an on-image label: ``mean 41 HU``, ``SD 3.2``, ``113 mm²``."""
        area = f"{self.area_mm2:.0f} mm²"
        if self.pixels == 0:
            return f"no pixel inside\n{area}"
        return f"mean {self.mean_hu:.0f} HU\nSD {self.sd_hu:.1f}\n{area}"


def ellipse_mask(
    shape: tuple[int, int], pixel_mm: tuple[float, float], ellipse: Ellipse
) -> npt.NDArray[np.bool_]:
    """Pixels of a (rows, columns) plane whose centres lie inside ``ellipse``.

    ``pixel_mm`` is (row spacing, column spacing).
    """
    row_mm, col_mm = pixel_mm
    ys = (np.arange(shape[0]) + 0.5) * row_mm - ellipse.center[1]
    xs = (np.arange(shape[1]) + 0.5) * col_mm - ellipse.center[0]
    dx, dy = np.meshgrid(xs, ys)
    t = math.radians(ellipse.angle_deg)
    u = dx * math.cos(t) + dy * math.sin(t)  # the point in the ellipse's own axes
    v = -dx * math.sin(t) + dy * math.cos(t)
    a, b = ellipse.semi_axes
    inside: npt.NDArray[np.bool_] = (u / a) ** 2 + (v / b) ** 2 <= 1.0
    return inside


def ellipse_stats(
    plane: npt.NDArray[np.generic], pixel_mm: tuple[float, float], ellipse: Ellipse
) -> RegionStats:
    """Mean and SD (HU) of ``plane`` inside ``ellipse``, with the ellipse's area in mm²."""
    values = np.asarray(plane, dtype=np.float64)[ellipse_mask(plane.shape[:2], pixel_mm, ellipse)]
    n = int(values.size)
    mean = float(values.mean()) if n else math.nan
    sd = float(values.std(ddof=1)) if n > 1 else (0.0 if n else math.nan)
    return RegionStats(mean_hu=mean, sd_hu=sd, area_mm2=ellipse.area_mm2, pixels=n)
