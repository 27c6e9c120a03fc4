"""Slice-stack geometry: sort, find faults, and resample onto a uniform axis-aligned grid.

Slices are ordered by their position along the slice normal ``n = row x column`` of
(0020,0037) Image Orientation (Patient), never by Instance Number or file name. Faults found
by :func:`plan_stack`, each reported as a one-line note:

* duplicate positions (two images closer than ``DUPLICATE_MM`` along the normal): one is kept;
* missing slices: a step larger than ``GAP_FACTOR`` x the median step (but a run of
  ``SPACING_RUN`` or more equal large steps is a deliberate change of spacing);
* non-uniform spacing: a step differing from the median by more than 2 % (and 0.01 mm);
* gantry tilt (or any in-plane shift between slices): positions drift within the image plane.

Before that, header values are held to the limits of :mod:`strokescope.io.geometry_limits`:
outlier slices are left out, a slightly non-orthonormal orientation is corrected (each with
a note), and a stack that no grid can hold is refused.

:func:`resample_stack` then interpolates linearly along the normal onto a uniform grid and
shifts each slice in-plane (bilinear) so that the grid is orthogonal. This is the same shear
correction dcm2niix applies to tilted CT. numpy only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from strokescope.errors import GeometryError
from strokescope.io.geometry_limits import (
    check_orientation,
    drop_isolated_ends,
    stack_refusal,
    usable_positions,
)
from strokescope.volume import Geometry, Vec3

DUPLICATE_MM = 0.01
GAP_FACTOR = 1.5
SPACING_RUN = 3  # this many equal large steps in a row are a spacing change, not gaps
NON_UNIFORM_REL = 0.02
NON_UNIFORM_MM = 0.01
TILT_MIN_DEG = 0.05
SHIFT_MIN_MM = 0.01


def format_mm(value: float) -> str:
    """Millimetres for messages: two decimals at most, at least one ("40.0", "40.62")."""
    text = f"{value:.2f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def image_axes(
    orientation: tuple[float, ...],
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Orthonormal (row, column, normal) LPS vectors from Image Orientation (Patient)."""
    row = np.asarray(orientation[:3], dtype=float)
    col = np.asarray(orientation[3:6], dtype=float)
    row /= np.linalg.norm(row)
    col = col - row * float(row @ col)
    col /= np.linalg.norm(col)
    return row, col, np.cross(row, col)


@dataclass(frozen=True)
class StackPlan:
    """Where each kept slice sits and which output grid will hold the volume.

    ``order`` indexes the input frames, ascending along the normal, one per position.
    ``distances`` are their positions along the normal (mm); ``offsets`` their in-plane
    displacement (along columns, along rows) in mm from the first kept slice.
    ``n_out``/``step_out`` describe the uniform output grid; ``problems`` the faults found.
    ``refused`` says, in one line, why the stack cannot be put on a grid (``""`` if it can).
    """

    order: tuple[int, ...]
    distances: tuple[float, ...]
    offsets: tuple[tuple[float, float], ...]
    median_step: float | None
    n_out: int
    step_out: float
    missing: tuple[tuple[float, float, int], ...] = ()
    duplicates: tuple[float, ...] = ()
    non_uniform: tuple[float, float] | None = None
    tilt_deg: float = 0.0
    shifted: bool = False
    problems: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    refused: str = ""

    @property
    def resample_z(self) -> bool:
        return bool(self.missing) or self.non_uniform is not None

    @property
    def needs_resampling(self) -> bool:
        return self.resample_z or self.shifted

    @property
    def n_missing(self) -> int:
        return sum(m[2] for m in self.missing)


def _large_step_runs(steps: npt.NDArray[np.float64], median: float) -> list[tuple[int, int]]:
    """Split ``steps`` into [i, j) runs: single normal steps, or runs of similar large steps."""
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(steps):
        j = i + 1
        if steps[i] > GAP_FACTOR * median:
            tol = max(NON_UNIFORM_MM, NON_UNIFORM_REL * steps[i])
            while j < len(steps) and abs(steps[j] - steps[i]) <= tol:
                j += 1
        runs.append((i, j))
        i = j
    return runs


