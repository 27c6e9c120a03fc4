"""The seeded head: brain parts, ventricles, skull, skull base and tissue attenuations.

Everything is in the head frame (see :mod:`strokescope.phantom.shapes`), drawn from one
random generator so a seed fixes the whole anatomy. HU values follow CLINICAL_VALUES.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from strokescope.phantom.shapes import Ellipsoid, Waves, rotation


@dataclass(frozen=True)
class TissueHU:
    """Attenuations (HU) of one synthetic patient, drawn within the clinical ranges."""

    csf: float
    wm: float
    gm: float
    blood: float
    lumen: float
    fat: float = -100.0
    skin: float = 45.0
    muscle: float = 50.0
    cortical_bone: float = 1900.0
    diploe: float = 800.0
    air: float = -1000.0


@dataclass(frozen=True, eq=False)
class Solid:
    """A skull-base structure painted over the layers with partial volume."""

    name: str
    shape: Ellipsoid
    hu: float
    carves_brain: bool = True


@dataclass(frozen=True, eq=False)
class Anatomy:
    """One synthetic head. ``scale`` multiplies the nominal adult sizes."""

    scale: float
    hu: TissueHU
    cerebrum: Ellipsoid
    temporal: tuple[Ellipsoid, Ellipsoid]
    cerebellum: tuple[Ellipsoid, Ellipsoid]
    brainstem: Ellipsoid
    face: Ellipsoid
    ventricles: tuple[Ellipsoid, ...]
    nuclei: tuple[Ellipsoid, ...]
    solids: tuple[Solid, ...]
    gyri: Waves
    csf_gap_mm: float
    skull_mm: float
    scalp_mm: float
    cortex_mm: float

    def head_bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """Head-frame box (mm) holding the whole head including the scalp."""
        margin = self.csf_gap_mm + self.skull_mm + self.scalp_mm + 12.0
        lo, hi = self.cerebrum.bounds(margin)
        flo, fhi = self.face.bounds(2.0)
        return np.minimum(lo, flo), np.maximum(hi, fhi)


def _jit(rng: np.random.Generator, value: float, rel: float) -> float:
    return float(value * (1.0 + rng.uniform(-rel, rel)))


def _ell(
    rng: np.random.Generator,
    s: float,
    center: tuple[float, float, float],
    axes: tuple[float, float, float],
    *,
    jitter_mm: float = 1.5,
    rel: float = 0.05,
    frame: np.ndarray | None = None,
) -> Ellipsoid:
    c = tuple(float(v * s + rng.uniform(-jitter_mm, jitter_mm)) for v in center)
    a = tuple(_jit(rng, v * s, rel) for v in axes)
    return Ellipsoid(c, a, frame)  # type: ignore[arg-type]


def _mirror(e: Ellipsoid) -> Ellipsoid:
    c = (-e.center[0], e.center[1], e.center[2])
    frame = None
    if e.frame is not None:
        m = np.diag([-1.0, 1.0, 1.0])
        frame = m @ np.asarray(e.frame)
    return Ellipsoid(c, e.axes, frame)


def draw_anatomy(rng: np.random.Generator) -> Anatomy:
    """Draw one head from ``rng`` (sizes, positions and HU jittered within adult ranges)."""
    s = float(rng.uniform(0.94, 1.06))
    gm = float(rng.uniform(36.0, 42.0))
    hu = TissueHU(
        csf=float(rng.uniform(3.0, 10.0)),
        wm=float(rng.uniform(22.0, 28.0)),
        gm=gm,
        blood=float(rng.uniform(40.0, 45.0)),
        lumen=float(rng.uniform(300.0, 420.0)),
    )
    cerebrum = _ell(rng, s, (0.0, 8.0, 26.0), (66.0, 82.0, 56.0), rel=0.04)
    temporal_l = _ell(rng, s, (40.0, -4.0, -10.0), (22.0, 34.0, 19.0))
    cerebellum_l = _ell(rng, s, (22.0, 50.0, -30.0), (28.0, 24.0, 17.0))
    brainstem = Ellipsoid(
        (0.0, 20.0 * s, -34.0 * s), (12.0 * s, 12.0 * s, 38.0 * s), rotation(ax=-0.25)
    )
    face = _ell(rng, s, (0.0, -4.0, -46.0), (62.0, 84.0, 60.0), rel=0.03)
    vent_l = _ell(rng, s, (11.0, 6.0, 24.0), (7.0, 27.0, 8.0), rel=0.15, jitter_mm=1.0)
    horn_l = _ell(rng, s, (14.0, 32.0, 16.0), (5.0, 12.0, 7.0), rel=0.15, jitter_mm=1.0)
    third = Ellipsoid((0.0, 10.0 * s, 8.0 * s), (2.2, 12.0 * s, 8.0 * s))
    fourth = Ellipsoid((0.0, 36.0 * s, -30.0 * s), (5.0, 3.0, 6.0))
    thal_l = _ell(rng, s, (10.0, 18.0, 10.0), (8.0, 13.0, 9.0), jitter_mm=0.8)
    lent_l = _ell(rng, s, (23.0, 0.0, 10.0), (6.0, 15.0, 10.0), jitter_mm=0.8)
    caud_l = _ell(rng, s, (15.0, -10.0, 20.0), (5.0, 9.0, 7.0), jitter_mm=0.8)
    petrous_frame = rotation(az=np.deg2rad(45.0 + rng.uniform(-5, 5)))
    petrous_l = Ellipsoid((26.0 * s, 8.0 * s, -29.0 * s), (30.0 * s, 8.0, 7.0), petrous_frame)
    clivus = Ellipsoid((0.0, 12.0 * s, -30.0 * s), (11.0, 5.0, 19.0 * s), rotation(ax=0.55))
    sphenoid = Ellipsoid((0.0, -10.0 * s, -24.0 * s), (11.0, 11.0, 9.0))
    sinus = Ellipsoid((0.0, -10.0 * s, -24.0 * s), (9.0, 9.0, 7.0))
    mastoid_l = Ellipsoid((46.0 * s, 24.0 * s, -36.0 * s), (8.0, 10.0, 11.0))
    dens = Ellipsoid((0.0, 4.0 * s, -62.0 * s), (7.0, 7.0, 12.0))
    orbit_l = Ellipsoid((31.0 * s, -60.0 * s, -24.0 * s), (15.0, 18.0, 13.0))
    eye_l = Ellipsoid((32.0 * s, -65.0 * s, -24.0 * s), (11.5, 11.5, 11.5))
    solids = (
        Solid("orbit fat", orbit_l, -90.0),
        Solid("orbit fat", _mirror(orbit_l), -90.0),
        Solid("eye", eye_l, 12.0, carves_brain=False),
        Solid("eye", _mirror(eye_l), 12.0, carves_brain=False),
        Solid("petrous", petrous_l, float(rng.uniform(1500, 1900))),
        Solid("petrous", _mirror(petrous_l), float(rng.uniform(1500, 1900))),
        Solid("mastoid", mastoid_l, -350.0),
        Solid("mastoid", _mirror(mastoid_l), -350.0),
        Solid("clivus", clivus, float(rng.uniform(1100, 1500))),
        Solid("sphenoid", sphenoid, 1300.0),
        Solid("sphenoid sinus", sinus, -950.0),
        Solid("dens", dens, 1100.0, carves_brain=False),
    )
    return Anatomy(
        scale=s,
        hu=hu,
        cerebrum=cerebrum,
        temporal=(temporal_l, _mirror(temporal_l)),
        cerebellum=(cerebellum_l, _mirror(cerebellum_l)),
        brainstem=brainstem,
        face=face,
        ventricles=(vent_l, _mirror(vent_l), horn_l, _mirror(horn_l), third, fourth),
        nuclei=(thal_l, _mirror(thal_l), lent_l, _mirror(lent_l), caud_l, _mirror(caud_l)),
        solids=solids,
        gyri=Waves.random(rng, count=4, wavelength_mm=(22.0, 34.0)),
        csf_gap_mm=float(rng.uniform(1.2, 3.0)),
        skull_mm=float(rng.uniform(5.5, 7.5)),
        scalp_mm=float(rng.uniform(5.0, 7.0)),
        cortex_mm=float(rng.uniform(2.5, 3.5)),
    )
