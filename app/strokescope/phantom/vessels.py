"""The seeded arterial tree: smooth centerlines with radii, sheaths and site labels.

Both internal carotid arteries run from the neck through the carotid canal in the petrous
bone, the cavernous siphon and the supraclinoid segment to the terminus, and continue as
M1 and the superior M2 trunk (one path, so a clot can span ICA-M1-M2); the inferior M2
trunk leaves at the M1 bifurcation. A1/A2, AComm, PComm, vertebrals, basilar and PCAs
close the circle of Willis. Every centerline is a centripetal Catmull-Rom spline through
jittered control points, sampled every 0.5 mm.

Each point carries a lumen radius, a sheath radius and the sheath HU: intracranial
segments lie in CSF cisterns (basal cisterns, sylvian fissure), the petrous and cavernous
ICA in a soft-tissue canal.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from strokescope.phantom.anatomy import Anatomy
from strokescope.phantom.splines import arc_length, catmull_rom

SITE_OTHER, SITE_ICA, SITE_M1, SITE_M2 = 0, 1, 2, 3
SITE_A1, SITE_P1, SITE_BASILAR = 4, 5, 6
Points = list[tuple[float, float, float]]
Vec = tuple[float, float, float]


@dataclass(frozen=True, eq=False)
class Segment:
    """One vessel centerline: ``points`` (n, 3) head-frame mm, per-point radius (mm), sheath
    radius (mm) and HU, arc length ``s`` (mm) and site code (``SITE_*``: ICA, M1, M2, A1,
    P1 (the PCA up to the PComm junction), basilar, other)."""

    name: str
    side: str  # "left", "right" or "mid"
    points: npt.NDArray[np.float64]
    radius: npt.NDArray[np.float64]
    sheath: npt.NDArray[np.float64]
    sheath_hu: npt.NDArray[np.float64]
    s: npt.NDArray[np.float64]
    site: npt.NDArray[np.int8]
    parent: str = ""
    parent_s: float = 0.0  # arc length on the parent where this branch leaves

    @property
    def length_mm(self) -> float:
        return float(self.s[-1])


def _radius(s: np.ndarray, stops: list[tuple[float, float]]) -> np.ndarray:
    at, r = zip(*stops, strict=True)
    return np.interp(s, at, r)


class _Builder:
    def __init__(self, rng: np.random.Generator, scale: float) -> None:
        self.rng, self.scale = rng, scale
        self.segments: list[Segment] = []

    def p(self, x: float, y: float, z: float, jitter: float = 1.5) -> tuple[float, float, float]:
        j = self.rng.normal(scale=jitter, size=3)
        return (x * self.scale + j[0], y * self.scale + j[1], z * self.scale + j[2])

    def add(
        self,
        name: str,
        side: str,
        control: Points,
        radii: list[float],
        *,
        cistern: float = 0.0,
        parent: str = "",
        parent_s: float = 0.0,
        sheath: np.ndarray | None = None,
        site: np.ndarray | None = None,
    ) -> tuple[Segment, np.ndarray]:
        pts, knots = catmull_rom(control)
        s = np.concatenate([[0.0], np.cumsum(np.linalg.norm(np.diff(pts, axis=0), axis=1))])
        grow = float(self.rng.uniform(0.92, 1.08))
        r = np.interp(s / s[-1], np.linspace(0, 1, len(radii)), radii) * grow
        sh = np.maximum(r + cistern, r + 0.6) if sheath is None else np.maximum(sheath, r + 0.6)
        csf = np.full(r.shape, cistern > 0) if sheath is None else sheath > r + 0.7
        seg = Segment(
            name,
            side,
            pts,
            r,
            sh,
            np.where(csf, -1.0, 45.0),  # -1 marks CSF (filled in by the renderer)
            s,
            np.zeros(len(s), np.int8) if site is None else site,
            parent,
            parent_s,
        )
        self.segments.append(seg)
        return seg, knots


def _mirror(points: Points, sign: float) -> Points:
    return [(sign * x, y, z) for x, y, z in points]


def draw_vessels(rng: np.random.Generator, anatomy: Anatomy) -> list[Segment]:
    """Draw the arterial tree of ``anatomy`` (landmarks jittered ~1.5 mm)."""
    b = _Builder(rng, anatomy.scale)
    tip = b.p(0.0, 6.0, -3.0)
    for side, sg in (("left", 1.0), ("right", -1.0)):
        _hemisphere(b, side, sg, tip)
    a1s = [seg for seg in b.segments if seg.name.startswith("A1")]
    b.add("AComm", "mid", [a1s[0].points[-1], a1s[1].points[-1]], [0.6, 0.6], cistern=2.5)
    basilar = [(0.0, *b.p(0, 16, -44, 0.5)[1:]), b.p(0, 10, -30, 1.5), b.p(0, 7, -17, 1.5), tip]
    basilar_seg, _ = b.add("basilar", "mid", basilar, [1.55, 1.4], cistern=4.0)
    basilar_seg.site[:] = SITE_BASILAR
    return b.segments


def _hemisphere(b: _Builder, side: str, sg: float, tip: Vec) -> None:
    """The arteries of one side (``sg`` +1 left, -1 right), landmarks first: the order of
    the random draws is the order of the points here."""
    term = b.p(sg * 14.0, -8.0, 1.0)
    pcom_ica = b.p(sg * 13.0, -11.0, -1.0, 0.8)
    bif = b.p(sg * 42.0, -5.0, 5.0, 2.5)
    a1_end = (sg * 1.6, *b.p(0.0, -21.0, 7.0, 1.0)[1:])
    pcom_pca = b.p(sg * 10.0, 5.0, -2.0, 0.8)
    main, s_term, s_bif = _carotid(b, side, sg, pcom_ica, term, bif)
    _anterior(b, side, sg, main, term, bif, a1_end, s_term, s_bif)
    _posterior(b, side, sg, main, tip, pcom_ica, pcom_pca)


def _carotid(
    b: _Builder, side: str, sg: float, pcom_ica: Vec, term: Vec, bif: Vec
) -> tuple[Segment, float, float]:
    """ICA, M1 and the superior M2 as one segment; its arc length at the ICA terminus and
    at the M1 bifurcation."""
    ica = [
        b.p(sg * 22, 10, -95, 2),
        b.p(sg * 21, 8, -62, 2),
        b.p(sg * 22, 5, -42, 1),
        b.p(sg * 22, 3, -32, 1),
        b.p(sg * 18, -3, -28, 1),
        b.p(sg * 14, -9, -25, 1),
        b.p(sg * 14, -11, -17, 1),
        b.p(sg * 14, -18, -14, 1),
        b.p(sg * 13, -22, -8, 1),
        b.p(sg * 12, -17, -3, 0.8),
        pcom_ica,
        term,
    ]
    m1 = [b.p(sg * 21, -9, 2, 1.5), b.p(sg * 30, -9, 3, 2), bif]
    m2s = [
        b.p(sg * 47, -3, 10, 2),
        b.p(sg * 50, 3, 18, 2.5),
        b.p(sg * 50, 11, 27, 3),
        b.p(sg * 48, 21, 36, 3),
        b.p(sg * 45, 31, 44, 3),
    ]
    control = ica + m1 + m2s
    pts, knots = catmull_rom(control)
    s_term = knots[len(ica) - 1]
    s_bif = knots[len(ica) + len(m1) - 1]
    s_clinoid = knots[len(ica) - 3]
    s = arc_length(pts)
    site = np.select([s <= s_term, s <= s_bif], [SITE_ICA, SITE_M1], SITE_M2).astype(np.int8)
    radius = _radius(s, [(0, 2.3), (s_term, 1.85), (s_term + 1, 1.5), (s_bif, 1.3)])
    radius = np.where(site == SITE_M2, _radius(s, [(s_bif, 1.1), (s[-1], 0.8)]), radius)
    cistern = np.interp(
        s, [s_clinoid - 2, s_clinoid, s_bif, s_bif + 25, s[-1]], [0, 4, 4.5, 3, 1.5]
    )
    grow = float(b.rng.uniform(0.92, 1.08))
    main = Segment(
        f"ICA-M1-M2 {side}",
        side,
        pts,
        radius * grow,
        np.maximum(radius * grow + cistern, radius * grow + 0.6),
        np.where(cistern > 0.3, -1.0, 45.0),
        s,
        site,
    )
    b.segments.append(main)
    return main, float(s_term), float(s_bif)


def _anterior(
    b: _Builder,
    side: str,
    sg: float,
    main: Segment,
    term: Vec,
    bif: Vec,
    a1_end: Vec,
    s_term: float,
    s_bif: float,
) -> None:
    """Inferior M2, A1 and A2."""
    b.add(
        f"M2 inferior {side}",
        side,
        [
            bif,
            *_mirror(
                [b.p(47, 2, 2, 2), b.p(52, 12, 1, 3), b.p(54, 24, 4, 3), b.p(53, 36, 9, 3)], sg
            ),
        ],
        [1.05, 0.8],
        cistern=3.0,
        parent=main.name,
        parent_s=s_bif,
    )
    a1, _ = b.add(
        f"A1 {side}",
        side,
        [term, b.p(sg * 8, -15, 4, 1), a1_end],
        [0.95, 0.85],
        cistern=3.5,
        parent=main.name,
        parent_s=s_term,
    )
    a1.site[:] = SITE_A1
    a2 = [
        a1_end,
        (sg * 1.8, *b.p(0, -27, 15, 1.5)[1:]),
        (sg * 2.0, *b.p(0, -30, 27, 2)[1:]),
        (sg * 2.0, *b.p(0, -27, 40, 2)[1:]),
        (sg * 2.0, *b.p(0, -16, 52, 2)[1:]),
        (sg * 2.0, *b.p(0, -2, 60, 2)[1:]),
    ]
    b.add(f"A2 {side}", side, a2, [0.85, 0.65], cistern=2.0, parent=f"A1 {side}")


def _posterior(
    b: _Builder, side: str, sg: float, main: Segment, tip: Vec, pcom_ica: Vec, pcom_pca: Vec
) -> None:
    """PComm, PCA (its P1 to the PComm junction) and the vertebral artery."""
    b.add(
        f"PComm {side}",
        side,
        [pcom_ica, b.p(sg * 12, -3, -1.5, 1), pcom_pca],
        [0.6, 0.6],
        cistern=2.5,
        parent=main.name,
    )
    pca = [
        tip,
        b.p(sg * 5, 6, -2.5, 0.8),
        pcom_pca,
        b.p(sg * 17, 13, -1),
        b.p(sg * 24, 25, 1),
        b.p(sg * 27, 39, 4),
        b.p(sg * 24, 53, 7),
        b.p(sg * 19, 65, 10),
    ]
    pca_seg, pca_knots = b.add(
        f"PCA {side}", side, pca, [1.0, 0.95, 0.75], cistern=3.0, parent="basilar"
    )
    pca_seg.site[pca_seg.s <= pca_knots[2]] = SITE_P1  # tip to the PComm junction
    vert = [
        b.p(sg * 10, 30, -100, 2),
        b.p(sg * 9, 27, -68, 2),
        b.p(sg * 6, 21, -52, 1.5),
        b.p(sg * 1.2, 16, -44, 0.5),
    ]
    b.add(f"vertebral {side}", side, vert, [1.6, 1.45])
