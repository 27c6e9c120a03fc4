"""Image and mask types shared by every part of StrokeScope.

Axis order is **(z, y, x)** everywhere: ``array[k, j, i]`` is slice ``k``, row ``j``,
column ``i``. Geometry follows the same order, so nothing needs to be swapped by hand:

* ``spacing[a]`` is the distance in mm between neighbouring voxels along array axis ``a``;
* ``direction[:, a]`` is the unit vector, in patient LPS coordinates (x, y, z), of array
  axis ``a`` (``direction`` is 3x3; column 0 is the slice axis, column 2 the column axis);
* ``origin`` is the LPS position (x, y, z) in mm of the centre of voxel ``array[0, 0, 0]``.

So the patient position of index ``(k, j, i)`` is
``origin + direction @ (spacing * (k, j, i))``. The slice axis need not be orthogonal to the
image plane: a gantry-tilted series is described exactly until it is resampled.

SimpleITK conversion happens only in :mod:`strokescope.io`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from itertools import product
from typing import Any

import numpy as np
import numpy.typing as npt

Vec3 = tuple[float, float, float]
Matrix3 = tuple[Vec3, Vec3, Vec3]

IDENTITY: Matrix3 = ((1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0))
# Array axes (z, y, x) of an axial head CT in LPS: slices go feet->head (+z), rows go
# anterior->posterior (+y), columns go right->left (+x).
AXIAL_LPS: Matrix3 = ((0.0, 0.0, 1.0), (0.0, 1.0, 0.0), (1.0, 0.0, 0.0))
# Two grids are the same voxel grid when every voxel centre of one lies within this many mm
# of the same voxel's centre in the other (Geometry.same_grid). It absorbs the float32
# rounding of a NIfTI round trip (about 1e-5 mm over a head) and nothing a reader could see.
GRID_TOL_MM = 0.01


# What Geometry.from_sequences takes for a 3-vector: a tuple, list or numpy array.
FloatSeq = Sequence[float] | npt.NDArray[np.floating[Any]]


def _vec3(values: FloatSeq) -> Vec3:
    return (float(values[0]), float(values[1]), float(values[2]))


@dataclass(frozen=True)
class Geometry:
    """Voxel grid: shape, spacing, origin and direction, all in (z, y, x) array order."""

    shape: tuple[int, int, int]
    spacing: Vec3
    origin: Vec3 = (0.0, 0.0, 0.0)
    direction: Matrix3 = AXIAL_LPS

    def __post_init__(self) -> None:
        if len(self.shape) != 3 or min(self.shape) < 1:
            raise ValueError(f"geometry shape must be 3 positive ints, got {self.shape}")
        if len(self.spacing) != 3 or min(self.spacing) <= 0:
            raise ValueError(f"geometry spacing must be 3 positive mm values, got {self.spacing}")
        d = np.asarray(self.direction, dtype=float)
        if d.shape != (3, 3) or abs(np.linalg.det(d)) < 1e-6:
            raise ValueError("geometry direction must be an invertible 3x3 matrix")
        object.__setattr__(self, "shape", tuple(int(s) for s in self.shape))
        object.__setattr__(self, "spacing", tuple(float(s) for s in self.spacing))
        object.__setattr__(self, "origin", tuple(float(s) for s in self.origin))
        object.__setattr__(self, "direction", tuple(tuple(float(v) for v in r) for r in d))

    @classmethod
    def from_sequences(
        cls,
        shape: Sequence[int] | npt.NDArray[np.integer[Any]],
        spacing: FloatSeq,
        origin: FloatSeq = (0.0, 0.0, 0.0),
        direction: Sequence[Sequence[float]] | npt.NDArray[np.floating[Any]] = AXIAL_LPS,
    ) -> Geometry:
        """A geometry from any sequences (lists, arrays) in (z, y, x) order.

        ``direction`` is 3x3 with column ``a`` the LPS unit vector of array axis ``a``, as
        in the class. Lengths and values are checked as for the constructor.
        """
        if len(shape) != 3 or len(spacing) != 3 or len(origin) != 3:
            raise ValueError(
                f"geometry needs 3 values each, got shape {tuple(shape)}, spacing "
                f"{tuple(spacing)}, origin {tuple(origin)}"
            )
        d = np.asarray(direction, dtype=float)
        if d.shape != (3, 3):
            raise ValueError(f"geometry direction must be 3x3, got shape {d.shape}")
        shape3 = (int(shape[0]), int(shape[1]), int(shape[2]))
        return cls(shape3, _vec3(spacing), _vec3(origin), (_vec3(d[0]), _vec3(d[1]), _vec3(d[2])))

    def same_grid(self, other: Geometry, *, tol: float = GRID_TOL_MM) -> bool:
        """True when ``other`` is the same voxel grid: equal shape, and every voxel centre
        within ``tol`` mm of the same voxel's centre here.

        The index-to-LPS map is affine, so the largest difference lies at a corner of the
        grid: the eight corners are compared. Use ``==`` where bit-exact equality is meant.
        """
        if self.shape != other.shape:
            return False
        if self == other:
            return True
        corners = np.array(list(product(*((0, n - 1) for n in self.shape))), dtype=float)
        gap = np.linalg.norm(self.index_to_lps(corners) - other.index_to_lps(corners), axis=1)
        return bool(gap.max() <= tol)

    @property
    def matrix(self) -> npt.NDArray[np.float64]:
        """3x3 matrix mapping an index step (dk, dj, di) to an LPS displacement in mm."""
        return np.asarray(self.direction) * np.asarray(self.spacing)[None, :]

    @property
    def affine(self) -> npt.NDArray[np.float64]:
        """4x4 affine from homogeneous (k, j, i, 1) indices to LPS (x, y, z, 1) mm."""
        a = np.eye(4)
        a[:3, :3] = self.matrix
        a[:3, 3] = self.origin
        return a

    @property
    def voxel_volume_mm3(self) -> float:
        return float(abs(np.linalg.det(self.matrix)))

    @property
    def is_orthogonal(self) -> bool:
        d = np.asarray(self.direction)
        return bool(np.allclose(d.T @ d, np.eye(3), atol=1e-4))

    def index_to_lps(self, index: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """LPS mm of (..., 3) continuous (k, j, i) indices."""
        idx = np.asarray(index, dtype=float)
        return idx @ self.matrix.T + np.asarray(self.origin)

    def lps_to_index(self, point: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """Continuous (k, j, i) indices of (..., 3) LPS points in mm."""
        p = np.asarray(point, dtype=float) - np.asarray(self.origin)
        return p @ np.linalg.inv(self.matrix).T

    def index_bounds(
        self, points: npt.ArrayLike
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]] | None:
        """Half-open index box ``lo:hi`` of this grid that holds the LPS ``points`` (mm),
        clipped to the grid; None where none of it lies on the grid."""
        idx = self.lps_to_index(np.asarray(points, dtype=float).reshape(-1, 3))
        shape = np.asarray(self.shape)
        lo = np.clip(np.floor(idx.min(0)).astype(np.int64), 0, shape)
        hi = np.clip(np.ceil(idx.max(0)).astype(np.int64) + 1, 0, shape)
        return None if np.any(hi <= lo) else (lo, hi)

    def with_shape(self, shape: tuple[int, int, int]) -> Geometry:
        return replace(self, shape=shape)

    def crop(self, start: Sequence[int], size: Sequence[int]) -> Geometry:
        """The grid of the ``size`` voxels from index ``start`` (may lie outside this grid)."""
        origin = self.index_to_lps(np.asarray(start, dtype=float))
        return Geometry.from_sequences(size, self.spacing, origin, self.direction)


@dataclass(frozen=True)
class SeriesMeta:
    """Where a volume came from. Every field is optional: phantoms and NIfTI files lack most.

    ``warnings`` holds the one-line notes the loader raised while building the volume
    (missing slices interpolated, tilt corrected, ...); they travel with every result.
    ``resampled`` is true when the loader put the voxels on a grid other than the source
    images' own (gantry tilt sheared away, gaps or uneven spacing filled): the SEG is then
    written on a derived geometry (:mod:`strokescope.outputs.source_refs`). ``extra`` holds
    free-form notes for people and tests (series key, transfer syntax, ...); no code
    decision reads it.
    """

    series_uid: str = ""
    study_uid: str = ""
    frame_of_reference_uid: str = ""
    modality: str = "CT"
    description: str = ""
    patient_id: str = ""
    patient_name: str = ""
    study_date: str = ""
    kernel: str = ""
    contrast_agent: str = ""
    slice_thickness_mm: float | None = None
    gantry_tilt_deg: float = 0.0
    source: str = ""
    sop_instance_uids: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    resampled: bool = False
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def has_contrast(self) -> bool:
        return bool(self.contrast_agent.strip())


@dataclass(frozen=True, eq=False)
class Volume:
    """A CT image in Hounsfield units: ``array`` is float32 (z, y, x) on ``geometry``."""

    array: npt.NDArray[np.float32]
    geometry: Geometry
    meta: SeriesMeta = field(default_factory=SeriesMeta)

    def __post_init__(self) -> None:
        if self.array.ndim != 3:
            raise ValueError(f"volume array must be 3-D (z, y, x), got shape {self.array.shape}")
        if tuple(self.array.shape) != self.geometry.shape:
            raise ValueError(
                f"volume array shape {self.array.shape} differs from geometry {self.geometry.shape}"
            )

    @classmethod
    def from_array(
        cls,
        array: npt.ArrayLike,
        spacing: Vec3,
        origin: Vec3 = (0.0, 0.0, 0.0),
        direction: Matrix3 = AXIAL_LPS,
        meta: SeriesMeta | None = None,
    ) -> Volume:
        arr = np.asarray(array, dtype=np.float32)
        geom = Geometry(arr.shape, spacing, origin, direction)
        return cls(arr, geom, meta or SeriesMeta())

    @property
    def spacing(self) -> Vec3:
        return self.geometry.spacing

    @property
    def origin(self) -> Vec3:
        return self.geometry.origin

    @property
    def direction(self) -> Matrix3:
        return self.geometry.direction

    @property
    def shape(self) -> tuple[int, int, int]:
        return self.geometry.shape

    def with_array(self, array: npt.ArrayLike) -> Volume:
        """Same geometry and metadata, new voxel values."""
        return Volume(np.asarray(array, dtype=np.float32), self.geometry, self.meta)

    def with_warnings(self, *warnings: str) -> Volume:
        meta = replace(self.meta, warnings=self.meta.warnings + tuple(warnings))
        return Volume(self.array, self.geometry, meta)


@dataclass(frozen=True, eq=False)
class Mask:
    """A binary label map on a geometry. Masks always resample nearest-neighbour."""

    array: npt.NDArray[np.bool_]
    geometry: Geometry
    name: str = ""

    def __post_init__(self) -> None:
        if tuple(self.array.shape) != self.geometry.shape:
            raise ValueError(
                f"mask {self.name!r} shape {self.array.shape} differs from geometry "
                f"{self.geometry.shape}"
            )
        if self.array.dtype != np.bool_:
            object.__setattr__(self, "array", self.array.astype(bool))

    @property
    def voxel_count(self) -> int:
        return int(np.count_nonzero(self.array))

    @property
    def volume_mm3(self) -> float:
        return self.voxel_count * self.geometry.voxel_volume_mm3

    @property
    def volume_ml(self) -> float:
        return self.volume_mm3 / 1000.0