def plan_stack(
    positions: npt.ArrayLike,
    orientation: tuple[float, ...],
    *,
    label: str,
    tie_break: npt.ArrayLike | None = None,
    fallback_step: float = 1.0,
    names: Sequence[str] | None = None,
) -> StackPlan:
    """Sort slices along the normal and find every geometry fault.

    Header values are checked against :mod:`strokescope.io.geometry_limits` first: a slice
    whose position is not finite, out of range or isolated at an end of the stack is left
    out (a note names it); a stack that cannot be put on a grid gets a ``refused`` reason.

    Parameters
    ----------
    positions
        (N, 3) Image Position (Patient) of each frame, LPS mm.
    orientation
        The six Image Orientation (Patient) values shared by the frames.
    label
        Series name used in the notes ("series <label>: ...").
    tie_break
        Per-frame keys (e.g. Instance Number) deciding which duplicate is kept (the lowest).
    fallback_step
        Step used for a single slice (e.g. the slice thickness).
    names
        Per-frame names (file paths) for the notes on slices left out; default "slice <i>".

    Raises
    ------
    GeometryError
        The orientation is not finite, degenerate or far from orthonormal, or no slice has
        a usable position.
    """
    pos = np.asarray(positions, dtype=float).reshape(-1, 3)
    problems: list[str] = []
    kinds: list[str] = []
    note = check_orientation(orientation, label=label)
    if note:
        problems.append(note)
        kinds.append("orientation")
    row, col, normal = image_axes(orientation)
    labels = list(names) if names is not None else [f"slice {i + 1}" for i in range(len(pos))]
    usable, notes = usable_positions(pos, labels, label=label)
    problems.extend(notes)
    kinds.extend(["outlier"] * len(notes))
    if not usable:
        raise GeometryError(f"series {label}: no slice has a usable position; refused")
    cand = np.asarray(usable)
    dist = np.zeros(len(pos))
    dist[cand] = pos[cand] @ normal
    ties = np.zeros(len(pos)) if tie_break is None else np.asarray(tie_break, dtype=float)
    order = cand[np.lexsort((cand, ties[cand], dist[cand]))]
    keep = [int(order[0])]
    duplicates: list[float] = []
    for idx in order[1:]:
        if dist[idx] - dist[keep[-1]] < DUPLICATE_MM:
            if not duplicates or abs(duplicates[-1] - dist[idx]) > DUPLICATE_MM:
                duplicates.append(float(dist[idx]))
            continue
        keep.append(int(idx))
    n_dup = len(order) - len(keep)
    keep, notes = drop_isolated_ends(keep, pos, labels, label=label)
    problems.extend(notes)
    kinds.extend(["outlier"] * len(notes))
    d = dist[keep]
    rel = pos[keep] - pos[keep[0]]
    offsets = np.stack([rel @ col, rel @ row], axis=1)
    if duplicates:
        kinds.append("duplicate")
        problems.append(
            f"series {label}: {n_dup} duplicate slice position(s) (first at "
            f"z={format_mm(duplicates[0])} mm); kept one image per position"
        )
    if len(keep) < 2:
        return StackPlan(
            order=tuple(keep),
            distances=tuple(float(v) for v in d),
            offsets=((0.0, 0.0),),
            median_step=None,
            n_out=1,
            step_out=fallback_step,
            duplicates=tuple(duplicates),
            problems=tuple(problems),
            kinds=tuple(kinds),
        )
    steps = np.diff(d)
    median = float(np.median(steps))
    missing: list[tuple[float, float, int]] = []
    regular: list[float] = []
    for i, j in _large_step_runs(steps, median):
        if j - i >= SPACING_RUN:  # a run of equal large steps: the spacing changed on purpose
            regular.extend(float(v) for v in steps[i:j])
            continue
        regular.extend(float(v) for v in steps[i:j] if v <= GAP_FACTOR * median)
        for k in range(i, j):
            if steps[k] <= GAP_FACTOR * median:
                continue
            n = max(1, round(steps[k] / median) - 1)
            missing.append((float(d[k]), float(d[k + 1]), n))
            kinds.append("missing")
            problems.append(
                f"series {label}: {n} slice(s) missing between z={format_mm(d[k])} and "
                f"z={format_mm(d[k + 1])} mm"
            )
    reg = np.asarray(regular) if regular else np.asarray([median])
    non_uniform = None
    if float(np.max(np.abs(reg - median))) > max(NON_UNIFORM_MM, NON_UNIFORM_REL * median):
        non_uniform = (float(reg.min()), float(reg.max()))
        kinds.append("non_uniform")
        problems.append(
            f"series {label}: non-uniform slice spacing ({format_mm(non_uniform[0])} to "
            f"{format_mm(non_uniform[1])} mm)"
        )
    extent = float(d[-1] - d[0])
    shear = offsets[-1] / extent
    tilt = math.degrees(math.atan(float(np.hypot(*shear))))
    shifted = tilt >= TILT_MIN_DEG or float(np.max(np.hypot(*offsets.T))) > SHIFT_MIN_MM
    if tilt >= TILT_MIN_DEG:
        problems.append(f"series {label}: gantry tilt {tilt:.1f} deg (slices sheared)")
        kinds.append("tilt")
    elif shifted:
        problems.append(f"series {label}: slices shifted within the image plane")
        kinds.append("shift")
    refused = stack_refusal(
        label=label,
        median_step=median,
        extent=extent,
        largest_gap=max((m[2] for m in missing), default=0),
        tilt_deg=tilt,
    )
    if refused:
        problems.append(refused)
        kinds.append("refused")
    base = float(reg.min()) if non_uniform else median
    n_out = round(extent / base) + 1 if (missing or non_uniform) else len(keep)
    return StackPlan(
        order=tuple(keep),
        distances=tuple(float(v) for v in d),
        offsets=tuple((float(a), float(b)) for a, b in offsets),
        median_step=median,
        n_out=n_out,
        step_out=extent / (n_out - 1),
        missing=tuple(missing),
        duplicates=tuple(duplicates),
        non_uniform=non_uniform,
        tilt_deg=tilt if tilt >= TILT_MIN_DEG else 0.0,
        shifted=shifted,
        problems=tuple(problems),
        kinds=tuple(kinds),
        refused=refused,
    )


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
