"""Display-only array operations: plane extraction, slab MIP, overlay RGBA, mask outlines.

No image processing happens here, only what a viewer needs to put pixels on screen. Planes
keep the array's (z, y, x) axis order: axial planes are (y, x), coronal (z, x), sagittal (z, y).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from strokescope.volume import Geometry


@dataclass(frozen=True)
class Orientation:
    """A view plane: the array axis it cuts (``normal``) and the axes shown as rows/columns."""

    name: str
    normal: int
    row_axis: int
    col_axis: int


AXIAL = Orientation("axial", 0, 1, 2)
CORONAL = Orientation("coronal", 1, 0, 2)
SAGITTAL = Orientation("sagittal", 2, 0, 1)
ORIENTATIONS = (AXIAL, CORONAL, SAGITTAL)
SLICE_NUMBERING = "slice numbers are 0-based voxel indices, as in --roi"


def slice_title(name: str, index: int, count: int) -> str:
    """A view title such as ``Axial  slice 12 (0-319)``: the 0-based voxel index (the number
    ``strokescope ht --roi z=12`` takes) and the index range of the axis."""
    return f"{name.capitalize()}  slice {index} (0-{count - 1})"


def slab_range(index: int, count: int, size: int) -> tuple[int, int]:
    """Half-open range of ``count`` slices centred on ``index``, kept inside ``0..size``."""
    count = max(1, min(count, size))
    start = min(max(index - count // 2, 0), size - count)
    return start, start + count


def plane(
    array: npt.NDArray[np.generic], orient: Orientation, index: int, *, slab: int = 1
) -> npt.NDArray[np.generic]:
    """The 2-D plane ``index`` along ``orient.normal`` (a maximum over ``slab`` slices if > 1)."""
    size = array.shape[orient.normal]
    index = min(max(index, 0), size - 1)
    if slab <= 1:
        return np.take(array, index, axis=orient.normal)
    lo, hi = slab_range(index, slab, size)
    block = np.take(array, np.arange(lo, hi), axis=orient.normal)
    out: npt.NDArray[np.generic] = block.max(axis=orient.normal)
    return out


def slab_slices(geometry: Geometry, orient: Orientation, slab_mm: float) -> int:
    """How many slices of ``geometry`` along the view normal make a ``slab_mm`` slab."""
    return max(1, round(slab_mm / geometry.spacing[orient.normal]))


def outline(mask: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
    """Boundary pixels of a 2-D mask (pixels with a 4-neighbour outside it)."""
    m = np.asarray(mask, dtype=bool)
    inner = m.copy()
    inner[1:, :] &= m[:-1, :]
    inner[:-1, :] &= m[1:, :]
    inner[:, 1:] &= m[:, :-1]
    inner[:, :-1] &= m[:, 1:]
    out: npt.NDArray[np.bool_] = m & ~inner
    return out


def overlay_rgba(
    planes: Mapping[str, npt.NDArray[np.generic]],
    colors: Mapping[str, tuple[int, int, int]],
    *,
    opacity: float,
    outlined: tuple[str, ...] = ("brain",),
    palettes: Mapping[str, Mapping[int, tuple[int, int, int]]] | None = None,
) -> npt.NDArray[np.uint8] | None:
    """RGBA image of the given 2-D mask planes (later names drawn on top); ``None`` if empty.

    A plane named in ``palettes`` holds codes (0 outside), each drawn in its own colour."""
    shape = next((p.shape for p in planes.values()), None)
    if shape is None:
        return None
    rgba = np.zeros((*shape, 4), np.uint8)
    alpha = int(round(255 * min(max(opacity, 0.0), 1.0)))
    drawn = False
    for name, mask in planes.items():
        palette = (palettes or {}).get(name)
        if palette is not None:
            m = np.isin(mask, list(palette))
        else:
            m = outline(mask.astype(bool)) if name in outlined else mask.astype(bool)
        if not m.any():
            continue
        drawn = True
        if palette is None:
            rgba[m, :3] = colors[name]
        for code, rgb in (palette or {}).items():
            rgba[mask == code, :3] = rgb
        rgba[m, 3] = 230 if name in outlined else alpha
    return rgba if drawn else None


def axis_flips(geometry: Geometry) -> tuple[bool, bool, bool]:
    """Whether array axes (z, y, x) run against their usual LPS direction.

    The usual axial head CT runs slices feet->head (+z), rows anterior->posterior (+y) and
    columns right->left (+x), which displays in radiological convention (patient left on the
    image right, anterior up, head up) without flips.
    """
    d = np.asarray(geometry.direction)
    return (bool(d[2, 0] < 0), bool(d[1, 1] < 0), bool(d[0, 2] < 0))
