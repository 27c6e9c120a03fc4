"""Every drawn parameter of one family-C case, as frozen dataclasses.

All draws come from ``numpy.random.default_rng([seed, index])``; the options of a case are
therefore a pure function of ``(seed, index, tiny)``. Structural randomness (shapes, tree
courses, blob positions) is drawn later from ``default_rng([seed, index, detail_seed, k])``
by the module that builds the structure, so the options here stay a readable summary.

Lengths are in mm at full size; ``HeadOptions.scale`` shrinks every position and length for
``tiny`` cases (a small head on a 2 mm grid for tests), radii are scaled by
``VesselOptions.calibre`` instead.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

VERSION = 1
"""Bumped whenever the same options would render differently (resume compares it)."""

CLOT_SITES = ("ica", "mca_trunk", "mca_branch", "aca", "basilar", "posterior", "small")
CLOT_WEIGHTS = (0.25, 0.30, 0.15, 0.07, 0.10, 0.08, 0.05)
ASYMMETRY_KINDS = ("aca", "posterior", "mca_branch", "pcom")
TINY_SCALE = 0.45
TINY_CALIBRE = 2.2
TINY_SPACING_MM = 2.0


@dataclass(frozen=True)
class HeadOptions:
    """Head shape, skull, skull base, brain tissue and CSF."""

    scale: float
    width_mm: float
    length_mm: float
    height_mm: float
    wobble: float
    scalp_mm: float
    scalp_hu: float
    skull_mm: float
    table_hu: float
    diploe_hu: float
    base_fraction: float
    base_bone_hu: float
    base_soft_hu: float
    floor_mm: float
    n_regions: int
    bias_hu: float
    csf_hu: float
    atrophy: float
    falx_hu: float
    """HU of the falx above the brain; 0 means no visible falx."""


@dataclass(frozen=True)
class VesselOptions:
    """Artery tree, blood, contrast and venous sinuses."""

    calibre: float
    tortuosity: float
    asymmetry: str
    asymmetry_side: int
    asymmetry_factor: float
    """Radius factor of the asymmetric branch; 0 means the branch is absent."""
    pcom: bool
    blood_hu: float
    hyperdense_blood: bool
    lumen_hu: float
    parenchyma_enhancement_hu: float
    wall_hu: float
    wall_enhancement_hu: float
    venous_contamination: bool
    sinus_ncct_hu: float
    sinus_cta_hu: float


@dataclass(frozen=True)
class ClotOptions:
    """The thrombus; ``site == ""`` means no clot in this case."""

    site: str
    side: int
    length_mm: float
    position: float
    radius_factor: float
    irregular: float
    ncct_hu: float
    perviousness_hu: float
    distal_filling: float
    distal_start_mm: float

    @property
    def present(self) -> bool:
        return bool(self.site)


@dataclass(frozen=True)
class MimicOptions:
    """Hyperdense things outside the artery lumen; never labelled."""

    sah: bool
    sah_hu: float
    ich: bool
    ich_hu: float
    ich_mm: float
    wall_calcification: bool
    wall_calcification_hu: float
    dural_calcification: bool
    dural_calcification_hu: float
    aneurysm: bool
    bone_blobs: bool


@dataclass(frozen=True)
class ScanOptions:
    """Reconstruction and artefacts of one scan (NCCT or CTA)."""

    kernel: str
    psf_mm: float
    sharpen: float
    noise_sd: float
    noise_corr_mm: float
    streak_hu: float
    """Amplitude of skull-base streaks; 0 means none."""
    beam_hardening_hu: float
    """Offset of the dark band between dense bones (negative); 0 means none."""
    hu_offset: float


@dataclass(frozen=True)
class AcquisitionOptions:
    """The common output grid, head pose and field of view, and both scans."""

    pixel_mm: float
    slice_mm: float
    field_z_mm: float
    rotation_deg: tuple[float, float, float]
    shift_mm: tuple[float, float, float]
    partial_fov: str
    """"" (whole head), "top" or "side"."""
    fov_cut_mm: float
    ncct: ScanOptions
    cta: ScanOptions


@dataclass(frozen=True)
class Options:
    """Everything drawn for case ``index`` of ``seed``."""

    seed: int
    index: int
    tiny: bool
    detail_seed: int
    head: HeadOptions
    vessels: VesselOptions
    clot: ClotOptions
    mimics: MimicOptions
    acquisition: AcquisitionOptions
    version: int = VERSION

    @property
    def spacing_mm(self) -> float:
        """Internal isotropic grid spacing."""
        return TINY_SPACING_MM if self.tiny else 0.6

    def detail_rng(self, part: int) -> np.random.Generator:
        """Generator for the structural draws of one module (``part`` tells them apart)."""
        return np.random.default_rng([self.seed, self.index, self.detail_seed, part])

    def to_json_dict(self) -> dict[str, Any]:
        return asdict(self)


def _u(rng: np.random.Generator, lo: float, hi: float) -> float:
    return float(rng.uniform(lo, hi))


def _head(rng: np.random.Generator, tiny: bool) -> HeadOptions:
    return HeadOptions(
        scale=TINY_SCALE if tiny else 1.0,
        width_mm=_u(rng, 130, 170),
        length_mm=_u(rng, 160, 210),
        height_mm=_u(rng, 150, 180),
        wobble=_u(rng, 0.02, 0.06),
        scalp_mm=_u(rng, 3, 7),
        scalp_hu=_u(rng, 0, 60),
        skull_mm=_u(rng, 3, 10),
        table_hu=_u(rng, 900, 1900),
        diploe_hu=_u(rng, 300, 800),
        base_fraction=_u(rng, 0.25, 0.40),
        base_bone_hu=_u(rng, 600, 1800),
        base_soft_hu=_u(rng, 20, 60),
        floor_mm=_u(rng, 4, 12),
        n_regions=int(rng.integers(8, 21)),
        bias_hu=_u(rng, 0, 6),
        csf_hu=_u(rng, 0, 15),
        atrophy=_u(rng, 0, 1),
        falx_hu=_u(rng, 5, 30) if rng.random() < 0.6 else 0.0,
    )


def _vessels(rng: np.random.Generator, tiny: bool, lumen_floor: float) -> VesselOptions:
    hyper = bool(rng.random() < 0.2)
    venous = bool(rng.random() < 0.3)
    sinus_ncct = _u(rng, 35, 60)
    asym = str(rng.choice(ASYMMETRY_KINDS)) if rng.random() < 0.2 else ""
    return VesselOptions(
        calibre=_u(rng, 0.7, 1.3) * (TINY_CALIBRE if tiny else 1.0),
        tortuosity=_u(rng, 0, 1),
        asymmetry=asym,
        asymmetry_side=int(rng.choice((-1, 1))),
        asymmetry_factor=0.0 if rng.random() < 0.5 else _u(rng, 0.4, 0.6),
        pcom=bool(rng.random() < 0.5),
        blood_hu=_u(rng, 50, 62) if hyper else _u(rng, 30, 58),
        hyperdense_blood=hyper,
        lumen_hu=_u(rng, max(150.0, lumen_floor), 600),
        parenchyma_enhancement_hu=_u(rng, 2, 8),
        wall_hu=_u(rng, 30, 55),
        wall_enhancement_hu=_u(rng, 5, 25),
        venous_contamination=venous,
        sinus_ncct_hu=sinus_ncct,
        sinus_cta_hu=_u(rng, 100, 400) if venous else sinus_ncct + _u(rng, 0, 20),
    )


def _clot(rng: np.random.Generator, blood_hu: float) -> ClotOptions:
    present = rng.random() < 0.8
    site = str(rng.choice(CLOT_SITES, p=CLOT_WEIGHTS))
    lo = max(40.0, blood_hu + 5.0) if blood_hu + 5.0 <= 90.0 else 40.0
    return ClotOptions(
        site=site if present else "",
        side=int(rng.choice((-1, 1))),
        length_mm=_u(rng, 3, 40),
        position=_u(rng, 0, 1),
        radius_factor=_u(rng, 0.9, 1.1),
        irregular=_u(rng, 0.05, 0.15) if rng.random() < 0.3 else 0.0,
        ncct_hu=_u(rng, lo, 90),
        perviousness_hu=_u(rng, 0, 40),
        distal_filling=_u(rng, 0, 1),
        distal_start_mm=_u(rng, 0, 10),
    )


def _mimics(rng: np.random.Generator) -> MimicOptions:
    return MimicOptions(
        sah=bool(rng.random() < 0.35),
        sah_hu=_u(rng, 50, 90),
        ich=bool(rng.random() < 0.10),
        ich_hu=_u(rng, 50, 90),
        ich_mm=_u(rng, 5, 40),
        wall_calcification=bool(rng.random() < 0.30),
        wall_calcification_hu=_u(rng, 200, 1200),
        dural_calcification=bool(rng.random() < 0.30),
        dural_calcification_hu=_u(rng, 100, 800),
        aneurysm=bool(rng.random() < 0.10),
        bone_blobs=bool(rng.random() < 0.5),
    )


def _scan(rng: np.random.Generator) -> ScanOptions:
    kernel = str(rng.choice(("smooth", "standard", "sharp")))
    psf = {"smooth": (0.7, 1.0), "standard": (0.45, 0.75), "sharp": (0.3, 0.5)}[kernel]
    return ScanOptions(
        kernel=kernel,
        psf_mm=_u(rng, *psf),
        sharpen=_u(rng, 0.3, 0.8) if kernel == "sharp" else 0.0,
        noise_sd=_u(rng, 2, 12),
        noise_corr_mm=_u(rng, 0.3, 1.5),
        streak_hu=_u(rng, 20, 80) if rng.random() < 0.5 else 0.0,
        beam_hardening_hu=_u(rng, -25, -5) if rng.random() < 0.4 else 0.0,
        hu_offset=_u(rng, -10, 10),
    )


def _acquisition(rng: np.random.Generator, tiny: bool) -> AcquisitionOptions:
    partial = rng.random() < 0.15
    rot = rng.uniform(-25, 25, 3)
    shift = rng.uniform(-15, 15, 3)
    return AcquisitionOptions(
        pixel_mm=TINY_SPACING_MM if tiny else _u(rng, 0.4, 0.9),
        slice_mm=TINY_SPACING_MM if tiny else _u(rng, 0.5, 2.5),
        field_z_mm=_u(rng, 150, 180),
        rotation_deg=(float(rot[0]), float(rot[1]), float(rot[2])),
        shift_mm=(float(shift[0]), float(shift[1]), float(shift[2])),
        partial_fov=str(rng.choice(("top", "side"))) if partial else "",
        fov_cut_mm=_u(rng, 10, 40),
        ncct=_scan(rng),
        cta=_scan(rng),
    )


def draw_options(seed: int, index: int, *, tiny: bool = False) -> Options:
    """The options of case ``index`` of ``seed`` (a pure function of its arguments)."""
    rng = np.random.default_rng([seed, index])
    head = _head(rng, tiny)
    mimics = _mimics(rng)
    acquisition = _acquisition(rng, tiny)
    first = _vessels(rng, tiny, 150.0)
    clot = _clot(rng, first.blood_hu)
    # keep the clot a filling defect: the lumen at least 70 HU above the clot's CTA value
    # even at the low end (-15 %) of the per-artery variation
    floor = (clot.ncct_hu + clot.perviousness_hu + 70.0) / 0.85 if clot.present else 150.0
    lumen = first.lumen_hu if first.lumen_hu >= floor else _u(rng, floor, 600)
    vessels = VesselOptions(**{**asdict(first), "lumen_hu": lumen})
    return Options(
        seed=seed,
        index=index,
        tiny=tiny,
        detail_seed=int(rng.integers(0, 2**31 - 1)),
        head=head,
        vessels=vessels,
        clot=clot,
        mimics=mimics,
        acquisition=acquisition,
    )
