"""Centripetal Catmull-Rom centerlines resampled at a fixed arc-length step."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

STEP_MM = 0.5


def catmull_rom(control: npt.ArrayLike, step: float = STEP_MM) -> tuple[np.ndarray, np.ndarray]:
    """Centripetal Catmull-Rom curve through ``control`` resampled every ``step`` mm.

    Returns the points and the arc length at each control point.
    """
    c = np.asarray(control, dtype=float)
    ext = np.vstack([2 * c[0] - c[1], c, 2 * c[-1] - c[-2]])
    dense, knots_at = [], [0]
    for i in range(1, len(ext) - 2):
        p0, p1, p2, p3 = ext[i - 1 : i + 3]
        t0 = 0.0
        t1 = t0 + np.linalg.norm(p1 - p0) ** 0.5 + 1e-9
        t2 = t1 + np.linalg.norm(p2 - p1) ** 0.5 + 1e-9
        t3 = t2 + np.linalg.norm(p3 - p2) ** 0.5 + 1e-9
        n = max(8, int(np.linalg.norm(p2 - p1) / 0.1))
        t = np.linspace(t1, t2, n, endpoint=False)[:, None]
        a1 = (t1 - t) / (t1 - t0) * p0 + (t - t0) / (t1 - t0) * p1
        a2 = (t2 - t) / (t2 - t1) * p1 + (t - t1) / (t2 - t1) * p2
        a3 = (t3 - t) / (t3 - t2) * p2 + (t - t2) / (t3 - t2) * p3
        b1 = (t2 - t) / (t2 - t0) * a1 + (t - t0) / (t2 - t0) * a2
        b2 = (t3 - t) / (t3 - t1) * a2 + (t - t1) / (t3 - t1) * a3
        dense.append((t2 - t) / (t2 - t1) * b1 + (t - t1) / (t2 - t1) * b2)
        knots_at.append(knots_at[-1] + n)
    pts = np.vstack([*dense, c[-1:]])
    arc = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(pts, axis=0), axis=1))])
    s = np.arange(0.0, arc[-1], step)
    s = np.append(s, arc[-1]) if arc[-1] - s[-1] > 1e-6 else s
    out = np.stack([np.interp(s, arc, pts[:, m]) for m in range(3)], axis=1)
    return out, arc[np.asarray(knots_at)]


def arc_length(points: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Cumulative arc length (mm) along a polyline, 0 at the first point."""
    steps = np.linalg.norm(np.diff(points, axis=0), axis=1)
    return np.concatenate([[0.0], np.cumsum(steps)])
