"""Each thrombus's own voxels in a :class:`~strokescope.thrombus.result.ThrombusResult`.

The result keeps one mask, the union of its thrombi; a thrombus is the connected component
of that mask (26-connected, as the analysis labels them) whose centroid lies nearest the
thrombus's own. Two thrombi that touch share one component.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from strokescope.thrombus.candidate_mask import component_indices
from strokescope.thrombus.result import ThrombusResult

I64 = npt.NDArray[np.int64]


def thrombus_voxels(result: ThrombusResult) -> list[I64]:
    """CTA-grid indices (n, 3; z, y, x) of each thrombus of ``result``, in its order."""
    if not result.thrombi:
        return []
    parts = component_indices(result.mask.array, np.zeros(3, dtype=np.int64))
    if not parts:
        return [np.zeros((0, 3), dtype=np.int64) for _ in result.thrombi]
    geometry = result.mask.geometry
    centroids = np.array([geometry.index_to_lps(p.mean(0)) for p in parts])
    out = []
    for th in result.thrombi:
        k = int(np.argmin(np.linalg.norm(centroids - np.asarray(th.centroid_lps), axis=1)))
        out.append(parts[k])
    return out
