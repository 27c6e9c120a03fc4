"""Length and diameter of a tubular clot: geodesic centerline on the voxel graph (numpy only).

Length (mm, end to end along the centerline), robust for straight and curved clots and for
anisotropic or sheared grids:

1. Voxels of the component are nodes; 26-neighbours are joined by edges weighted with their
   patient-space distance (``Geometry.matrix``), so spacing is honoured.
2. Double-sweep Dijkstra: the voxel farthest from an arbitrary start is one end ``A``; the
   voxel geodesically farthest from ``A`` is the other end ``B``.
3. Voxels are binned by geodesic distance from ``A`` (bins of ``max(1 mm, 2 voxels)``),
   leaving out one mean radius at each end (near a rim point the level sets are caps, not
   cross-sections); the bins' centroids form the centerline, which ignores the rim-to-rim
   diagonal of the end-point pair; a 3-point moving average smooths their zig-zag.
4. Length = centerline polyline + at each end the extent of the voxels beyond the end
   centroid along the end tangent + half a voxel (voxel centres lie half a voxel inside).

Maximum diameter = twice (the largest distance from an inside voxel centre to the surface
voxels, SimpleITK signed Maurer distance in mm, plus one voxel), over the component.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import SimpleITK as sitk

from strokescope.io.sitk_convert import mask_to_sitk
from strokescope.volume import Geometry, Mask

_OFFSETS = np.array(
    [
        (dz, dy, dx)
        for dz in (-1, 0, 1)
        for dy in (-1, 0, 1)
        for dx in (-1, 0, 1)
        if (dz, dy, dx) > (0, 0, 0)
    ],
    dtype=np.int64,
)


@dataclass(frozen=True, eq=False)
class Centerline:
    """Centerline of one component: points (n, 3) LPS mm, length and end-to-end ends."""

    points: npt.NDArray[np.float64]
    length_mm: float
    tangents: npt.NDArray[np.float64]
    """(n, 3) unit tangent at each point (patient space)."""


def _graph(
    index: npt.NDArray[np.int64], matrix: npt.NDArray[np.float64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """CSR adjacency (indptr, neighbours, weights in mm) of 26-connected voxels."""
    lo = index.min(0)
    local = index - lo + 1
    lut = -np.ones(tuple(local.max(0) + 2), dtype=np.int64)
    lut[tuple(local.T)] = np.arange(len(index))
    src, dst, wts = [], [], []
    for off in _OFFSETS:
        nb = lut[tuple((local + off).T)]
        ok = nb >= 0
        a = np.nonzero(ok)[0]
        b = nb[ok]
        w = float(np.linalg.norm(matrix @ off))
        src += [a, b]
        dst += [b, a]
        wts += [np.full(len(a), w), np.full(len(a), w)]
    s = np.concatenate(src) if src else np.zeros(0, np.int64)
    d = np.concatenate(dst) if dst else np.zeros(0, np.int64)
    w_all = np.concatenate(wts) if wts else np.zeros(0)
    order = np.argsort(s, kind="stable")
    indptr = np.concatenate([[0], np.cumsum(np.bincount(s, minlength=len(index)))])
    return indptr, d[order], w_all[order]


def _dijkstra(
    indptr: npt.NDArray[np.int64],
    neighbours: npt.NDArray[np.int64],
    weights: npt.NDArray[np.float64],
    source: int,
) -> npt.NDArray[np.float64]:
    dist = np.full(len(indptr) - 1, np.inf)
    dist[source] = 0.0
    heap = [(0.0, source)]
    nb_list = neighbours.tolist()
    w_list = weights.tolist()
    ptr = indptr.tolist()
    dl = dist.tolist()
    while heap:
        d, u = heapq.heappop(heap)
        if d > dl[u]:
            continue
        for k in range(ptr[u], ptr[u + 1]):
            v = nb_list[k]
            nd = d + w_list[k]
            if nd < dl[v]:
                dl[v] = nd
                heapq.heappush(heap, (nd, v))
    return np.asarray(dl)


def _principal_axis(points: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    centred = points - points.mean(0)
    if len(points) < 2:
        return np.array([1.0, 0.0, 0.0])
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    return np.asarray(vt[0], dtype=float)


def _half_voxel(matrix: npt.NDArray[np.float64], direction: npt.NDArray[np.float64]) -> float:
    """Half the voxel's extent along a unit patient-space direction."""
    steps = np.linalg.solve(matrix, direction)  # index step per mm along direction
    return 0.5 / float(np.abs(steps).max()) if np.any(steps) else 0.0


