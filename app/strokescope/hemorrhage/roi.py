"""Regions of interest: an axis-aligned voxel box, parsed from a short text syntax.

Syntax (one ROI per string, fields in any order, separated by spaces)::

    z=12 y=140:200 x=100:180          voxel indices, both ends inclusive
    z=10:14 y=140:200 x=100:180       a slice range
    y=140:200 x=100:180               no z: the rectangle through every slice
    z=30:50mm y=-20:10mm x=-40:-10mm  patient LPS millimetres (an "mm" suffix per field)

``z`` is the slice axis (array axis 0), ``y`` the row axis, ``x`` the column axis. With an
"mm" suffix the letter names the LPS axis instead, mapped to the array axis that points
along it (the image must then be close to axis-aligned). A click uses the same syntax with
single values: ``z=12 y=150 x=140``.

An ROI proposed from a click keeps the click as its ``seed``: segmentation then keeps the
lesion at the click instead of the one at the box centre.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace

import numpy as np

from strokescope.errors import InputError
from strokescope.volume import Geometry

Range = tuple[int, int]
_FIELD = re.compile(r"^([xyz])=(-?\d+(?:\.\d*)?)(?::(-?\d+(?:\.\d*)?))?(mm)?$")
_AXIS = {"z": 0, "y": 1, "x": 2}
_LPS = {"x": 0, "y": 1, "z": 2}


@dataclass(frozen=True)
class Roi:
    """A voxel box with inclusive index ranges; ``z=None`` means every slice.

    ``seed`` is the voxel (k, j, i) clicked to propose the box, if any; it is not part of
    the box's identity (equality, ``text``), so a box moved by hand is rebuilt without it.
    """

    y: Range
    x: Range
    z: Range | None = None
    seed: tuple[int, int, int] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        for name, r in (("z", self.z), ("y", self.y), ("x", self.x)):
            if r is None:
                continue
            lo, hi = int(r[0]), int(r[1])
            if lo > hi:
                raise InputError(f"ROI {name}={lo}:{hi}: start is after end")
            object.__setattr__(self, name, (lo, hi))
        if self.seed is not None:
            object.__setattr__(self, "seed", tuple(int(v) for v in self.seed))

    @property
    def text(self) -> str:
        """The ROI in the voxel syntax accepted by :func:`parse_roi`."""
        parts = [] if self.z is None else [f"z={self.z[0]}:{self.z[1]}"]
        return " ".join([*parts, f"y={self.y[0]}:{self.y[1]}", f"x={self.x[0]}:{self.x[1]}"])

    def resolve(self, shape: tuple[int, int, int]) -> tuple[Roi, tuple[str, ...]]:
        """Clip to an image of ``shape``; fill in ``z``.

        Returns the clipped ROI and a warning if it had to be clipped.

        Raises
        ------
        InputError
            If the ROI lies entirely outside the image.
        """
        ranges = (self.z if self.z is not None else (0, shape[0] - 1), self.y, self.x)
        clipped = []
        for name, (lo, hi), n in zip("zyx", ranges, shape, strict=True):
            if hi < 0 or lo > n - 1:
                raise InputError(
                    f"ROI {self.text}: {name}={lo}:{hi} is outside the image (0:{n - 1})"
                )
            clipped.append((max(lo, 0), min(hi, n - 1)))
        out = Roi(z=clipped[0], y=clipped[1], x=clipped[2], seed=self.seed)
        changed = [c != r for c, r in zip(clipped, ranges, strict=True)]
        warn = (f"ROI {self.text} clipped to the image: {out.text}",) if any(changed) else ()
        return out, warn

    @property
    def centre(self) -> tuple[int, int, int]:
        """The voxel at the middle of a resolved ROI (rounded down), (k, j, i)."""
        sl = self.slices
        return (
            (sl[0].start + sl[0].stop - 1) // 2,
            (sl[1].start + sl[1].stop - 1) // 2,
            (sl[2].start + sl[2].stop - 1) // 2,
        )

    @property
    def slices(self) -> tuple[slice, slice, slice]:
        """Array slices of a resolved ROI (``z`` must be set)."""
        if self.z is None:
            raise InputError(f"ROI {self.text} has no slice range; resolve it first")
        return (
            slice(self.z[0], self.z[1] + 1),
            slice(self.y[0], self.y[1] + 1),
            slice(self.x[0], self.x[1] + 1),
        )

    def expanded(self, margin: tuple[int, int, int]) -> Roi:
        """The box grown by ``margin`` voxels per axis (z, y, x); not clipped."""
        z = None if self.z is None else (self.z[0] - margin[0], self.z[1] + margin[0])
        return replace(
            self,
            z=z,
            y=(self.y[0] - margin[1], self.y[1] + margin[1]),
            x=(self.x[0] - margin[2], self.x[1] + margin[2]),
        )


def _mm_axis(letter: str, geometry: Geometry, text: str) -> tuple[int, float, float]:
    """(array axis, LPS offset, mm per index step) for an LPS letter on a near-aligned grid."""
    lps = _LPS[letter]
    m = geometry.matrix
    axis = int(np.argmax(np.abs(m[lps, :])))
    col = np.asarray(geometry.direction)[:, axis]
    if abs(col[lps]) < 0.95:
        raise InputError(
            f"ROI {text!r}: {letter} in mm needs an image axis along LPS {letter} "
            "(this series is oblique); use voxel indices"
        )
    return axis, geometry.origin[lps], float(m[lps, axis])


def _parse_fields(text: str) -> dict[str, tuple[float, float, bool]]:
    fields: dict[str, tuple[float, float, bool]] = {}
    for token in text.replace(",", " ").split():
        match = _FIELD.match(token.strip().lower())
        if match is None:
            raise InputError(
                f"ROI {text!r}: cannot read {token!r} (expected e.g. z=12, x=100:180 "
                "or x=-40:-10mm)"
            )
        letter, lo, hi, mm = match.groups()
        if letter in fields:
            raise InputError(f"ROI {text!r}: {letter} given twice")
        a = float(lo)
        b = float(hi) if hi is not None else a
        if not mm and (a != int(a) or b != int(b)):
            raise InputError(f"ROI {text!r}: voxel index {token!r} must be whole (add mm?)")
        fields[letter] = (a, b, bool(mm))
    return fields


def _to_index_range(
    letter: str, value: tuple[float, float, bool], geometry: Geometry, text: str
) -> tuple[int, Range]:
    lo, hi, mm = value
    if not mm:
        return _AXIS[letter], (int(lo), int(hi))
    axis, offset, step = _mm_axis(letter, geometry, text)
    a, b = sorted(((lo - offset) / step, (hi - offset) / step))
    return axis, (math.ceil(a - 0.5), math.floor(b + 0.5))


def parse_roi(text: str, geometry: Geometry) -> Roi:
    """Parse an ROI string (see the module docstring) for an image on ``geometry``.

    Raises
    ------
    InputError
        On a malformed field, a missing ``x`` or ``y``, or two fields on one axis.
    """
    ranges: dict[int, Range] = {}
    for letter, value in _parse_fields(text).items():
        axis, r = _to_index_range(letter, value, geometry, text)
        if axis in ranges:
            raise InputError(f"ROI {text!r}: two fields map to image axis {'zyx'[axis]}")
        ranges[axis] = r
    if 1 not in ranges or 2 not in ranges:
        raise InputError(f"ROI {text!r}: needs both x and y ranges")
    return Roi(z=ranges.get(0), y=ranges[1], x=ranges[2])


def parse_point(text: str, geometry: Geometry) -> tuple[int, int, int]:
    """Parse a click ``"z=12 y=150 x=140"`` (voxels, or mm with the suffix) into (k, j, i).

    Raises
    ------
    InputError
        If a coordinate is missing, is a range, or lies outside the image.
    """
    idx: dict[int, int] = {}
    for letter, value in _parse_fields(text).items():
        if value[0] != value[1]:
            raise InputError(f"click {text!r}: {letter} must be a single value, not a range")
        axis, (lo, _) = _to_index_range(letter, value, geometry, text)
        idx[axis] = lo
    if sorted(idx) != [0, 1, 2]:
        raise InputError(f"click {text!r}: needs z, y and x")
    point = (idx[0], idx[1], idx[2])
    for a, (p, n) in enumerate(zip(point, geometry.shape, strict=True)):
        if not 0 <= p < n:
            raise InputError(f"click {text!r}: {'zyx'[a]}={p} is outside the image (0:{n - 1})")
    return point
