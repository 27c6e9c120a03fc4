"""Plausibility limits for geometry read from image headers, and the checks that apply them.

A value outside these limits does not describe an unusual scan but a damaged or hand-edited
header; used as it is, it crashes (NaN into ``round``), exhausts memory (a slice 1e9 mm away
asks for a grid of 5e8 slices) or silently changes a result. Each check either returns the
one-line note of a repair (a slice left out, an orientation re-orthogonalised) or raises
:class:`~strokescope.errors.GeometryError` naming the series (or file) and the reason.

The limits, and why:

* ``PIXEL_SPACING_MM``: (0028,0030) Pixel Spacing of clinical CT is 0.1-1.5 mm; 0.05 mm is
  finer than any whole-body scanner resolves and 10 mm coarser than any diagnostic image.
* ``MAX_SLICE_STEP_MM``: the thickest routine CT slices are 10 mm; a median step beyond 20 mm
  is not a volume.
* ``POSITION_LIMIT_MM``: (0020,0032) Image Position (Patient) is measured from a point near
  the scanner's isocentre and a table travels about 2 m, so no real image lies 5 m away.
* ``MAX_EXTENT_MM``: one series covers at most a whole body (about 2 m).
* ``MAX_GAP_STEPS``: a gap wider than 20 median steps is not a few missing slices; an end
  slice beyond such a gap is an outlier (left out), a wider gap inside the stack cannot be
  interpolated (refused).
* ``MAX_TILT_DEG``: gantries tilt at most 30 degrees; a larger shear between slices means
  the positions contradict the orientation.
* ``ORIENTATION_TOL`` / ``ORIENTATION_MAX_ERROR``: (0020,0037) direction cosines are stored
  as decimal strings, so unit length and orthogonality hold to about 1e-4 (and the header
  reader rounds to 4 decimals). Up to 1e-3 is accepted silently; up to 0.01 (cosines
  written with two or three decimals, under a degree) is re-orthogonalised with a warning;
  beyond that the header is corrupt and correcting it would move anatomy.
* ``MAX_GRID_VOXELS``: 2**29 voxels (2 GiB as float32) holds a 512 x 512 x 2048 stack; every
  array sized from header values is checked against it before it is allocated, since the
  pipeline keeps a few copies of a volume.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from strokescope.errors import GeometryError

PIXEL_SPACING_MM = (0.05, 10.0)
MAX_SLICE_STEP_MM = 20.0
POSITION_LIMIT_MM = 5000.0
MAX_EXTENT_MM = 2500.0
MAX_GAP_STEPS = 20
MAX_TILT_DEG = 45.0
ORIENTATION_TOL = 1e-3
ORIENTATION_MAX_ERROR = 0.01
MAX_GRID_VOXELS = 2**29


def orthonormal_error(vectors: npt.ArrayLike) -> float:
    """Largest deviation of the rows of ``vectors`` from unit length and mutual orthogonality.

    ``inf`` for a non-finite or zero-length vector; 1.0 for parallel vectors.
    """
    v = np.asarray(vectors, dtype=float)
    if not np.all(np.isfinite(v)):
        return math.inf
    norms = np.linalg.norm(v, axis=1)
    if float(norms.min()) < 1e-6:
        return math.inf
    unit = v / norms[:, None]
    cosines = unit @ unit.T - np.eye(len(v))
    return float(max(np.max(np.abs(norms - 1.0)), np.max(np.abs(cosines))))


def check_orientation(orientation: Sequence[float], *, label: str) -> str:
    """Check (0020,0037) Image Orientation (Patient) before it is re-orthogonalised.

    Returns a one-line note when the cosines are off by more than ``ORIENTATION_TOL`` (and so
    will be corrected), ``""`` otherwise. Raises :class:`GeometryError` for cosines that are
    not finite, degenerate or further than ``ORIENTATION_MAX_ERROR`` from orthonormal.
    """
    v = np.asarray(orientation, dtype=float).reshape(2, 3)
    error = orthonormal_error(v)
    shown = " ".join(f"{x:g}" for x in v.ravel())
    if error > ORIENTATION_MAX_ERROR:
        raise GeometryError(
            f"series {label}: Image Orientation (Patient) [{shown}] is not two orthonormal "
            f"direction cosines (error {error:.3g}, limit {ORIENTATION_MAX_ERROR:g}); refused"
        )
    if error > ORIENTATION_TOL:
        return (
            f"series {label}: Image Orientation (Patient) [{shown}] is not orthonormal "
            f"(error {error:.3g}); corrected"
        )
    return ""


def usable_positions(
    positions: npt.NDArray[np.float64], names: Sequence[str], *, label: str
) -> tuple[list[int], list[str]]:
    """Indices of the positions that are finite and within ``POSITION_LIMIT_MM``, and notes.

    Each slice left out gets a one-line note naming it (``names[i]``).
    """
    keep: list[int] = []
    notes: list[str] = []
    for i, p in enumerate(positions):
        if not np.all(np.isfinite(p)):
            reason = "is not finite"
        elif float(np.max(np.abs(p))) > POSITION_LIMIT_MM:
            reason = f"lies more than {POSITION_LIMIT_MM / 1000:g} m from the origin"
        else:
            keep.append(i)
            continue
        shown = ", ".join(f"{x:g}" for x in p)
        notes.append(
            f"series {label}: {names[i]}: Image Position (Patient) ({shown}) {reason}; "
            "slice left out"
        )
    return keep, notes


def drop_isolated_ends(
    keep: list[int], positions: npt.NDArray[np.float64], names: Sequence[str], *, label: str
) -> tuple[list[int], list[str]]:
    """Leave out the slices isolated at either end of a sorted stack, with a note for each.

    ``keep`` indexes ``positions`` (and ``names``) in stack order. An end slice is an
    outlier when its distance (3-D, so an in-plane jump counts) to its neighbour exceeds
    ``MAX_GAP_STEPS`` times the median of the other steps. At least two slices are kept.
    """
    lo, hi = 0, len(keep)
    while hi - lo >= 3:
        steps = np.linalg.norm(np.diff(positions[keep[lo:hi]], axis=0), axis=1)
        if steps[0] > MAX_GAP_STEPS * float(np.median(steps[1:])):
            lo += 1
        elif steps[-1] > MAX_GAP_STEPS * float(np.median(steps[:-1])):
            hi -= 1
        else:
            break
    inliers = keep[lo:hi]
    notes = []
    for i in keep[:lo] + keep[hi:]:
        away = float(np.min(np.linalg.norm(positions[inliers] - positions[i], axis=1)))
        notes.append(
            f"series {label}: {names[i]} lies {away:.1f} mm from the rest of the stack; "
            "slice left out"
        )
    return inliers, notes


def check_pixel_spacing(spacing: Sequence[float], *, label: str) -> None:
    """Refuse a (0028,0030) Pixel Spacing outside ``PIXEL_SPACING_MM``.

    ``label`` names what is checked in the message ("series 1.2.3", a file path).
    """
    lo, hi = PIXEL_SPACING_MM
    if not all(lo <= float(s) <= hi for s in spacing):  # also False for NaN
        shown = " x ".join(f"{float(s):g}" for s in spacing)
        raise GeometryError(
            f"{label}: pixel spacing {shown} mm is outside {lo:g}-{hi:g} mm; refused"
        )


def check_grid_size(*shapes: Sequence[int], label: str) -> None:
    """Refuse arrays, together, of more than ``MAX_GRID_VOXELS`` voxels before allocating.

    ``label`` names what is checked in the message ("series 1.2.3", a file path).
    """
    voxels = sum(math.prod(int(n) for n in shape) for shape in shapes)
    if voxels > MAX_GRID_VOXELS:
        sizes = " and ".join(" x ".join(str(int(n)) for n in shape) for shape in shapes)
        raise GeometryError(
            f"{label}: the volume would need {sizes} voxels, more than the limit of "
            f"{MAX_GRID_VOXELS:.3g} ({MAX_GRID_VOXELS * 4 / 2**30:g} GiB as float32); refused"
        )


def stack_refusal(
    *, label: str, median_step: float, extent: float, largest_gap: int, tilt_deg: float
) -> str:
    """Why a sorted stack cannot be put on a grid (``""`` when it can), in one line."""
    reason = ""
    if median_step > MAX_SLICE_STEP_MM:
        reason = f"median slice step {median_step:.4g} mm exceeds {MAX_SLICE_STEP_MM:g} mm"
    elif extent > MAX_EXTENT_MM:
        reason = f"slices span {extent:.4g} mm, more than {MAX_EXTENT_MM:g} mm"
    elif largest_gap > MAX_GAP_STEPS:
        reason = (
            f"a gap of {largest_gap} missing slices is too wide to interpolate "
            f"(limit {MAX_GAP_STEPS})"
        )
    elif tilt_deg > MAX_TILT_DEG:
        reason = (
            f"slices are sheared by {tilt_deg:.1f} deg (limit {MAX_TILT_DEG:g}): their "
            "positions contradict the orientation"
        )
    return f"series {label}: {reason}; refused" if reason else ""


def check_image_geometry(
    shape: Sequence[int],
    spacing: Sequence[float],
    origin: Sequence[float],
    direction: npt.ArrayLike,
    *,
    label: str,
) -> None:
    """Refuse the header of an image file (NIfTI, NRRD, MHA) outside the limits.

    Everything is in (z, y, x) order, ``direction`` holding one column per axis as in
    :class:`~strokescope.volume.Geometry`; called before any pixel is read. The in-plane axes
    must be orthonormal; the slice axis a unit vector, sheared by a gantry tilt at most.
    """
    check_grid_size(shape, label=label)
    check_pixel_spacing(spacing[1:], label=label)
    if not PIXEL_SPACING_MM[0] <= float(spacing[0]) <= MAX_SLICE_STEP_MM:
        raise GeometryError(
            f"{label}: slice spacing {float(spacing[0]):g} mm is outside "
            f"{PIXEL_SPACING_MM[0]:g}-{MAX_SLICE_STEP_MM:g} mm; refused"
        )
    o = np.asarray(origin, dtype=float)
    if not np.all(np.isfinite(o)) or float(np.max(np.abs(o))) > POSITION_LIMIT_MM:
        shown = ", ".join(f"{x:g}" for x in o)
        raise GeometryError(
            f"{label}: origin ({shown}) is not within {POSITION_LIMIT_MM / 1000:g} m; refused"
        )
    axes = np.asarray(direction, dtype=float).T  # one row per axis: slice, y, x
    error = max(orthonormal_error(axes[1:]), orthonormal_error(axes[:1]))
    if error > ORIENTATION_MAX_ERROR:
        raise GeometryError(
            f"{label}: direction matrix is not orthonormal (error {error:.3g}, limit "
            f"{ORIENTATION_MAX_ERROR:g}); refused"
        )
    normal = np.cross(axes[1], axes[2])
    cosine = abs(float(axes[0] @ normal)) / float(np.linalg.norm(axes[0]) * np.linalg.norm(normal))
    tilt = math.degrees(math.acos(min(1.0, cosine)))
    if tilt > MAX_TILT_DEG:  # a gantry-tilted image keeps its sheared slice axis
        raise GeometryError(
            f"{label}: slice axis tilted by {tilt:.1f} deg from the image plane's normal "
            f"(limit {MAX_TILT_DEG:g}); refused"
        )