def distance_from_end(index: npt.NDArray[np.int64], geometry: Geometry) -> npt.NDArray[np.float64]:
    """Geodesic distance (mm, through the component) of each voxel of ``index`` (n, 3, one
    connected component of two or more voxels) from one end: the voxel farthest, through
    the component, from the voxel farthest from its centroid."""
    matrix = geometry.matrix
    pts = geometry.index_to_lps(index.astype(float))
    indptr, nbs, wts = _graph(index, matrix)
    start = int(np.argmax(np.linalg.norm(pts - pts.mean(0), axis=1)))
    d0 = _dijkstra(indptr, nbs, wts, start)
    a = int(np.argmax(np.where(np.isfinite(d0), d0, -1)))
    da = _dijkstra(indptr, nbs, wts, a)
    return np.where(np.isfinite(da), da, 0.0)


def centerline(index: npt.NDArray[np.int64], geometry: Geometry) -> Centerline:
    """Centerline of the voxels ``index`` (n, 3) of one connected component."""
    matrix = geometry.matrix
    pts = geometry.index_to_lps(index.astype(float))
    if len(index) == 1:
        return Centerline(pts, 2 * _half_voxel(matrix, np.array([1.0, 0, 0])), np.eye(3)[:1])
    da = distance_from_end(index, geometry)
    width = max(1.0, 2.0 * float(np.max(geometry.spacing)))
    span = float(da.max())
    radius = np.sqrt(len(index) * geometry.voxel_volume_mm3 / (np.pi * max(span, 1e-6)))
    keep = (da >= radius) & (da <= span - radius)  # end caps: level sets are not sections
    bins = np.floor((da - radius) / width).astype(np.int64)
    centres = [pts[keep & (bins == b)].mean(0) for b in np.unique(bins[keep])]
    cl = np.asarray(centres).reshape(-1, 3)
    if len(cl) < 2:
        axis = _principal_axis(pts)
        proj = (pts - pts.mean(0)) @ axis
        length = float(proj.max() - proj.min()) + 2 * _half_voxel(matrix, axis)
        return Centerline(pts.mean(0)[None], length, axis[None])
    if len(cl) > 3:  # a 3-point moving average removes the zig-zag of the bin centroids
        cl = np.vstack([cl[:1], (cl[:-2] + cl[1:-1] + cl[2:]) / 3.0, cl[-1:]])
    seg = np.diff(cl, axis=0)
    tangents = seg / np.maximum(np.linalg.norm(seg, axis=1, keepdims=True), 1e-9)
    t_pts = np.vstack([tangents, tangents[-1:]])
    length = float(np.linalg.norm(seg, axis=1).sum())
    for end, t in ((cl[0], -tangents[0]), (cl[-1], tangents[-1])):
        length += max(0.0, float(((pts - end) @ t).max())) + _half_voxel(matrix, t)
    return Centerline(cl, length, t_pts)


def mean_radius_mm(volume_mm3: float, line: Centerline) -> float:
    """Radius of the cylinder of the component's volume and centerline length (>= 1 mm)."""
    return float(np.sqrt(volume_mm3 / (np.pi * max(line.length_mm, 1.0))))


def max_diameter(mask: Mask) -> float:
    """Twice (the largest inside distance to the surface voxels + one voxel), in mm."""
    if not mask.array.any():
        return 0.0
    padded = np.pad(mask.array, 1)
    geom = Geometry(
        padded.shape, mask.geometry.spacing, mask.geometry.origin, mask.geometry.direction
    )
    dist = sitk.SignedMaurerDistanceMap(
        mask_to_sitk(Mask(padded, geom)),
        insideIsPositive=True,
        squaredDistance=False,
        useImageSpacing=True,
    )
    inside = sitk.GetArrayViewFromImage(dist)[padded]
    return float(2.0 * (max(float(inside.max()), 0.0) + min(mask.geometry.spacing)))
