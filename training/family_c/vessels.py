"""Painting the artery tree: walls, wall calcification, lumens, aneurysm sacs, then the clot.

Each pass covers every segment before the next begins, so a child's wall never shows
inside its parent's lumen, and the clot, painted last, is exactly what the label says.
"""

from __future__ import annotations

import numpy as np

from training.family_c.arteries import Segment
from training.family_c.clot import VesselValues
from training.family_c.fields import F32, F64, Grid, Pose, pv
from training.family_c.mimics import Mimics
from training.family_c.options import VesselOptions
from training.family_c.render import I64, Tube, paint, paint_dense, tube


def wall_mm(radius: F64) -> F64:
    """Wall thickness: thin, a little thicker on large arteries."""
    return np.asarray(0.12 * radius + 0.1, dtype=float)


def render_arteries(
    ncct: F32,
    cta: F32,
    grid: Grid,
    pose: Pose,
    segments: list[Segment],
    values: VesselValues,
    vessels: VesselOptions,
    mimics: Mimics,
) -> tuple[I64, F32]:
    """Paint the tree onto flat NCCT/CTA views; returns the clot's voxels and fractions."""
    h = grid.spacing[0]
    tubes: list[Tube] = []
    for i, seg in enumerate(segments):
        outer = seg.radius + wall_mm(seg.radius)
        reach = float(max(outer.max(), values.clot_radius[i].max())) + h
        found = tube(grid, pose.to_world(seg.points), reach)
        tubes.append(found)
        frac = pv(outer[found.nearest] - found.dist, h)
        paint(ncct, found.idx, frac, vessels.wall_hu)
        paint(cta, found.idx, frac, vessels.wall_hu + vessels.wall_enhancement_hu)
    paint_dense(ncct, cta, grid, pose, mimics.plaques)
    for i, (seg, found) in enumerate(zip(segments, tubes, strict=True)):
        frac = pv(seg.radius[found.nearest] - found.dist, h)
        paint(ncct, found.idx, frac, values.ncct[i][found.nearest])
        paint(cta, found.idx, frac, values.cta[i][found.nearest])
    paint_dense(ncct, cta, grid, pose, mimics.sacs)
    clot_idx: list[I64] = []
    clot_frac: list[F32] = []
    for i, found in enumerate(tubes):
        if not values.clot_radius[i].any():
            continue
        rc = values.clot_radius[i][found.nearest]
        frac = pv(rc - found.dist, h) * (rc > 0)
        keep = frac > 0
        paint(ncct, found.idx[keep], frac[keep], values.clot_ncct_hu)
        paint(cta, found.idx[keep], frac[keep], values.clot_cta_hu)
        clot_idx.append(found.idx[keep])
        clot_frac.append(frac[keep].astype(np.float32))
    if not clot_idx:
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    return np.concatenate(clot_idx), np.concatenate(clot_frac)
