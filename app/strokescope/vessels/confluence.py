"""Where the basilar artery begins: the confluence of the vertebral arteries.

The paths from the vertebral roots to the two posterior cerebral arteries share a stretch
that runs from the basilar tip down to the root they both reach first, so down one
vertebral artery below the basilar. The basilar is the part of it above the confluence,
where the paths from the tip down to the two vertebral arteries part: the paths from the
tip to the first-reached root on each side of the midsagittal plane, marched in a box
round the stretch and the roots (``MARGIN_MM``), so at a small cost.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from strokescope.thrombus.anatomy import Plane
from strokescope.vessels.grid import WorkGrid
from strokescope.vessels.paths import UNREACHED, arc_mm, arrival_times, common_prefix, descend

I64 = npt.NDArray[np.int64]
MARGIN_MM = 10.0
"""The march from the tip runs in the box of the shared stretch and the roots grown by this."""
BASILAR_MIN_MM = 10.0
"""A confluence nearer the tip than this is no basilar's start (a root that is not a
vertebral artery, or paths that part at the tip); the shared stretch is kept whole."""


def basilar_part(
    grid: WorkGrid, plane: Plane, shared: I64, vertebral: tuple[I64, ...], *, stop: float
) -> I64:
    """The basilar: the part of the shared stretch ``shared`` (index path, lower end first,
    the basilar tip last) above the confluence of the vertebral arteries whose roots are
    ``vertebral`` (see the module); ``shared`` itself where the roots lie on one side of
    the plane only or the paths from the tip do not reach both sides."""
    g = grid.geometry
    if len(shared) < 2 or not vertebral:
        return shared
    seeds = np.stack(vertebral)
    side = np.sign(plane.signed_distance(g.index_to_lps(seeds.astype(float))))
    pad = int(np.ceil(MARGIN_MM / float(np.min(g.spacing))))
    both = np.vstack([shared, seeds])
    lo = np.maximum(both.min(0) - pad, 0)
    hi = np.minimum(both.max(0) + pad + 1, np.asarray(grid.speed.shape))
    window = tuple(slice(int(a), int(b)) for a, b in zip(lo, hi, strict=True))
    times = arrival_times(
        np.ascontiguousarray(grid.speed[window]), (shared[-1] - lo)[None], stop=stop
    )
    paths = []
    for s in (1.0, -1.0):
        local = seeds[side == s] - lo
        t = times[tuple(local.T)] if len(local) else np.zeros(0)
        if not (len(t) and t.min() < UNREACHED):
            return shared
        paths.append(descend(times, local[int(np.argmin(t))]) + lo)
    k = common_prefix(paths[0], paths[1])
    if k < 1:
        return shared
    start = int(np.argmin(((shared - paths[0][k - 1]) ** 2).sum(1)))
    if arc_mm(g.index_to_lps(shared[start:].astype(float)))[-1] < BASILAR_MIN_MM:
        return shared
    return shared[start:]
