"""Seeded lesion plan: thrombus, calcified plaques, SAH and the follow-up haemorrhage.

The plan fixes where and what (arc-length range of the clot, attenuations, plaque boxes,
haemorrhage centre and shape texture); the renderers only evaluate it on grids.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from strokescope.phantom.options import PhantomOptions
from strokescope.phantom.shapes import Ellipsoid, Waves
from strokescope.phantom.vessels import SITE_ICA, SITE_M1, SITE_P1, Segment

HI2_BORDER_WAVELENGTH_MM = (5.0, 10.0)
"""Wavelengths of the waves that break the HI2 bleed into confluent petechial patches
(coarser than a 4-5 mm slice, so patches survive partial volume; see phantom.followup_lesions)."""
CLOT_LENGTH_MM = {
    "ICA": (15.0, 35.0),
    "M1": (8.0, 20.0),
    "M2": (5.0, 12.0),
    "A1": (4.0, 10.0),
    "P1": (4.0, 14.0),
    "basilar": (8.0, 30.0),
}
"""Range a clot length is drawn from when ``thrombus_length_mm`` is None (mm)."""
SAH_SEGMENTS = ("ICA-M1-M2", "A1", "AComm", "PComm", "basilar", "PCA", "M2 inferior")


@dataclass(frozen=True, eq=False)
class Thrombus:
    """A clot filling the lumen of ``segment`` between arc lengths ``s0`` and ``s1``."""

    segment: int
    s0: float
    s1: float
    hu_ncct: float
    hu_cta: float
    distal_fraction: float

    @property
    def length_mm(self) -> float:
        return self.s1 - self.s0


@dataclass(frozen=True, eq=False)
class Plaque:
    shape: Ellipsoid
    hu: float


@dataclass(frozen=True, eq=False)
class HemorrhagePlan:
    """Follow-up bleed: ``kind`` PH or HI2, an ellipsoidal core made irregular by textures."""

    kind: str
    target_ml: float
    core: Ellipsoid
    border: Waves
    texture: Waves
    infarct: Ellipsoid


@dataclass(frozen=True, eq=False)
class LesionPlan:
    thrombus: Thrombus | None
    distal_points: npt.NDArray[np.bool_]  # per global tree point: under-opacified on CTA
    plaques: tuple[Plaque, ...]
    sah_points: npt.NDArray[np.bool_]  # per global tree point: cistern blood around it
    sah_texture: Waves
    hemorrhage: HemorrhagePlan | None


def _seg_index(segments: list[Segment], name: str) -> int:
    return next(i for i, g in enumerate(segments) if g.name == name)


def _clot(
    draws: dict[str, float], options: PhantomOptions, segment: int, s0: float, s1: float
) -> Thrombus:
    hu = options.thrombus_hu if options.thrombus_hu is not None else draws["hu"]
    perv = options.perviousness_hu if options.perviousness_hu is not None else draws["perv"]
    frac = options.distal_enhancement
    frac = draws["distal"] if frac is None else frac
    return Thrombus(segment, float(s0), float(s1), float(hu), float(hu + perv), frac)


def _length(draws: dict[str, float], options: PhantomOptions) -> float:
    span = CLOT_LENGTH_MM[options.occlusion]
    length = options.thrombus_length_mm
    return span[0] + draws["length"] * (span[1] - span[0]) if length is None else length


def _anterior_thrombus(
    draws: dict[str, float],
    options: PhantomOptions,
    segments: list[Segment],
    offsets: npt.NDArray[np.int64],
    distal: npt.NDArray[np.bool_],
) -> Thrombus:
    """A clot on the ICA-M1-M2 path of ``options.side``; marks what lies downstream."""
    main_i = _seg_index(segments, f"ICA-M1-M2 {options.side}")
    main = segments[main_i]
    s_term = float(main.s[main.site == SITE_ICA].max())
    s_bif = float(main.s[main.site == SITE_M1].max())
    length = _length(draws, options)
    if options.occlusion == "ICA":
        s1 = s_term + 3.0
        s0 = s1 - length
    elif options.occlusion == "M1":
        s0 = s_term + 2.0 + draws["pos"] * max(0.0, s_bif - s_term - 4.0 - length)
        s1 = s0 + length
    else:
        s0 = s_bif + 2.0 + draws["pos"] * 6.0
        s1 = min(s0 + length, main.length_mm - 4.0)
        s0 = s1 - length
    thrombus = _clot(draws, options, main_i, s0, s1)
    sl = slice(int(offsets[main_i]), int(offsets[main_i + 1]))
    distal[sl] = main.s > s1
    for i, g in enumerate(segments):
        if g.parent == main.name and g.parent_s > s0 and not g.name.startswith("A1"):
            distal[int(offsets[i]) : int(offsets[i + 1])] = True
    return thrombus


def _other_thrombus(
    draws: dict[str, float],
    options: PhantomOptions,
    segments: list[Segment],
    offsets: npt.NDArray[np.int64],
    distal: npt.NDArray[np.bool_],
) -> Thrombus:
    """A clot in an A1, a P1 (running on into P2 when long) or the basilar artery.

    The vessel beyond the clot is under-opacified (collateral filling); a basilar clot also
    starves both P1s, whereas the P2s still fill from the PComms.
    """
    name = {"A1": f"A1 {options.side}", "P1": f"PCA {options.side}"}.get(options.occlusion)
    i = _seg_index(segments, name or "basilar")
    seg = segments[i]
    end = seg.length_mm
    length = min(_length(draws, options), end - 2.0)
    if options.occlusion == "basilar":
        s1 = end - 0.5 - draws["pos"] * max(0.0, end - 1.5 - length)
        s0 = s1 - length
    elif options.occlusion == "A1":
        s0 = 1.0 + draws["pos"] * max(0.0, end - 2.0 - length)
        s1 = s0 + length
    else:
        p1_end = float(seg.s[seg.site == SITE_P1].max())
        s0 = 1.0 + draws["pos"] * max(0.0, p1_end - 4.0)
        s1 = min(s0 + length, end - 2.0)
        s0 = s1 - length
    mine = slice(int(offsets[i]), int(offsets[i + 1]))
    distal[mine] = seg.s > s1
    if options.occlusion == "basilar":
        for j, g in enumerate(segments):
            if g.name.startswith("PCA"):
                distal[int(offsets[j]) : int(offsets[j + 1])] = g.site == SITE_P1
    return _clot(draws, options, i, s0, s1)


def plan_lesions(
    rng: np.random.Generator, options: PhantomOptions, segments: list[Segment]
) -> LesionPlan:
    """Draw the lesions requested by ``options`` (values left ``None`` come from ``rng``)."""
    offsets = np.cumsum([0] + [len(g.s) for g in segments])
    n_points = int(offsets[-1])
    distal = np.zeros(n_points, bool)
    draws = {
        "length": rng.uniform(0, 1),
        "hu": rng.uniform(50.0, 80.0),
        "perv": rng.uniform(0.0, 20.0),
        "distal": rng.uniform(0.3, 0.6),
        "pos": rng.uniform(0, 1),
    }
    thrombus = None
    if options.occlusion in ("ICA", "M1", "M2"):
        thrombus = _anterior_thrombus(draws, options, segments, offsets, distal)
    elif options.occlusion != "none":
        thrombus = _other_thrombus(draws, options, segments, offsets, distal)
    plaques: list[Plaque] = []
    if options.calcification:
        for _ in range(int(rng.integers(1, 4))):
            side = (
                options.side
                if rng.uniform() < 0.6
                else ("right" if options.side == "left" else "left")
            )
            seg = segments[_seg_index(segments, f"ICA-M1-M2 {side}")]
            s_seg_term = float(seg.s[seg.site == SITE_ICA].max())
            at = int(np.searchsorted(seg.s, s_seg_term - rng.uniform(12.0, 32.0)))
            tangent = seg.points[min(at + 1, len(seg.s) - 1)] - seg.points[max(at - 1, 0)]
            tangent /= np.linalg.norm(tangent)
            normal = np.cross(tangent, rng.normal(size=3))
            normal /= np.linalg.norm(normal)
            center = seg.points[at] + normal * seg.radius[at] * 1.05
            frame = np.stack([tangent, normal, np.cross(tangent, normal)], axis=1)
            axes = (rng.uniform(1.2, 2.5), rng.uniform(0.6, 0.9), rng.uniform(1.0, 2.0))
            plaques.append(Plaque(Ellipsoid(tuple(center), axes, frame), rng.uniform(250, 600)))
    sah = np.zeros(n_points, bool)
    if options.sah:
        for i, g in enumerate(segments):
            if any(g.name.startswith(n) for n in SAH_SEGMENTS):
                sah[int(offsets[i]) : int(offsets[i + 1])] = g.sheath_hu < 0
    sah_texture = Waves.random(rng, count=6, wavelength_mm=(8.0, 20.0))
    return LesionPlan(
        thrombus, distal, tuple(plaques), sah, sah_texture, _plan_hemorrhage(rng, options)
    )


def _plan_hemorrhage(rng: np.random.Generator, options: PhantomOptions) -> HemorrhagePlan | None:
    sg = 1.0 if options.side == "left" else -1.0
    infarct = Ellipsoid(
        (sg * rng.uniform(36, 42), rng.uniform(-2, 8), rng.uniform(16, 24)),
        (rng.uniform(18, 24), rng.uniform(30, 38), rng.uniform(22, 28)),
    )
    if options.hemorrhage == "none":
        return None
    ml = options.hemorrhage_ml
    radius = (3.0 * ml * 1000.0 / (4.0 * math.pi)) ** (1.0 / 3.0)
    if options.hemorrhage == "PH":
        center = (sg * (24.0 + 0.25 * radius), rng.uniform(-3, 5), 12.0 + 0.35 * radius)
        border = Waves.random(rng, count=8, wavelength_mm=(max(6.0, radius), max(12.0, 2 * radius)))
    else:
        center = (sg * 38.0, rng.uniform(-2, 6), 20.0)
        border = Waves.random(rng, count=10, wavelength_mm=HI2_BORDER_WAVELENGTH_MM)
    axes = (radius * 1.0, radius * 1.25, radius * 0.8)
    texture = Waves.random(rng, count=6, wavelength_mm=(4.0, 10.0))
    core = Ellipsoid(center, axes)
    return HemorrhagePlan(options.hemorrhage, ml, core, border, texture, infarct)
