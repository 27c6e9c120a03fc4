"""The artery tree: smooth random polylines with a radius per point.

Grown from a few landmarks of the head (the skull-base floor, the posterior fossa): two
internal-carotid-like trunks rising through the skull base with a siphon-like bend, each
ending in a middle-cerebral-like trunk (which splits into 2-3 branches running up and out)
and an anterior-like branch running medially, forward and over the top; a basilar-like
midline trunk in front of the posterior fossa splitting into two posterior branches;
optional connecting segments; then small side branches off every trunk. Courses are cubic
splines through jittered control points (tortuosity), radii taper, calibre is scaled per
case, and one branch may be hypoplastic or absent.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.interpolate import CubicSpline

from training.family_c.fields import F64, Ellipsoid, frame_along
from training.family_c.head import HeadShape
from training.family_c.options import VesselOptions

KINDS = ("ica", "mca_trunk", "mca_branch", "aca", "basilar", "posterior", "small")


@dataclass
class Segment:
    """One artery segment: head-frame points (n, 3) spaced evenly, radius (n,) in mm."""

    kind: str
    side: int
    points: F64
    radius: F64
    parent: int = -1
    attach: int = 0

    @property
    def arc(self) -> F64:
        steps = np.linalg.norm(np.diff(self.points, axis=0), axis=1)
        return np.concatenate([[0.0], np.cumsum(steps)])

    @property
    def length(self) -> float:
        return float(self.arc[-1])


def smooth_curve(ctrl: F64, step: float, rng: np.random.Generator, wiggle: float) -> F64:
    """Points every ``step`` mm along a cubic spline through jittered control points."""
    c = np.asarray(ctrl, float)
    if wiggle > 0 and len(c) > 1:
        mids = (c[:-1] + c[1:]) / 2
        both = np.empty((2 * len(c) - 1, 3))
        both[0::2], both[1::2] = c, mids
        jitter = rng.normal(0.0, wiggle, (len(both), 3))
        jitter[0] = jitter[-1] = 0.0
        c = both + jitter
    chord = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(c, axis=0), axis=1))])
    keep = np.concatenate([[True], np.diff(chord) > 1e-6])
    c, chord = c[keep], chord[keep]
    if len(c) < 2:
        return c
    spline = CubicSpline(chord, c, bc_type="natural")
    dense = spline(np.linspace(0, chord[-1], 20 * len(c) + 50))
    arc = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(dense, axis=0), axis=1))])
    n = max(int(arc[-1] / step) + 1, 2)
    at = np.linspace(0, arc[-1], n)
    return np.stack([np.interp(at, arc, dense[:, a]) for a in range(3)], axis=1)


class TreeBuilder:
    """Grows the tree into ``self.segments`` (parents always before their children)."""

    def __init__(
        self, opts: VesselOptions, head: HeadShape, rng: np.random.Generator, step: float
    ) -> None:
        self.opts, self.head, self.rng, self.step = opts, head, rng, step
        self.s = head.scale
        self.wiggle = (0.4 + 2.5 * opts.tortuosity) * self.s
        self.segments: list[Segment] = []

    def u(self, lo: float, hi: float) -> float:
        return float(self.rng.uniform(lo, hi))

    def factor(self, kind: str, side: int) -> float:
        o = self.opts
        return o.asymmetry_factor if (o.asymmetry == kind and o.asymmetry_side == side) else 1.0

    def add(
        self,
        kind: str,
        side: int,
        ctrl: list[F64],
        r0: float,
        r1: float,
        parent: int = -1,
        attach: int = -1,
    ) -> int:
        """Add a segment (radii in mm before calibre and asymmetry); returns its index."""
        pts = smooth_curve(np.asarray(ctrl), self.step, self.rng, self.wiggle)
        scale = self.opts.calibre * self.factor(kind, side)
        radius = np.linspace(r0, r1, len(pts)) * scale
        if attach < 0 and parent >= 0:
            attach = len(self.segments[parent].points) - 1
        self.segments.append(Segment(kind, side, pts, radius, parent, max(attach, 0)))
        return len(self.segments) - 1

    def ica(self, side: int) -> int:
        s, z0, u = self.s, self.head.floor_z0, self.u
        x0 = side * u(12, 25) * s
        y0 = u(-2, 6) * s
        j = [u(-2, 2) * s for _ in range(6)]
        ctrl = [
            np.array([x0, y0 + 5 * s, z0 - 30 * s]),
            np.array([x0 + j[0], y0 + 3 * s, z0 - 16 * s]),
            np.array([x0 + j[1], y0 - 3 * s + j[2], z0 - 8 * s]),
            np.array([x0 + j[3], y0 - 12 * s, z0 - 5 * s + j[4]]),
            np.array([x0, y0 - 16 * s, z0 + 1 * s]),
            np.array([x0 * 0.95, y0 - 12 * s, z0 + 6 * s + j[5]]),
            np.array([x0 * 0.9, y0 - u(5, 9) * s, z0 + u(9, 13) * s]),
        ]
        return self.add("ica", side, ctrl, u(1.8, 2.4), u(1.5, 1.9))

    def mca(self, side: int, ica: int) -> None:
        s, u = self.s, self.u
        top = self.segments[ica].points[-1]
        end = top + np.array([side * u(15, 30), u(-4, 4), u(0, 5)]) * s
        mid = (top + end) / 2 + np.array([0, u(-2, 2), u(-1, 3)]) * s
        trunk = self.add("mca_trunk", side, [top, mid, end], u(1.1, 1.8), u(1.0, 1.4), ica)
        n = int(self.rng.integers(2, 4))
        if self.opts.asymmetry == "mca_branch" and self.opts.asymmetry_side == side:
            n -= self.opts.asymmetry_factor == 0.0
        for y in np.linspace(-0.8, 0.8, n) + self.rng.normal(0, 0.15, n):
            direction = np.array([side * 1.0, y, u(0.4, 1.2)])
            direction /= np.linalg.norm(direction)
            length = max(self.head.reach(end, direction, 65 * s, 6 * s), 12 * s)
            bend = np.array([0, u(-4, 4), u(-2, 6)]) * s
            ctrl = [end, end + direction * length * 0.4 + bend, end + direction * length]
            self.add("mca_branch", side, ctrl, u(0.7, 1.2), u(0.45, 0.6), trunk)

    def aca(self, side: int, ica: int) -> None:
        if self.factor("aca", side) == 0.0:
            return
        s, u = self.s, self.u
        t = self.segments[ica].points[-1]
        x = side * u(2.0, 3.5) * s
        ctrl = [
            t,
            np.array([x * 1.5, t[1] - 6 * s, t[2] + 3 * s]),
            np.array([x, t[1] - u(14, 20) * s, t[2] + u(12, 18) * s]),
            np.array([x, t[1] - u(18, 26) * s, t[2] + u(30, 40) * s]),
            np.array([x, t[1] - u(0, 10) * s, t[2] + u(45, 55) * s]),
            np.array([x, t[1] + u(15, 30) * s, t[2] + u(50, 60) * s]),
        ]
        # keep the arch inside the cranial cavity
        ctrl = [
            p if self.head.brain_margin(p) > 4 * s or i < 2 else self._pull_in(p)
            for i, p in enumerate(ctrl)
        ]
        self.add("aca", side, ctrl, u(0.9, 1.3), u(0.5, 0.7), ica)

    def _pull_in(self, p: F64) -> F64:
        centre = np.array([0.0, 0.0, self.head.floor_z0 + 25 * self.s])
        q = p.copy()
        for _ in range(40):
            if self.head.brain_margin(q) > 4 * self.s:
                break
            q = centre + (q - centre) * 0.95
        return q

    def basilar(self) -> int:
        s, u, z0 = self.s, self.u, self.head.floor_z0
        xb = u(-2, 2) * s
        yb = self.head.fossa_y - u(10, 18) * s
        ctrl = [
            np.array([xb, yb + 3 * s, z0 - 30 * s]),
            np.array([xb + u(-2, 2) * s, yb, z0 - 14 * s]),
            np.array([xb + u(-2, 2) * s, yb - 2 * s, z0 + u(2, 6) * s]),
        ]
        return self.add("basilar", 0, ctrl, u(1.2, 2.0), u(1.1, 1.6))

    def posterior(self, side: int, basilar: int) -> int:
        if self.factor("posterior", side) == 0.0:
            return -1
        s, u = self.s, self.u
        t = self.segments[basilar].points[-1]
        far = t + np.array([side * u(25, 40), u(35, 55), u(5, 20)]) * s
        direction = far - t
        length = max(self.head.reach(t, direction, float(np.linalg.norm(direction)), 5 * s), 15 * s)
        far = t + direction / np.linalg.norm(direction) * length
        ctrl = [
            t,
            t + np.array([side * 8, 2, 2]) * s,
            t + np.array([side * u(18, 26), u(10, 18), u(2, 6)]) * s,
            far,
        ]
        return self.add("posterior", side, ctrl, u(0.9, 1.3), u(0.55, 0.7), basilar)

    def pcom(self, side: int, ica: int, posterior: int) -> None:
        if posterior < 0 or not (self.opts.pcom or self.factor("posterior", -side) == 0.0):
            return
        if self.factor("pcom", side) == 0.0:
            return
        start_i = int(len(self.segments[ica].points) * 0.85)
        a = self.segments[ica].points[start_i]
        post = self.segments[posterior].points
        b = post[min(len(post) - 1, int(len(post) * 0.3))]
        mid = (a + b) / 2 + self.rng.normal(0, 1.5 * self.s, 3)
        self.add("small", side, [a, mid, b], self.u(0.5, 0.9), self.u(0.5, 0.8), ica, start_i)

    def side_branches(self, parent: int) -> None:
        seg = self.segments[parent]
        s, u = self.s, self.u
        count = int(self.rng.poisson(seg.length / (14 * s)))
        for _ in range(count):
            i = int(self.rng.integers(len(seg.points) // 10, max(len(seg.points) * 9 // 10, 2)))
            start = seg.points[i]
            tangent = seg.points[min(i + 1, len(seg.points) - 1)] - seg.points[max(i - 1, 0)]
            frame = frame_along(tangent, self.rng)
            direction = frame[:, 1] + frame[:, 0] * u(-0.3, 0.8)
            length = u(5, 20) * s
            if seg.kind != "ica" or self.head.brain_margin(start) > 0:
                length = min(length, self.head.reach(start, direction, length, 1.0 * s))
            if length < 3 * s:
                continue
            direction /= np.linalg.norm(direction)
            cap = 0.65 * seg.radius[i] / self.opts.calibre
            r0 = min(u(0.4, 0.8), cap)
            bend = self.rng.normal(0, 1.5 * s, 3)
            ctrl = [start, start + direction * length / 2 + bend, start + direction * length]
            self.add("small", seg.side, ctrl, r0, r0 * 0.7, parent, i)


def build_tree(
    opts: VesselOptions, head: HeadShape, rng: np.random.Generator, step: float
) -> list[Segment]:
    """The artery tree of one case, in the head frame, parents before children."""
    b = TreeBuilder(opts, head, rng, step)
    icas = {side: b.ica(side) for side in (-1, 1)}
    for side, ica in icas.items():
        b.mca(side, ica)
        b.aca(side, ica)
    basilar = b.basilar()
    for side, ica in icas.items():
        b.pcom(side, ica, b.posterior(side, basilar))
    for parent in range(len(b.segments)):
        if b.segments[parent].kind != "small":
            b.side_branches(parent)
    return b.segments


def cisterns(segments: list[Segment], scale: float) -> list[Ellipsoid]:
    """CSF spaces the arteries run in: suprasellar, sylvian, prepontine."""
    s = scale
    tops = [seg.points[-1] for seg in segments if seg.kind == "ica"]
    blobs = [Ellipsoid.make(np.mean(tops, axis=0), np.array([12, 8, 5]) * s)]
    for seg in segments:
        if seg.kind == "mca_trunk":
            direction = seg.points[-1] - seg.points[0]
            half = np.linalg.norm(direction) / 2 + 8 * s
            blobs.append(
                Ellipsoid.make(
                    seg.points.mean(axis=0),
                    np.array([half, 5 * s, 7 * s], float),
                    frame_along(direction),
                )
            )
        elif seg.kind == "basilar":
            centre = seg.points.mean(axis=0) + np.array([0, 2 * s, 0])
            blobs.append(Ellipsoid.make(centre, np.array([8, 5, 15]) * s))
    return blobs
