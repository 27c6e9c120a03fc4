"""Options of a generated head-CT study: every field documented, every range checked.

All randomness of a study derives from ``seed``; options left ``None`` are drawn from it, so
the same options always give bit-identical volumes.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Literal

from strokescope.errors import InputError

Occlusion = Literal["none", "ICA", "M1", "M2", "A1", "basilar", "P1"]
Side = Literal["left", "right"]
Hemorrhage = Literal["none", "PH", "HI2"]
Kernel = Literal["standard", "smooth", "sharp"]
CowVariant = Literal["normal", "hypoplastic_a1", "fetal_pca", "absent_p1"]

OCCLUSIONS: tuple[str, ...] = ("none", "ICA", "M1", "M2", "A1", "basilar", "P1")
OCCLUSION_CLASS: dict[str, str] = {
    "ICA": "LVO",
    "M1": "LVO",
    "basilar": "LVO",
    "M2": "MeVO",
    "A1": "MeVO",
    "P1": "MeVO",
}
"""LVO = intracranial ICA or M1 (CLINICAL_VALUES), here with the basilar; MeVO: M2, A1, P1."""
SIDES: tuple[str, ...] = ("left", "right")
HEMORRHAGES: tuple[str, ...] = ("none", "PH", "HI2")
KERNELS: tuple[str, ...] = ("standard", "smooth", "sharp")
COW_VARIANTS: tuple[str, ...] = ("normal", "hypoplastic_a1", "fetal_pca", "absent_p1")
ROTATION_MAX_DEG = 25.0


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
        trunk, ``"A1"``, ``"P1"`` (the clot may run on into P2), ``"basilar"`` (midline,
        ``side`` ignored for the clot)) and hemisphere. ``side`` also places the follow-up
        infarct and hemorrhage.
    thrombus_length_mm : float or None
        Clot length along the vessel centerline, 3-40 mm; ``None`` draws it from the seed.
        A1 clots are cut to the A1 (about 15 mm), basilar clots to the basilar (about 42 mm).
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
        Head rotation about the LPS x, y, z axes, each within +-25 degrees.
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
    ncct_short_mm : float
        The NCCT starts this far (0-60 mm) above the CTA's first slice: a head NCCT beside a
        longer (head-and-neck) CTA. Its lowest slices are dropped after rendering, so the
        slices it keeps equal those of the study without the cut.

    The options below widen the training distribution (SynthSeg-style randomisation); each
    default reproduces the studies generated before they existed, bit for bit.

    cta_lumen_hu : float or None
        Peak arterial lumen enhancement on CTA, 150-600 HU (``None``: drawn 300-420).
    veins : bool
        Draw the dural venous sinuses (superior sagittal, straight, transverse, sigmoid) and
        a few cortical veins, at blood HU on NCCT.
    venous_hu : float or None
        Extra enhancement of the veins on CTA (venous contamination, late phase), 0-400 HU;
        ``None`` or 0: none. A value above 0 draws the veins even without ``veins``.
    haematocrit_pct : float or None
        Haematocrit, 30-60 %: blood HU on NCCT in arteries and veins is ``6 + 0.9 x``
        haematocrit (42 HU at 40 %, 55.5 HU at 55 %: the hyperdense-vessel mimic without a
        clot). ``None``: drawn 40-45 HU.
    kernel : str
        Reconstruction kernel of NCCT and CTA: ``"standard"``; ``"smooth"`` (an extra 0.6 mm
        in-plane Gaussian blur, noise x 0.7 with a 0.9 mm texture) or ``"sharp"`` (unsharp
        masking, noise x 1.4 with a 0.35 mm texture).
    cta_kernel : str or None
        The CTA's own kernel where it differs from the NCCT's (a brain kernel for the NCCT, a
        vascular one for the CTA, as many sites reconstruct them); ``None``: ``kernel``.
    hu_offset : float
        Calibration offset (-15..15 HU) added to all non-air tissue of NCCT and CTA.
    vessel_scale : float or None
        Arterial diameter scale, 0.7-1.3 (``None``: 1).
    tortuosity : float
        0-1: amplitude (up to 3.5 mm) of a smooth random displacement of the arterial
        centerlines (0: none).
    cow_variant : str
        Circle of Willis: ``"normal"``, ``"hypoplastic_a1"`` (one A1 under 1 mm),
        ``"fetal_pca"`` (a PComm as wide as the PCA, its P1 hypoplastic) or
        ``"absent_p1"`` (the PCA fed by the PComm alone), on a seeded side (an absent P1 is
        put opposite a P1 clot).
    dural_calcification, aneurysm : bool
        Mimics: falx, choroid-plexus and pineal calcifications (150-900 HU); a 3-7 mm
        saccular aneurysm at the basilar tip or the AComm (blood HU on NCCT, lumen HU on
        CTA).
    noise_texture_mm : float or None
        Noise correlation length, 0.3-1.5 mm (Gaussian in-plane; ``None``: the kernel's).
    partial_fov : bool
        The head is cut 5-20 mm deep by the field of view on one (seeded) side of NCCT and
        CTA.
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
    ncct_short_mm: float = 0.0
    cta_inplane_mm: float | None = None
    cta_matrix: int | None = None
    cta_slices: int | None = None
    cta_slice_mm: float | None = None
    cta_lumen_hu: float | None = None
    veins: bool = False
    venous_hu: float | None = None
    haematocrit_pct: float | None = None
    kernel: Kernel = "standard"
    cta_kernel: Kernel | None = None
    hu_offset: float = 0.0
    vessel_scale: float | None = None
    tortuosity: float = 0.0
    cow_variant: CowVariant = "normal"
    dural_calcification: bool = False
    aneurysm: bool = False
    noise_texture_mm: float | None = None
    partial_fov: bool = False

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
            _check_range(f"rotation_deg[{axis}]", angle, -ROTATION_MAX_DEG, ROTATION_MAX_DEG)
        _check_range("tilt_deg", self.tilt_deg, -30.0, 30.0)
        _check_range("followup_slice_mm", self.followup_slice_mm, 0.5, 10.0)
        _check_range("followup_matrix", self.followup_matrix, 16, 1024)
        _check_range("motion_mm", self.motion_mm, 0.0, 10.0)
        _check_range("ncct_short_mm", self.ncct_short_mm, 0.0, 60.0)
        _check_range("cta_inplane_mm", self.cta_inplane_mm, 0.2, 2.0)
        _check_range("cta_matrix", self.cta_matrix, 16, 1024)
        _check_range("cta_slices", self.cta_slices, 1, 2000)
        _check_range("cta_slice_mm", self.cta_slice_mm, 0.5, 5.0)
        self._check_randomisation()
        for name in ("matrix", "slices", "followup_matrix", "cta_matrix", "cta_slices"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, int):
                raise InputError(f"phantom option {name}={value!r} must be an integer")
        object.__setattr__(self, "rotation_deg", tuple(float(a) for a in self.rotation_deg))

    def _check_randomisation(self) -> None:
        _check_range("cta_lumen_hu", self.cta_lumen_hu, 150.0, 600.0)
        _check_range("venous_hu", self.venous_hu, 0.0, 400.0)
        _check_range("haematocrit_pct", self.haematocrit_pct, 30.0, 60.0)
        _check_choice("kernel", self.kernel, KERNELS)
        if self.cta_kernel is not None:
            _check_choice("cta_kernel", self.cta_kernel, KERNELS)
        _check_range("hu_offset", self.hu_offset, -15.0, 15.0)
        _check_range("vessel_scale", self.vessel_scale, 0.7, 1.3)
        _check_range("tortuosity", self.tortuosity, 0.0, 1.0)
        _check_choice("cow_variant", self.cow_variant, COW_VARIANTS)
        _check_range("noise_texture_mm", self.noise_texture_mm, 0.3, 1.5)

    @property
    def occlusion_class(self) -> str:
        """``"LVO"`` for ICA/M1/basilar, ``"MeVO"`` for M2/A1/P1, ``"none"`` without."""
        return OCCLUSION_CLASS.get(self.occlusion, "none")

    @property
    def draws_veins(self) -> bool:
        """Whether the study has dural sinuses and cortical veins."""
        return self.veins or (self.venous_hu or 0.0) > 0.0

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
