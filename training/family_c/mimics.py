"""Hyperdense things that are not a clot inside an artery; none is ever labelled.

Venous sinuses (dense on CTA when the venous phase contaminates it), subarachnoid blood
(patches in cisterns and fissures, and sleeves hugging an artery's outside so the artery
stays opacified inside), an intraparenchymal haemorrhage, vessel-wall calcification
(partial rings on the carotid bends and the basilar), dural/choroid/pineal calcification,
an aneurysm-like sac at a branch point, and small dense blobs in bone and scalp. The
hyperdense patent artery is the high-blood-HU case of :mod:`~.options`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from training.family_c.arteries import Segment, smooth_curve
from training.family_c.clot import VesselValues
from training.family_c.fields import F64, Ellipsoid, frame_along
from training.family_c.head import HeadShape
from training.family_c.options import MimicOptions, VesselOptions
from training.family_c.render import Dense, Sleeve


@dataclass
class Mimics:
    """What to paint, grouped by when it is painted relative to the arteries."""

    sinuses: list[Sleeve] = field(default_factory=list)
    dense: list[Dense] = field(default_factory=list)
    sleeves: list[Sleeve] = field(default_factory=list)
    plaques: list[Dense] = field(default_factory=list)
    sacs: list[Dense] = field(default_factory=list)

    def hyperdense_centres(self) -> F64:
        """Head-frame centres of the hyperdense ellipsoids (calcifications, blood, bone)."""
        items = [d.shape.centre for d in self.dense + self.plaques if d.ncct > 45]
        return np.array(items).reshape(-1, 3)


def _inner_point(head: HeadShape, u: F64, inset: F64) -> F64:
    u = u / np.linalg.norm(u, axis=-1, keepdims=True)
    radius = head.rho(u) - head.scalp(u) - head.skull(u) - inset
    return u * radius[..., None]


def sinuses(
    head: HeadShape, opts: VesselOptions, rng: np.random.Generator, step: float
) -> list[Sleeve]:
    """Superior-sagittal-, transverse- and straight-sinus-like tubes inside the skull."""
    s, u = head.scale, rng.uniform
    phi = np.radians(np.linspace(u(30, 45), u(190, 205), 14))
    rad = np.linspace(u(1.2, 2.0), u(3.0, 4.5), len(phi)) * s
    dirs = np.stack([np.zeros_like(phi), -np.cos(phi), np.sin(phi)], axis=1)
    sss = _inner_point(head, dirs, rad + 0.3 * s)
    out = [sss]
    torcula = sss[-1]
    elev = np.arcsin(torcula[2] / np.linalg.norm(torcula))
    for side in (-1, 1):
        psi = np.radians(np.linspace(0, u(60, 80), 8))
        el = elev - np.radians(np.concatenate([np.zeros(5), [8, 18, 30]]))
        d = np.stack([side * np.sin(psi) * np.cos(el), np.cos(psi) * np.cos(el), np.sin(el)], 1)
        out.append(_inner_point(head, d, np.full(len(psi), 3.5 * s)))
    if rng.random() < 0.5:
        end = np.array([0.0, u(0, 15) * s, head.floor_z0 + u(25, 35) * s])
        out.append(np.stack([torcula, (torcula + end) / 2, end]))
    sleeves = []
    for k, ctrl in enumerate(out):
        pts = smooth_curve(ctrl, step, rng, 0.0)
        r0, r1 = (rad[0], rad[-1]) if k == 0 else (u(2.5, 4.0) * s, u(2.0, 3.5) * s)
        radius = (
            np.linspace(r0, r1, len(pts))
            if k
            else np.interp(np.linspace(0, 1, len(pts)), np.linspace(0, 1, len(rad)), rad)
        )
        sleeves.append(Sleeve(pts, radius, opts.sinus_ncct_hu, opts.sinus_cta_hu))
    return sleeves


def _sah(
    opts: MimicOptions,
    segments: list[Segment],
    cisterns: list[Ellipsoid],
    rng: np.random.Generator,
    s: float,
) -> tuple[list[Dense], list[Sleeve]]:
    u = rng.uniform
    sites = [c.centre for c in cisterns]
    for seg in segments:
        if seg.kind == "mca_branch":
            sites.append(seg.points[len(seg.points) // 2] + rng.normal(0, 3 * s, 3))
    patches = []
    for _ in range(int(rng.integers(2, 8))):
        centre = sites[int(rng.integers(len(sites)))] + rng.normal(0, 3 * s, 3)
        axes = np.array([u(2, 8), u(0.8, 2.5), u(2, 6)]) * s
        hu = opts.sah_hu + u(-8, 8)
        patches.append(
            Dense(Ellipsoid.make(centre, axes, frame_along(rng.normal(size=3), rng)), hu, hu)
        )
    hugged = [seg for seg in segments if seg.kind in ("mca_trunk", "mca_branch", "basilar", "aca")]
    seg = hugged[int(rng.integers(len(hugged)))]
    arc = seg.arc
    length = min(u(5, 20) * s, seg.length)
    start = u(0, seg.length - length)
    window = (arc >= start) & (arc <= start + length)
    radius = seg.radius[window] + u(1.0, 3.0) * s
    sleeve = Sleeve(seg.points[window], radius, opts.sah_hu, opts.sah_hu)
    return patches, [sleeve]


def _ich(opts: MimicOptions, head: HeadShape, rng: np.random.Generator) -> list[Dense]:
    s = head.scale
    size = opts.ich_mm * s
    centre = np.zeros(3)
    for _ in range(60):
        d = rng.normal(size=3)
        centre = d / np.linalg.norm(d) * head.radii * rng.uniform(0, 0.7)
        if head.brain_margin(centre) > size / 2 + 3 * s:
            break
    lobes = [Ellipsoid.make(centre, size / 2 * rng.uniform(0.6, 1.0, 3), frame_along(d, rng))]
    for _ in range(int(rng.integers(0, 4))):
        c = centre + rng.normal(0, size / 5, 3)
        lobes.append(Ellipsoid.make(c, size / 2 * rng.uniform(0.3, 0.6, 3), frame_along(d, rng)))
    return [Dense(lobe, opts.ich_hu, opts.ich_hu) for lobe in lobes]


def _dural(
    opts: MimicOptions, head: HeadShape, ventricles: list[Ellipsoid], rng: np.random.Generator
) -> list[Dense]:
    s, u = head.scale, rng.uniform
    spots = []
    for _ in range(int(rng.integers(1, 4))):  # falx
        c = _inner_point(head, np.array([0.0, u(-0.6, 0.6), u(0.5, 1.0)]), np.array(u(3, 25) * s))
        spots.append(Ellipsoid.make(c, np.array([u(0.4, 1.0), u(1, 4), u(1, 3)]) * s))
    for v in ventricles[:2]:  # choroid plexus
        if rng.random() < 0.5:
            spots.append(Ellipsoid.make(v.centre + [0, 5 * s, 0], rng.uniform(1, 3, 3) * s))
    if rng.random() < 0.5:  # pineal
        c = np.array([0.0, u(4, 12) * s, head.floor_z0 + u(18, 26) * s])
        spots.append(Ellipsoid.make(c, rng.uniform(1, 3, 3) * s))
    hu = opts.dural_calcification_hu
    return [Dense(e, hu * u(0.7, 1.1), hu * u(0.7, 1.1)) for e in spots]


def _plaques(
    opts: MimicOptions, segments: list[Segment], rng: np.random.Generator, s: float
) -> list[Dense]:
    u = rng.uniform
    targets = [i for i, seg in enumerate(segments) if seg.kind in ("ica", "basilar")]
    plaques = []
    for i in rng.choice(targets, size=int(rng.integers(1, 4))):
        seg = segments[int(i)]
        arc, n = seg.arc, len(seg.points)
        centre = u(0.4, 0.85) * seg.length if seg.kind == "ica" else u(0.1, 0.9) * seg.length
        theta = u(0, 2 * np.pi)
        for a in centre + np.linspace(0, u(2, 8) * s, int(rng.integers(2, 7))):
            j = int(np.clip(np.searchsorted(arc, a), 1, n - 2))
            frame = frame_along(seg.points[j + 1] - seg.points[j - 1])
            theta += u(-0.4, 0.4)
            v = np.cos(theta) * frame[:, 1] + np.sin(theta) * frame[:, 2]
            rot = np.stack([frame[:, 0], v, np.cross(frame[:, 0], v)], axis=1)
            axes = np.array([u(0.6, 1.5) * s, u(0.3, 0.7) * s, u(0.6, 1.6) * seg.radius[j]])
            hu = opts.wall_calcification_hu * u(0.7, 1.1)
            plaques.append(
                Dense(
                    Ellipsoid.make(seg.points[j] + v * (seg.radius[j] + 0.15 * s), axes, rot),
                    hu,
                    hu,
                )
            )
    return plaques


def _sac(
    segments: list[Segment], values: VesselValues, rng: np.random.Generator, s: float
) -> list[Dense]:
    ends = [i for i, seg in enumerate(segments) if seg.kind in ("ica", "mca_trunk", "basilar")]
    i = int(rng.choice(ends))
    seg = segments[i]
    tip = seg.points[-1]
    direction = tip - seg.points[max(0, len(seg.points) - 8)]
    direction /= np.linalg.norm(direction)
    radius = rng.uniform(1.5, 5.0) * s
    centre = tip + direction * (0.8 * radius + 0.5 * seg.radius[-1])
    axes = radius * np.array([1.0, rng.uniform(0.8, 1.0), rng.uniform(0.8, 1.0)])
    ell = Ellipsoid.make(centre, axes, frame_along(direction, rng))
    return [Dense(ell, float(values.ncct[i][-1]), float(values.cta[i][-1]))]


def _bone_blobs(head: HeadShape, rng: np.random.Generator) -> list[Dense]:
    out = []
    for _ in range(int(rng.integers(2, 7))):
        d = rng.normal(size=3)
        d /= np.linalg.norm(d)
        shell = head.scalp(d) + head.skull(d)
        centre = d * (head.rho(d) - rng.uniform(0.2, 0.9) * shell)
        hu = rng.uniform(100, 1500)
        out.append(Dense(Ellipsoid.make(centre, rng.uniform(0.5, 3.0, 3) * head.scale), hu, hu))
    return out


def draw_mimics(
    opts: MimicOptions,
    vessels: VesselOptions,
    head: HeadShape,
    segments: list[Segment],
    values: VesselValues,
    places: tuple[list[Ellipsoid], list[Ellipsoid]],
    rng: np.random.Generator,
    step: float,
) -> Mimics:
    """All mimics of one case; ``places`` holds the cisterns and the ventricles."""
    cisterns, ventricles = places
    s = head.scale
    m = Mimics(sinuses=sinuses(head, vessels, rng, step))
    if opts.bone_blobs:
        m.dense += _bone_blobs(head, rng)
    if opts.sah:
        patches, m.sleeves = _sah(opts, segments, cisterns, rng, s)
        m.dense += patches
    if opts.ich:
        m.dense += _ich(opts, head, rng)
    if opts.dural_calcification:
        m.dense += _dural(opts, head, ventricles, rng)
    if opts.wall_calcification:
        m.plaques = _plaques(opts, segments, rng, s)
    if opts.aneurysm:
        m.sacs = _sac(segments, values, rng, s)
    return m
