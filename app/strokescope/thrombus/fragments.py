"""Fragments of one thrombus: components a few millimetres apart reported as one clot.

The fine stage's probability can dip below threshold inside a long clot (an ICA-terminus
clot read as ICA, M1 and M2 pieces). A reader measures such an occlusion from its proximal
to its distal end, so components whose surfaces come within ``gap_mm`` of each other
(patient space, single linkage) form one thrombus. Its voxels stay those segmented (volume
and HU are never padded); its length runs along a path that bridges each gap with the
straight segment between the two nearest voxels (a minimum spanning tree over the
fragments).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from strokescope.volume import Geometry

IndexArray = npt.NDArray[np.int64]

_FACES = np.array(
    [(1, 0, 0), (-1, 0, 0), (0, 1, 0), (0, -1, 0), (0, 0, 1), (0, 0, -1)], dtype=np.int64
)


def surface(index: IndexArray) -> IndexArray:
    """The voxels of ``index`` (k, 3) with a face-neighbour outside the set."""
    lo = index.min(0) - 1
    box = np.zeros(tuple(index.max(0) - lo + 2), dtype=bool)
    local = index - lo
    box[tuple(local.T)] = True
    inner = np.ones(len(index), dtype=bool)
    for off in _FACES:
        inner &= box[tuple((local + off).T)]
    return index[~inner]


def _nearest_pair(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64]) -> tuple[float, int, int]:
    """(distance, i, j) of the closest points ``a[i]``, ``b[j]`` (patient space, mm)."""
    best = (np.inf, 0, 0)
    rows = max(1, 2_000_000 // max(len(b), 1))  # ~50 MB of differences per block
    for start in range(0, len(a), rows):
        block = a[start : start + rows]
        d2 = ((block[:, None, :] - b[None, :, :]) ** 2).sum(-1)
        k = int(np.argmin(d2))
        i, j = divmod(k, d2.shape[1])
        if d2[i, j] < best[0] ** 2:
            best = (float(np.sqrt(d2[i, j])), start + i, j)
    return best


def _segment_voxels(p: IndexArray, q: IndexArray) -> IndexArray:
    """26-connected voxels on the straight segment from index ``p`` to ``q``."""
    n = int(np.abs(q - p).max()) * 2 + 1
    t = np.linspace(0.0, 1.0, n)[:, None]
    return np.unique(np.rint(p + t * (q - p)).astype(np.int64), axis=0)


def group(
    parts: Sequence[IndexArray], geometry: Geometry, gap_mm: float
) -> list[tuple[list[int], IndexArray]]:
    """Thrombi from fragments: ``[(part numbers, bridge voxels), ...]`` in order of first part.

    ``parts`` are index arrays (k, 3) on ``geometry``. A gap of 0 mm keeps every part apart.
    """
    n = len(parts)
    shells = [surface(p) for p in parts]
    lps = [geometry.index_to_lps(s.astype(float)) for s in shells]
    lo = [x.min(0) for x in lps]
    hi = [x.max(0) for x in lps]
    edges: list[tuple[float, int, int, IndexArray, IndexArray]] = []
    if gap_mm > 0:
        for i in range(n):
            for j in range(i + 1, n):
                box_gap = np.maximum(0.0, np.maximum(lo[i] - hi[j], lo[j] - hi[i]))
                if np.linalg.norm(box_gap) > gap_mm:
                    continue
                d, ai, bj = _nearest_pair(lps[i], lps[j])
                if d <= gap_mm:
                    edges.append((d, i, j, shells[i][ai], shells[j][bj]))
    root = list(range(n))

    def find(k: int) -> int:
        while root[k] != k:
            root[k] = root[root[k]]
            k = root[k]
        return k

    bridges: dict[int, list[IndexArray]] = {}
    for _, i, j, p, q in sorted(edges, key=lambda e: e[0]):  # Kruskal: a spanning tree
        ri, rj = find(i), find(j)
        if ri != rj:
            root[rj] = ri
            bridges.setdefault(ri, []).extend(bridges.pop(rj, []))
            bridges[ri].append(_segment_voxels(p, q))
    members: dict[int, list[int]] = {}
    for k in range(n):
        members.setdefault(find(k), []).append(k)
    out = []
    for r, ks in sorted(members.items(), key=lambda kv: kv[1][0]):
        segs = bridges.get(r, [])
        out.append((ks, np.concatenate(segs) if segs else np.zeros((0, 3), dtype=np.int64)))
    return out
