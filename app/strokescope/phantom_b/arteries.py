"""The family B cerebral arteries and dural venous sinuses, built from jittered waypoints.

Every vessel is a Catmull-Rom spline through anatomical waypoints in the head frame (mm,
origin at the circle of Willis, x to patient left), each waypoint moved by a random offset,
with a radius that tapers linearly from ``r0`` to ``r1``. Children start on their parent's
centreline, so the tree is connected. Sinuses follow the inner table of the skull.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from strokescope.phantom_b.head import HeadShape, cavity_depth
from strokescope.phantom_b.tubes import Tube, arc_length, spline

F64 = npt.NDArray[np.float64]
SIDES = {"left": 1.0, "right": -1.0}


class _Builder:
    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.tubes: dict[str, Tube] = {}

    def add(
        self,
        name: str,
        waypoints: npt.ArrayLike,
        r0: float,
        r1: float,
        *,
        parent: str = "",
        start: F64 | None = None,
        jitter: float = 1.5,
    ) -> Tube:
        w = np.asarray(waypoints, dtype=float)
        w = w + self.rng.normal(0.0, jitter, size=w.shape)
        if start is not None:
            w = np.vstack([start, w])
        pts = spline(w)
        s = arc_length(pts)
        radii = r0 + (r1 - r0) * s / max(s[-1], 1e-6)
        tube = Tube(name, pts, radii, parent)
        self.tubes[name] = tube
        if parent:
            self.tubes[parent].children.append(name)
        return tube

    def link(self, name: str, a: F64, mid: F64, c: F64, r: float, parent: str = "") -> Tube:
        """A communicating artery whose two ends are fixed points on other vessels."""
        mid = mid + self.rng.normal(0.0, 0.8, size=3)
        pts = spline(np.array([a, mid, c]))
        tube = Tube(name, pts, np.full(len(pts), r), parent)
        self.tubes[name] = tube
        if parent:
            self.tubes[parent].children.append(name)
        return tube

    def at(self, name: str, frac: float) -> F64:
        t = self.tubes[name]
        return np.asarray(t.points[int(round(frac * (len(t.points) - 1)))])


def _side(b: _Builder, side: str, u: F64) -> None:
    """ICA, M1, M2/M3, A1, A2, P1/P2 and Pcom of one side; ``u`` are its random radii."""
    s, x = SIDES[side], side[0].upper()
    ica = _carotid_mca(b, s, x, u)
    _aca_pca(b, s, x, u, ica)


def _carotid_mca(b: _Builder, s: float, x: str, u: F64) -> Tube:
    """ICA, M1 and the M2/M3 branches of the side with sign ``s`` and letter ``x``."""
    ica = b.add(
        f"ICA_{x}",
        [
            (s * 21, 8, -66),
            (s * 23, 8, -46),
            (s * 23, 6, -34),
            (s * 18, -4, -29),
            (s * 15, -8, -22),
            (s * 15, -9, -16),
            (s * 15, -18, -15),
            (s * 14, -23, -10),
            (s * 13, -19, -4.5),
            (s * 13, -12, -3),
            (s * 14, -6, 0),
        ],
        u[0],
        0.9 * u[0],
        jitter=1.0,
    )
    term = ica.points[-1]
    m1_len = b.rng.uniform(15.0, 25.0)
    bif = term + np.array([s * m1_len * 0.95, 3.0, 3.0])
    m1 = b.add(
        f"M1_{x}",
        [term + [s * 6, 0.5, 0.5], (bif + term) / 2, bif],
        u[1],
        0.85 * u[1],
        parent=ica.name,
        start=term,
        jitter=1.0,
    )
    end = m1.points[-1]
    n_m2 = 3 if b.rng.random() < 0.3 else 2
    routes = [
        [(5, 0, 5), (8, 6, 14), (9, 15, 25), (11, 26, 34)],
        [(5, 3, 1), (8, 10, 4), (9, 20, 9), (11, 33, 13)],
        [(6, 1, 3), (9, 9, 9), (10, 19, 17), (12, 30, 24)],
    ]
    for k in range(n_m2):
        wp = [end + np.array([s * dx, dy, dz]) for dx, dy, dz in routes[k]]
        m2 = b.add(f"M2{'abc'[k]}_{x}", wp, u[2 + k % 2], 0.6, parent=m1.name, start=end)
        for f in (0.55, 1.0):
            p = b.at(m2.name, f)
            tip = np.array([s * 58.0, p[1] + b.rng.uniform(0, 12), p[2] + b.rng.uniform(0, 10)])
            b.add(
                f"M3{'abc'[k]}{int(f * 10)}_{x}",
                [(p + tip) / 2, tip],
                0.6,
                0.45,
                parent=m2.name,
                start=p,
                jitter=2.0,
            )
    return ica


def _aca_pca(b: _Builder, s: float, x: str, u: F64, ica: Tube) -> None:
    """A1, A2, P1, P2, Pcom and SCA of the side with sign ``s`` and letter ``x``."""
    term = ica.points[-1]
    a1 = b.add(
        f"A1_{x}",
        [(s * 8, -12, 2), (s * 1.5, -16, 3)],
        u[4],
        0.9 * u[4],
        parent=ica.name,
        start=term,
        jitter=0.8,
    )
    b.add(
        f"A2_{x}",
        [
            (s * 2, -22, 10),
            (s * 2.5, -27, 22),
            (s * 2.5, -25, 33),
            (s * 2.5, -14, 41),
            (s * 2.5, 4, 46),
            (s * 2.5, 25, 45),
        ],
        1.0,
        0.7,
        parent=a1.name,
        start=a1.points[-1],
        jitter=1.0,
    )
    top = b.tubes["BA"].points[-1]
    p1 = b.add(
        f"P1_{x}",
        [(s * 6, 5, -3), (s * 11, 6, -2)],
        u[5],
        0.9 * u[5],
        parent="BA",
        start=top,
        jitter=0.6,
    )
    b.add(
        f"P2_{x}",
        [(s * 18, 12, 0), (s * 21, 22, 2), (s * 18, 36, 4), (s * 14, 52, 6)],
        0.9,
        0.6,
        parent=p1.name,
        start=p1.points[-1],
    )
    a, c = b.at(ica.name, 0.93), p1.points[-1]
    b.link(f"Pcom_{x}", a, (a + c) / 2 + [s * 1.5, 0, -1], c, u[6], ica.name)
    b.add(
        f"SCA_{x}",
        [(s * 9, 8, -8), (s * 16, 16, -9), (s * 18, 28, -12)],
        0.6,
        0.45,
        parent="BA",
        start=b.at("BA", 0.92),
        jitter=1.0,
    )


def build_arteries(rng: np.random.Generator) -> dict[str, Tube]:
    """All arteries of one case, keyed by name (ICA_L, M1_R, M2a_L, A1_L, BA, P2_R, ...)."""
    b = _Builder(rng)
    ba_r = rng.uniform(1.5, 1.8)
    for x, s in (("L", 1.0), ("R", -1.0)):
        b.add(
            f"VA_{x}",
            [(s * 12, 26, -66), (s * 9, 23, -52), (s * 4, 17, -44), (0, 13, -40)],
            rng.uniform(1.4, 1.8),
            1.5,
            jitter=1.0,
        )
    b.add(
        "BA",
        [(0, 11, -32), (0, 8, -20), (0, 6, -10), (0, 5, -4)],
        ba_r,
        0.85 * ba_r,
        start=b.tubes["VA_L"].points[-1],
        jitter=0.8,
    )
    for side in SIDES:
        u = np.array(
            [
                rng.uniform(2.0, 2.5),  # ICA
                rng.uniform(1.3, 1.6),  # M1
                rng.uniform(0.9, 1.2),  # M2
                rng.uniform(0.9, 1.2),
                rng.uniform(0.9, 1.2),  # A1
                rng.uniform(0.9, 1.2),  # P1
                rng.uniform(0.4, 0.9),  # Pcom
            ]
        )
        _side(b, side, u)
    a, c = b.tubes["A1_L"].points[-1], b.tubes["A1_R"].points[-1]
    b.link("Acom", a, (a + c) / 2 + [0, -0.5, 0], c, rng.uniform(0.6, 0.9))
    return b.tubes


def _to_surface(shape: HeadShape, origin: F64, dirs: F64, inset: F64) -> F64:
    """Points ``inset`` mm inside the inner table along rays ``origin + t * dirs``."""
    dirs = dirs / np.linalg.norm(dirs, axis=1, keepdims=True)
    lo, hi = np.zeros(len(dirs)), np.full(len(dirs), 160.0)
    for _ in range(30):
        mid = (lo + hi) / 2
        p = (origin + mid[:, None] * dirs).astype(np.float32)
        sd = cavity_depth(shape, p[:, 0], p[:, 1], p[:, 2])[0]
        lo, hi = np.where(sd < 0, mid, lo), np.where(sd < 0, hi, mid)
    return origin + (lo - inset)[:, None] * dirs


def build_sinuses(shape: HeadShape, rng: np.random.Generator) -> dict[str, Tube]:
    """Superior sagittal, straight, transverse and sigmoid sinuses and the jugular bulbs."""
    c = np.asarray(shape.center)
    out: dict[str, Tube] = {}
    ang = np.deg2rad(np.linspace(-65.0, 102.0, 18))  # from the frontal pole over the top
    dirs = np.stack([np.zeros_like(ang), np.sin(ang), np.cos(ang)], axis=1)
    r_sss = np.linspace(1.6, 3.8, len(ang))
    sss = _to_surface(shape, c, dirs, r_sss + 0.6)
    torcula = sss[-1]
    out["SSS"] = Tube(
        "SSS", spline(sss), np.interp(np.linspace(0, 1, len(spline(sss))), [0, 1], [1.6, 3.8])
    )
    st = spline([(0, 28, 6), (0, 45, 0), (0, 65, -5), torcula])
    out["SS"] = Tube("SS", st, np.full(len(st), 2.4))
    for x, s in (("L", 1.0), ("R", -1.0)):
        big = rng.uniform(3.2, 4.5)
        az = np.deg2rad(np.linspace(8.0, 62.0, 7))
        d = np.stack([s * np.sin(az), np.cos(az), np.zeros_like(az)], axis=1)
        rim = _to_surface(shape, np.array([0.0, c[1], -14.0]), d, np.full(len(az), big + 0.5))
        wp = np.vstack([torcula, rim, [s * 40, 22, -34], [s * 30, 15, -46], [s * 26, 13, -66]])
        pts = spline(wp + rng.normal(0, 0.6, size=wp.shape) * (np.arange(len(wp)) > 0)[:, None])
        out[f"TS_{x}"] = Tube(f"TS_{x}", pts, np.linspace(big * 0.85, big * 1.15, len(pts)))
    return out
