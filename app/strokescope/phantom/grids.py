"""Acquisition grids and head poses of a phantom study.

A grid is an axial :class:`~strokescope.volume.Geometry`: columns run right->left, rows
anterior->posterior, slices feet->head. With gantry tilt the image plane turns about the
LPS x axis while slices still step along the table (LPS z): ``direction[:, 0]`` is then not
orthogonal to the image plane, as in a tilted DICOM series. The table increment is
``slice_mm / cos(tilt)`` so that neighbouring planes are ``slice_mm`` apart.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from strokescope.phantom.shapes import rotation
from strokescope.volume import Geometry

FULL_COVERAGE_MM = 160.0
SUBSLICE_MM = 1.0
INPLANE_CENTER_Y = 6.0


def default_slices(slice_mm: float) -> int:
    """Slices covering 160 mm (skull base to vertex)."""
    return max(1, round(FULL_COVERAGE_MM / slice_mm))


def coverage_center_z(coverage_mm: float) -> float:
    """Head-frame z of the slab centre: a full slab spans about -62..98 mm; shorter slabs
    keep the circle of Willis (z = 0) and the skull base in view."""
    bottom = -62.0 + 0.3 * max(0.0, FULL_COVERAGE_MM - coverage_mm)
    bottom = min(bottom, -0.4 * coverage_mm)
    return bottom + coverage_mm / 2.0


def acquisition_geometry(
    *,
    matrix: int,
    inplane_mm: float,
    slice_mm: float,
    slices: int,
    tilt_deg: float = 0.0,
    shift_x_mm: float = 0.0,
) -> Geometry:
    """Axial grid centred on the head (moved ``shift_x_mm`` along LPS x), with optional
    gantry tilt (degrees)."""
    t = math.radians(tilt_deg)
    axis_slice = np.array([0.0, 0.0, 1.0])
    axis_row = np.array([0.0, math.cos(t), math.sin(t)])
    axis_col = np.array([1.0, 0.0, 0.0])
    direction = np.stack([axis_slice, axis_row, axis_col], axis=1)
    increment = slice_mm / math.cos(t)
    spacing = (increment, inplane_mm, inplane_mm)
    center = np.array([shift_x_mm, INPLANE_CENTER_Y, coverage_center_z(slices * slice_mm)])
    half = (np.array([slices, matrix, matrix], dtype=float) - 1.0) / 2.0
    origin = center - (direction * np.asarray(spacing)[None, :]) @ half
    return Geometry.from_sequences((slices, matrix, matrix), spacing, origin, direction)


def fov_cut_shift(
    rng: np.random.Generator, *, matrix: int, inplane_mm: float, head_half_width_mm: float
) -> float:
    """Lateral grid shift (mm) that leaves 5-20 mm of the head outside one (seeded) edge."""
    cut = float(rng.uniform(5.0, 20.0))
    sign = 1.0 if rng.uniform() < 0.5 else -1.0
    return sign * max(0.0, matrix * inplane_mm / 2.0 - head_half_width_mm + cut)


def without_lowest(geom: Geometry, mm: float) -> tuple[int, Geometry]:
    """How many of the lowest slices of ``geom`` make ``mm`` (at least one slice kept), and
    the grid of the others: a head NCCT beside a longer CTA."""
    cut = min(geom.shape[0] - 1, round(mm / geom.spacing[0]))
    return cut, geom.crop((cut, 0, 0), (geom.shape[0] - cut, *geom.shape[1:]))


def subslices(slice_mm: float) -> int:
    """How many sub-slices a slice is averaged from (about one per mm of thickness)."""
    return max(1, math.ceil(slice_mm / SUBSLICE_MM - 1e-6))


def fine_geometry(geom: Geometry, n_sub: int) -> Geometry:
    """The grid whose groups of ``n_sub`` slices average to the slices of ``geom``."""
    if n_sub == 1:
        return geom
    axis = np.asarray(geom.direction)[:, 0] * geom.spacing[0]
    origin = np.asarray(geom.origin) - axis * (0.5 - 0.5 / n_sub)
    return Geometry.from_sequences(
        (geom.shape[0] * n_sub, geom.shape[1], geom.shape[2]),
        (geom.spacing[0] / n_sub, geom.spacing[1], geom.spacing[2]),
        origin,
        geom.direction,
    )


def average_subslices(array: npt.NDArray[np.float32], n_sub: int) -> npt.NDArray[np.float32]:
    """Mean over consecutive groups of ``n_sub`` slices (the slice-thickness effect)."""
    if n_sub == 1:
        return array
    k, j, i = array.shape
    return array.reshape(k // n_sub, n_sub, j, i).mean(axis=1, dtype=np.float32)


def head_pose(
    rotation_deg: tuple[float, float, float],
    *,
    translation_mm: tuple[float, float, float] = (0.0, 0.0, 0.0),
) -> npt.NDArray[np.float64]:
    """4x4 head-frame -> LPS transform: rotation about x, y, z (degrees), then shift."""
    pose = np.eye(4)
    pose[:3, :3] = rotation(*np.deg2rad(rotation_deg))
    pose[:3, 3] = translation_mm
    return pose


def motion_transform(rng: np.random.Generator, motion_mm: float) -> npt.NDArray[np.float64]:
    """A small rigid LPS transform: ``motion_mm`` of translation plus a rotation whose arc
    at 80 mm radius is ``motion_mm`` (both in seeded random directions)."""
    out = np.eye(4)
    if motion_mm <= 0:
        return out
    axis = rng.normal(size=3)
    axis /= np.linalg.norm(axis)
    angle = motion_mm / 80.0
    k = np.array([[0, -axis[2], axis[1]], [axis[2], 0, -axis[0]], [-axis[1], axis[0], 0]])
    out[:3, :3] = np.eye(3) + math.sin(angle) * k + (1 - math.cos(angle)) * (k @ k)
    shift = rng.normal(size=3)
    out[:3, 3] = shift / np.linalg.norm(shift) * motion_mm
    return out
