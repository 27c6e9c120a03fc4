"""Slice-stack planning: sort slices along their normal and find every geometry fault.

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
a note), and a stack that no grid can hold is refused. The grid and the resampling are in
:mod:`strokescope.io.slice_geometry`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from strokescope.errors import GeometryError
from strokescope.io.geometry_limits import (
    check_orientation,
    drop_isolated_ends,
    stack_refusal,
    usable_positions,
)

F64 = npt.NDArray[np.float64]
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
    notes = _Notes()
    keep, dist, duplicates, (row, col) = _kept_frames(
        pos, orientation, label=label, tie_break=tie_break, names=names, notes=notes
    )
    d = dist[keep]
    rel = pos[keep] - pos[keep[0]]
    offsets = np.stack([rel @ col, rel @ row], axis=1)
    if len(keep) < 2:
        return _single_slice(keep, d, fallback_step, duplicates, notes)
    steps = np.diff(d)
    median = float(np.median(steps))
    missing, regular = _gaps(steps, d, median, label, notes)
    non_uniform = _non_uniform(regular, median, label, notes)
    extent = float(d[-1] - d[0])
    tilt, shifted = _tilt(offsets, extent, label, notes)
    largest_gap = max((m[2] for m in missing), default=0)
    refused = stack_refusal(
        label=label, median_step=median, extent=extent, largest_gap=largest_gap, tilt_deg=tilt
    )
    if refused:
        notes.add("refused", refused)
    base = float(regular.min()) if non_uniform else median
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
        problems=tuple(notes.problems),
        kinds=tuple(notes.kinds),
        refused=refused,
    )


def _single_slice(
    keep: list[int], d: F64, step: float, duplicates: list[float], notes: _Notes
) -> StackPlan:
    """The plan of a stack with one slice left: no steps to check, ``step`` as its spacing."""
    return StackPlan(
        order=tuple(keep),
        distances=tuple(float(v) for v in d),
        offsets=((0.0, 0.0),),
        median_step=None,
        n_out=1,
        step_out=step,
        duplicates=tuple(duplicates),
        problems=tuple(notes.problems),
        kinds=tuple(notes.kinds),
    )


@dataclass
class _Notes:
    """The one-line notes of a plan, in the order found, each with its kind."""

    problems: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)

    def add(self, kind: str, text: str) -> None:
        self.problems.append(text)
        self.kinds.append(kind)

    def extend(self, kind: str, texts: Sequence[str]) -> None:
        for text in texts:
            self.add(kind, text)


def _kept_frames(
    pos: F64,
    orientation: tuple[float, ...],
    *,
    label: str,
    tie_break: npt.ArrayLike | None,
    names: Sequence[str] | None,
    notes: _Notes,
) -> tuple[list[int], F64, list[float], tuple[F64, F64]]:
    """The frames kept, in order along the normal; every frame's distance along it; the
    duplicate positions; the (row, column) axes. Notes on the orientation, the outliers left
    out and the duplicates go into ``notes``."""
    note = check_orientation(orientation, label=label)
    if note:
        notes.add("orientation", note)
    row, col, normal = image_axes(orientation)
    labels = list(names) if names is not None else [f"slice {i + 1}" for i in range(len(pos))]
    usable, dropped = usable_positions(pos, labels, label=label)
    notes.extend("outlier", dropped)
    if not usable:
        raise GeometryError(f"series {label}: no slice has a usable position; refused")
    dist = np.zeros(len(pos))
    dist[usable] = pos[usable] @ normal
    keep, duplicates, n_dup = _one_per_position(usable, dist, tie_break, len(pos))
    keep, dropped = drop_isolated_ends(keep, pos, labels, label=label)
    notes.extend("outlier", dropped)
    if duplicates:
        notes.add(
            "duplicate",
            f"series {label}: {n_dup} duplicate slice position(s) (first at "
            f"z={format_mm(duplicates[0])} mm); kept one image per position",
        )
    return keep, dist, duplicates, (row, col)


def _one_per_position(
    usable: Sequence[int], dist: F64, tie_break: npt.ArrayLike | None, n: int
) -> tuple[list[int], list[float], int]:
    """The usable frames sorted along the normal, one per position (the lowest tie-break
    key, then the lowest index, wins); the duplicate positions; how many were left out."""
    cand = np.asarray(usable)
    ties = np.zeros(n) if tie_break is None else np.asarray(tie_break, dtype=float)
    order = cand[np.lexsort((cand, ties[cand], dist[cand]))]
    keep = [int(order[0])]
    duplicates: list[float] = []
    for idx in order[1:]:
        if dist[idx] - dist[keep[-1]] < DUPLICATE_MM:
            if not duplicates or abs(duplicates[-1] - dist[idx]) > DUPLICATE_MM:
                duplicates.append(float(dist[idx]))
            continue
        keep.append(int(idx))
    return keep, duplicates, len(order) - len(keep)


def _gaps(
    steps: F64, d: F64, median: float, label: str, notes: _Notes
) -> tuple[list[tuple[float, float, int]], F64]:
    """The gaps (from, to, slices missing) and the steps that are not gaps."""
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
            notes.add(
                "missing",
                f"series {label}: {n} slice(s) missing between z={format_mm(d[k])} and "
                f"z={format_mm(d[k + 1])} mm",
            )
    return missing, np.asarray(regular) if regular else np.asarray([median])


def _non_uniform(
    regular: F64, median: float, label: str, notes: _Notes
) -> tuple[float, float] | None:
    """(smallest, largest) regular step when they differ from the median; else None."""
    if float(np.max(np.abs(regular - median))) <= max(NON_UNIFORM_MM, NON_UNIFORM_REL * median):
        return None
    low, high = float(regular.min()), float(regular.max())
    notes.add(
        "non_uniform",
        f"series {label}: non-uniform slice spacing ({format_mm(low)} to {format_mm(high)} mm)",
    )
    return low, high


def _tilt(offsets: F64, extent: float, label: str, notes: _Notes) -> tuple[float, bool]:
    """Gantry tilt in degrees from the in-plane drift of the slices, and whether they are
    shifted at all (tilt, or an in-plane offset beyond ``SHIFT_MIN_MM``)."""
    shear = offsets[-1] / extent
    tilt = math.degrees(math.atan(float(np.hypot(*shear))))
    shifted = tilt >= TILT_MIN_DEG or float(np.max(np.hypot(*offsets.T))) > SHIFT_MIN_MM
    if tilt >= TILT_MIN_DEG:
        notes.add("tilt", f"series {label}: gantry tilt {tilt:.1f} deg (slices sheared)")
    elif shifted:
        notes.add("shift", f"series {label}: slices shifted within the image plane")
    return tilt, shifted
