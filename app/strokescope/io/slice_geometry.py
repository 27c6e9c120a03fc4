"""Slice-stack geometry: the output grid of a planned stack, and resampling onto it.

:func:`strokescope.io.stack_plan.plan_stack` sorts the slices and finds the faults;
:func:`output_geometry` is the grid that holds the volume, and :func:`resample_stack`
interpolates linearly along the normal onto that uniform grid and shifts each slice in-plane
(bilinear) so that the grid is orthogonal. This is the same shear
correction dcm2niix applies to tilted CT. numpy only.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from strokescope.io.stack_plan import StackPlan, image_axes
from strokescope.volume import Geometry, Vec3


def _output_offsets(plan: StackPlan) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Positions along the normal of the output slices, and their in-plane offsets (mm)."""
    d = np.asarray(plan.distances)
    z_out = d[0] + plan.step_out * np.arange(plan.n_out)
    offsets = np.asarray(plan.offsets)
    off = np.stack([np.interp(z_out, d, offsets[:, 0]), np.interp(z_out, d, offsets[:, 1])], 1)
    return z_out, off


def inplane_padding(
    plan: StackPlan, pixel_spacing: tuple[float, float]
) -> tuple[int, int, int, int]:
    """Rows/columns added (before y, after y, before x, after x) so sheared slices fit."""
    if not plan.shifted:
        return (0, 0, 0, 0)
    _, off = _output_offsets(plan)
    pads = []
    for axis in (0, 1):
        lo, hi = float(off[:, axis].min()), float(off[:, axis].max())
        pads += [math.ceil(max(0.0, -lo) / pixel_spacing[axis] - 1e-6)]
        pads += [math.ceil(max(0.0, hi) / pixel_spacing[axis] - 1e-6)]
    return pads[0], pads[1], pads[2], pads[3]


def output_geometry(
    plan: StackPlan,
    first_position: Vec3,
    orientation: tuple[float, ...],
    pixel_spacing: tuple[float, float],
    shape_yx: tuple[int, int],
) -> Geometry:
    """The uniform, orthogonal (z, y, x) grid of a planned stack.

    The grid starts at the first kept slice; for a sheared (tilted) stack it is widened in
    the image plane so that every slice fits, as dcm2niix does.
    """
    row, col, normal = image_axes(orientation)
    y0, y1, x0, x1 = inplane_padding(plan, pixel_spacing)
    origin = np.asarray(first_position) - y0 * pixel_spacing[0] * col - x0 * pixel_spacing[1] * row
    direction = np.stack([normal, col, row], axis=1)
    return Geometry.from_sequences(
        (plan.n_out, shape_yx[0] + y0 + y1, shape_yx[1] + x0 + x1),
        (plan.step_out, pixel_spacing[0], pixel_spacing[1]),
        origin,
        direction,
    )


def _shift_axis(
    img: npt.NDArray[np.float32], shift: float, axis: int, fill: float
) -> npt.NDArray[np.float32]:
    """``out[i] = img[i - shift]`` along ``axis``, linear; outside the image is ``fill``."""
    n = img.shape[axis]
    src = np.arange(n, dtype=float) - shift
    i0 = np.floor(src)
    w = (src - i0).astype(np.float32)
    pad_width = [(0, 0), (0, 0)]
    pad_width[axis] = (1, 1)
    padded = np.pad(img, pad_width, constant_values=fill)
    lo = np.clip(i0 + 1, 0, n + 1).astype(np.intp)
    hi = np.clip(i0 + 2, 0, n + 1).astype(np.intp)
    shape = [1, 1]
    shape[axis] = n
    wb = w.reshape(shape)
    return padded.take(lo, axis=axis) * (1 - wb) + padded.take(hi, axis=axis) * wb


def shift_plane(
    img: npt.NDArray[np.float32], dy: float, dx: float, *, fill: float
) -> npt.NDArray[np.float32]:
    """Move a 2-D image by (dy, dx) pixels with bilinear interpolation."""
    out = img
    if abs(dy) > 1e-6:
        out = _shift_axis(out, dy, 0, fill)
    if abs(dx) > 1e-6:
        out = _shift_axis(out, dx, 1, fill)
    return out


def _z_slice(
    stack: npt.NDArray[np.float32], d: npt.NDArray[np.float64], z: float
) -> npt.NDArray[np.float32]:
    """The slice at normal position ``z``, linear between the two nearest acquired slices."""
    i = int(np.clip(np.searchsorted(d, z, side="right") - 1, 0, len(d) - 1))
    if i == len(d) - 1 or abs(z - d[i]) < 1e-4:
        return stack[i]
    w = float((z - d[i]) / (d[i + 1] - d[i]))
    if w > 1 - 1e-4:
        return stack[i + 1]
    out = np.multiply(stack[i], np.float32(1 - w))
    out += np.float32(w) * stack[i + 1]
    return out


def resample_stack(
    stack: npt.NDArray[np.float32],
    plan: StackPlan,
    pixel_spacing: tuple[float, float],
    *,
    fill: float = -1024.0,
) -> npt.NDArray[np.float32]:
    """Resample ``stack`` (kept slices in plan order, (z, y, x)) onto the plan's grid.

    Each output slice is interpolated linearly along the normal, then (for a sheared stack)
    placed on the widened grid of :func:`output_geometry` and shifted in-plane by its offset
    (bilinear), one slice at a time so that only the input and output arrays are held.
    Voxels outside the acquired field are set to ``fill`` (air).
    """
    d = np.asarray(plan.distances)
    z_out, off = _output_offsets(plan)
    y0, y1, x0, x1 = inplane_padding(plan, pixel_spacing)
    shape = (plan.n_out, stack.shape[1] + y0 + y1, stack.shape[2] + x0 + x1)
    out = np.empty(shape, dtype=np.float32)
    for j, z in enumerate(z_out):
        sl = _z_slice(stack, d, float(z)) if plan.resample_z else stack[j]
        if plan.shifted:
            sl = np.pad(sl, ((y0, y1), (x0, x1)), constant_values=fill)
            dy = off[j, 0] / pixel_spacing[0]
            dx = off[j, 1] / pixel_spacing[1]
            sl = shift_plane(sl, float(dy), float(dx), fill=fill)
        out[j] = sl
    return out
