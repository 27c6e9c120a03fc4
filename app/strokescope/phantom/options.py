"""Options of a generated head-CT study: every field documented, every range checked.

All randomness of a study derives from ``seed``; options left ``None`` are drawn from it, so
the same options always give bit-identical volumes.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Literal

from strokescope.errors import InputError

Occlusion = Literal["none", "ICA", "M1", "M2"]
Side = Literal["left", "right"]
Hemorrhage = Literal["none", "PH", "HI2"]

OCCLUSIONS: tuple[str, ...] = ("none", "ICA", "M1", "M2")
SIDES: tuple[str, ...] = ("left", "right")
HEMORRHAGES: tuple[str, ...] = ("none", "PH", "HI2")


def _check_range(name: str, value: float | None, low: float, high: float) -> None:
    if value is None:
        return
    if not isinstance(value, int | float) or not math.isfinite(value) or not low <= value <= high:
        raise InputError(f"phantom option {name}={value!r} is outside [{low:g}, {high:g}]")


def _check_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise InputError(f"phantom option {name}={value!r} is not one of {', '.join(choices)}")


@dataclass(frozen=True)
class PhantomOptions:
    """What to generate. Geometry options describe the baseline NCCT unless prefixed.

    Parameters
    ----------
    seed : int
        Seeds anatomy, lesions and noise (>= 0).
    occlusion, side : str
        Thrombus site (``"none"``, ``"ICA"`` terminal ICA, ``"M1"``, ``"M2"`` superior
        trunk) and hemisphere. ``side`` also places the follow-up infarct and hemorrhage.
    thrombus_length_mm : float or None
        Clot length along the vessel centerline, 3-40 mm; ``None`` draws it from the seed.
    thrombus_hu, perviousness_hu : float or None
        Clot attenuation on NCCT (40-100 HU, drawn 50-80) and the contrast it takes up on
        CTA (0-30 HU, drawn 0-20).
    distal_enhancement : float or None
        Enhancement of the vessel distal to the clot as a fraction of normal (0-1, drawn
        0.3-0.6: collateral filling).
    calcification, sah : bool
        Add ICA-siphon wall plaques (200-600 HU) / subarachnoid blood in the basal cisterns
        and sylvian fissure (60-80 HU); both are thrombus mimics.
    hemorrhage, hemorrhage_ml : str, float
        Haemorrhagic transformation on a follow-up NCCT: ``"PH"`` (confluent, 55-85 HU) or
        ``"HI2"`` (confluent petechiae, 45-75 HU, in an infarct) with a target volume of 0.1-60 mL.
    noise_hu : float
        Image noise SD in HU (0-50), slightly correlated in-plane.
    slice_mm, inplane_mm, matrix, slices : geometry
        Slice thickness (= increment) 0.5-5 mm, pixel size 0.2-2 mm, square matrix
        16-1024, slice count (``None``: cover 160 mm).
    rotation_deg : (float, float, float)
        Head rotation about the LPS x, y, z axes, each within +-20 degrees.
    tilt_deg : float
        Gantry tilt (+-30 degrees): the image plane tilts about x while slices step along
        the table, so the slice axis is not orthogonal to the image plane.
    streaks : bool
        Beam-hardening lines between the petrous bones.
    followup_slice_mm, followup_matrix : float, int or None
        Follow-up NCCT slice thickness (0.5-10 mm) and matrix (``None``: ``matrix``).
    cta : bool
        Generate the CTA.
    motion_mm : float
        Rigid patient motion between NCCT and CTA (0-10 mm translation, with a rotation of
        the same arc length at 80 mm radius).
    cta_inplane_mm, cta_matrix, cta_slices, cta_slice_mm : optional geometry
        CTA grid when it differs from the NCCT grid (``None``: same as NCCT).
    """

    seed: int = 0
    occlusion: Occlusion = "M1"
    side: Side = "left"
    thrombus_length_mm: float | None = None
    thrombus_hu: float | None = None
    perviousness_hu: float | None = None
    distal_enhancement: float | None = None
    calcification: bool = False
    sah: bool = False
    hemorrhage: Hemorrhage = "none"
    hemorrhage_ml: float = 0.0
    noise_hu: float = 4.0
    slice_mm: float = 0.5
    inplane_mm: float = 0.45
    matrix: int = 512
    slices: int | None = None
    rotation_deg: tuple[float, float, float] = (0.0, 0.0, 0.0)
    tilt_deg: float = 0.0
    streaks: bool = True
    followup_slice_mm: float = 5.0
    followup_matrix: int | None = None
    cta: bool = True
    motion_mm: float = 0.0
    cta_inplane_mm: float | None = None
    cta_matrix: int | None = None
    cta_slices: int | None = None
    cta_slice_mm: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.seed, int) or self.seed < 0:
            raise InputError(f"phantom option seed={self.seed!r} must be an integer >= 0")
        _check_choice("occlusion", self.occlusion, OCCLUSIONS)
        _check_choice("side", self.side, SIDES)
        _check_choice("hemorrhage", self.hemorrhage, HEMORRHAGES)
        _check_range("thrombus_length_mm", self.thrombus_length_mm, 3.0, 40.0)
        _check_range("thrombus_hu", self.thrombus_hu, 40.0, 100.0)
        _check_range("perviousness_hu", self.perviousness_hu, 0.0, 30.0)
        _check_range("distal_enhancement", self.distal_enhancement, 0.0, 1.0)
        if self.hemorrhage == "none":
            _check_range("hemorrhage_ml", self.hemorrhage_ml, 0.0, 0.0)
        else:
            _check_range("hemorrhage_ml", self.hemorrhage_ml, 0.1, 60.0)
        _check_range("noise_hu", self.noise_hu, 0.0, 50.0)
        _check_range("slice_mm", self.slice_mm, 0.5, 5.0)
        _check_range("inplane_mm", self.inplane_mm, 0.2, 2.0)
        _check_range("matrix", self.matrix, 16, 1024)
        _check_range("slices", self.slices, 1, 2000)
        if len(self.rotation_deg) != 3:
            raise InputError(f"phantom option rotation_deg={self.rotation_deg!r} needs 3 angles")
        for axis, angle in zip("xyz", self.rotation_deg, strict=True):
            _check_range(f"rotation_deg[{axis}]", angle, -20.0, 20.0)
        _check_range("tilt_deg", self.tilt_deg, -30.0, 30.0)
        _check_range("followup_slice_mm", self.followup_slice_mm, 0.5, 10.0)
        _check_range("followup_matrix", self.followup_matrix, 16, 1024)
        _check_range("motion_mm", self.motion_mm, 0.0, 10.0)
        _check_range("cta_inplane_mm", self.cta_inplane_mm, 0.2, 2.0)
        _check_range("cta_matrix", self.cta_matrix, 16, 1024)
        _check_range("cta_slices", self.cta_slices, 1, 2000)
        _check_range("cta_slice_mm", self.cta_slice_mm, 0.5, 5.0)
        for name in ("matrix", "slices", "followup_matrix", "cta_matrix", "cta_slices"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, int):
                raise InputError(f"phantom option {name}={value!r} must be an integer")
        object.__setattr__(self, "rotation_deg", tuple(float(a) for a in self.rotation_deg))

    @property
    def occlusion_class(self) -> str:
        """``"LVO"`` for ICA/M1, ``"MeVO"`` for M2, ``"none"`` without occlusion."""
        return {"ICA": "LVO", "M1": "LVO", "M2": "MeVO"}.get(self.occlusion, "none")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready copy of every option."""
        out = asdict(self)
        out["rotation_deg"] = list(self.rotation_deg)
        return out

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))

    def small(self) -> PhantomOptions:
        """The same study on a coarse grid that generates in about a second: 80 slices of
        128 x 128 at 1.8 x 1.8 x 2 mm, follow-up 128 x 128 (tests, previews, smoke tests).
        Too coarse for the thrombus network's validated range."""
        return replace(self, **SMALL_GRID)


SMALL_GRID: dict[str, Any] = {
    "matrix": 128,
    "inplane_mm": 1.8,
    "slice_mm": 2.0,
    "slices": 80,
    "followup_matrix": 128,
}
"""Grid options of :meth:`PhantomOptions.small`."""
