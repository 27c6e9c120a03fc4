"""The working grid of the arterial tree: both scans resampled, opacified lumen, speed.

Both scans are resampled linearly onto an isotropic grid (``spacing_mm``, default 1 mm)
with the CTA's orientation: the CTA through the identity, the NCCT through the rigid
motion of :func:`strokescope.preprocess.registration.register_rigid`. "Opacified" is the
rule of :mod:`strokescope.thrombus.vessel_evidence` (CTA - NCCT >= ``ENHANCEMENT_HU``,
CTA >= ``MIN_LUMEN_CTA_HU``, NCCT below the calcification cut), applied voxel-wise; within
``NEAR_BONE_MM`` of bone (NCCT >= ``BONE_HU``) the contrast must also hold on
*kernel-matched* scans (:func:`kernel_match`), with a margin of ``RESIDUAL_MARGIN`` times
the mismatch left on the bone edges. Two scans reconstructed with different kernels, or a slightly
different slice profile, draw a bone edge with different blur: the softer one spreads the
bone's brightness further out, so where that is the CTA, CTA minus NCCT just outside the
edge passes the rule, and a one-voxel shell of "lumen" wraps the skull base and joins the
arteries to each other and to the sinuses. Blurring
the sharper scan until the two agree on the bone edges (the Gaussian that minimises the
median difference there; subtraction angiography matches its mask the same way) leaves a
real artery beside the bone its contrast and takes the shell away. Outside the NCCT's field
of view (a shorter NCCT, or motion between the scans along the head) nothing is lumen:
with air for the NCCT there, the skull base's bone passed the rule, and a slab of it
joined the carotids to the vertebral arteries at the bottom of the field.

The speed of the minimal-path search ([Sethian1996] fast marching, as in the minimal-path
centerlines of [Deschamps2001]) is high deep inside the lumen - (1 + radius / mm)^2, so
paths keep to the lumen's centre - ``CLOT_SPEED`` in clot-like voxels (NCCT 45-100 HU,
not opacified: a path can run through an occluding clot) and ``TISSUE_SPEED`` elsewhere
(a path can still bridge a short gap, at a high price). Clot-like voxels count only where
the clot-like region is as thin as an artery (:func:`artery_thin`): a clot fills a lumen,
while the muscles of the neck and skull base (40-60 HU on NCCT, no contrast) and pooled
blood are thick. Without that the marches flooded the neck muscles (three quarters of the
voxels a march from a carotid root reached, at the price of a clot) and a path could run
through them from one artery to another.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np
import numpy.typing as npt

from strokescope.preprocess.gaussian import gaussian_mm
from strokescope.preprocess.morphology import bounding_box, dilate_ball, inside_distance
from strokescope.preprocess.registration import AIR_HU, RegistrationResult, resample_registered
from strokescope.thrombus.vessel_evidence import ENHANCEMENT_HU, opacified_hu
from strokescope.vessels.threads import side_by_side, thread_map
from strokescope.volume import Geometry, Volume

CLOT_NCCT_HU = (45.0, 100.0)
BONE_HU = 150.0
NEAR_BONE_MM = 3.0
EDGE_BONE_HU = 300.0
"""Bone for the kernel match: its edge is the voxel shell just outside it."""
EDGE_BLOCKS = 12
EDGE_BLOCK_MM = 32.0
EDGE_BLOCK_MARGIN_MM = 6.0
RESIDUAL_MARGIN = 2.0
"""Near bone, contrast on the matched scans must exceed ``ENHANCEMENT_HU`` by this many times
the edges' residual mismatch (motion, kernels no Gaussian matches): 70-90 HU on family A,
85-120 HU on family C, still far below an artery's 200-400 HU."""
MATCH_SIGMAS_MM = (0.4, 0.6, 0.8, 1.0, 1.3, 1.6)
BLUR_REACH = 8.0
"""How many sigmas round the voxels it decides the kernel-matched blur is read (the
recursive Gaussian's reach: at 8 sigmas it differed from the whole grid's blur by at most
0.001 HU, float rounding; at 4 sigmas by up to 0.3 HU)."""
CLOT_SPEED = 0.3
CLOT_MAX_RADIUS_MM = 4.0
"""Clot-like voxels covered by a ball of this radius lying wholly in the clot-like region are
tissue, not clot: a clot is no thicker than its artery (ICA radius 2-3.5 mm)."""
CLOT_VOTE_SIGMA_MM = 1.0
TISSUE_SPEED = 0.01
MAX_RADIUS_MM = 3.0
HEAD_HU = -500.0
HEAD_PAD_MM = 5.0
ALIGN = 12
"""The head's box starts a multiple of this many voxels from the whole field's grid, so
that the blocks later averaged on it (brain mask, midsagittal plane: 2-4 voxels) fall as
they fell on the whole grid."""

F32 = npt.NDArray[np.float32]
Bool = npt.NDArray[np.bool_]


@dataclass(frozen=True, eq=False)
class WorkGrid:
    """Both scans on the working grid (z, y, x), the opacified lumen, its radius and speed."""

    geometry: Geometry
    cta: F32
    ncct: F32
    lumen: npt.NDArray[np.bool_]
    radius_mm: F32
    """Distance (mm) from each lumen voxel to the nearest non-lumen voxel; 0 outside."""
    speed: F32


@dataclass(frozen=True)
class KernelMatch:
    """The Gaussian (``sigma_mm`` on ``scan``, "cta" or "ncct"; 0: none) that best matches the
    two scans' bone edges, and the median |CTA - NCCT| there after it (HU)."""

    scan: str
    sigma_mm: float
    residual_hu: float

    def apply(self, cta: F32, ncct: F32, spacing_mm: float) -> tuple[F32, F32]:
        if self.sigma_mm <= 0:
            return cta, ncct
        blur = gaussian_mm(cta if self.scan == "cta" else ncct, self.sigma_mm, (spacing_mm,) * 3)
        return (blur, ncct) if self.scan == "cta" else (cta, blur)


def _edge_blocks(ncct: F32, spacing_mm: float) -> list[tuple[tuple[slice, ...], Bool]]:
    """Up to ``EDGE_BLOCKS`` blocks of the grid centred on random bone-edge voxels of the
    NCCT (the shell just outside NCCT >= ``EDGE_BONE_HU``), each with a mask of the edge
    voxels it reads: those within ``EDGE_BLOCK_MM`` / 2 of its centre (the block keeps
    ``EDGE_BLOCK_MARGIN_MM`` more round them, so the blur sees what lies beyond)."""
    bone = ncct >= EDGE_BONE_HU
    edge = dilate_ball(bone, (1, 1, 1)) & ~bone
    idx = np.argwhere(edge)
    if len(idx) == 0:
        return []
    rng = np.random.default_rng(0)
    centres = idx[rng.choice(len(idx), min(EDGE_BLOCKS, len(idx)), replace=False)]
    half = int(round(EDGE_BLOCK_MM / 2 / spacing_mm))
    pad = int(round(EDGE_BLOCK_MARGIN_MM / spacing_mm))
    shape = np.asarray(ncct.shape)
    out = []
    for c in centres:
        lo, hi = np.maximum(c - half - pad, 0), np.minimum(c + half + pad + 1, shape)
        box = tuple(slice(int(a), int(b)) for a, b in zip(lo, hi, strict=True))
        read = np.zeros(edge[box].shape, dtype=bool)
        inner = tuple(
            slice(int(max(0, cc - half - a)), int(min(b - a, cc + half + 1 - a)))
            for cc, a, b in zip(c, lo, hi, strict=True)
        )
        read[inner] = edge[box][inner]
        out.append((box, read))
    return out


def kernel_match(cta: F32, ncct: F32, spacing_mm: float) -> KernelMatch:
    """Which scan to blur, and how much, so that both draw the bone edges alike: the
    candidate of :data:`MATCH_SIGMAS_MM` on either scan (or none) with the least median
    |CTA - NCCT| over the bone-edge voxels of ``EDGE_BLOCKS`` blocks round random edge
    voxels of the NCCT (contrast is rare there, so the median reads the edges, not the
    arteries). Every candidate is tried: under a sharp CTA beside a smooth NCCT the
    residual is not unimodal in the blur (it rose at 0.4 mm and fell below the unblurred
    one at 0.8 mm), so a walk that stops where it first rises picks the wrong one."""
    blocks = _edge_blocks(ncct, spacing_mm)
    if not blocks:
        return KernelMatch("cta", 0.0, 0.0)

    def residual(match: KernelMatch) -> float:
        diffs = []
        for box, read in blocks:
            c, n = match.apply(cta[box], ncct[box], spacing_mm)
            diffs.append(np.abs(c[read] - n[read]))
        return float(np.median(np.concatenate(diffs)))

    tried = [KernelMatch("cta", 0.0, 0.0)]
    tried += [KernelMatch(scan, s, 0.0) for scan in ("cta", "ncct") for s in MATCH_SIGMAS_MM]
    residuals = thread_map(residual, tried)
    best = int(np.argmin(residuals))  # the first of equal residuals, in the order above
    return KernelMatch(tried[best].scan, tried[best].sigma_mm, residuals[best])


def opacified_lumen(cta: F32, ncct: F32, spacing_mm: float) -> Bool:
    """The opacified-lumen rule, held near bone on kernel-matched scans too (see the
    module docstring)."""
    lumen = opacified_hu(cta, ncct)
    bone = ncct >= BONE_HU
    if not bone.any() or not lumen.any():
        return lumen
    match = kernel_match(cta, ncct, spacing_mm)
    near = dilate_ball(bone, (max(1, round(NEAR_BONE_MM / spacing_mm)),) * 3)
    check = lumen & near
    if not check.any():
        return lumen
    # Blurred on the box of the voxels checked and BLUR_REACH sigmas round it: the blur there
    # is the whole grid's to float rounding (<= 0.001 HU), at a fifth of the cost.
    box = bounding_box(check, int(np.ceil(BLUR_REACH * match.sigma_mm / spacing_mm)) + 1)
    c, n = match.apply(cta[box], ncct[box], spacing_mm)
    inside, decided = check[box], lumen[box]  # a view: written through to lumen
    decided[inside] = c[inside] - n[inside] >= ENHANCEMENT_HU + RESIDUAL_MARGIN * match.residual_hu
    return lumen


def work_geometry(cta: Volume, spacing_mm: float) -> Geometry:
    """An isotropic grid of ``spacing_mm`` over the part of the CTA's field of view that
    holds the head (voxels above ``HEAD_HU``, ``HEAD_PAD_MM`` round them, its first voxel
    on a multiple of ``ALIGN``), same orientation and lattice as over the whole field: the
    air round the head holds no artery, and every step of the tree costs in proportion to
    the grid's voxels."""
    g = cta.geometry
    shape = np.array(
        [
            max(1, int(np.floor((n - 1) * s / spacing_mm)) + 1)
            for n, s in zip(g.shape, g.spacing, strict=True)
        ]
    )
    whole = Geometry(tuple(shape), (spacing_mm,) * 3, g.origin, g.direction)
    step = [max(1, int(spacing_mm / s)) for s in g.spacing]
    head = cta.array[:: step[0], :: step[1], :: step[2]] > HEAD_HU
    if not head.any():
        return whole
    lo, hi = np.zeros(3, int), shape - 1
    for axis, seen in enumerate(bounding_box(head, 0)):
        mm = np.array([seen.start, seen.stop - 1]) * step[axis] * g.spacing[axis]
        lo[axis] = max(0, int(np.floor((mm[0] - HEAD_PAD_MM) / spacing_mm))) // ALIGN * ALIGN
        hi[axis] = min(hi[axis], int(np.ceil((mm[1] + HEAD_PAD_MM) / spacing_mm)))
    return whole.crop(tuple(int(a) for a in lo), tuple(int(a) for a in hi - lo + 1))


def _beyond(core: Bool, mm: float, spacing_mm: float) -> Bool:
    """The voxels whose inside distance in ``~core`` exceeds ``mm`` (``core`` not empty),
    read on the box of ``core`` grown past ``mm``: voxels outside it lie farther."""
    out = np.ones(core.shape, bool)
    box = bounding_box(core, int(np.ceil(mm / spacing_mm)) + 2)
    out[box] = inside_distance(~core[box], spacing_mm) > mm
    return out


def lumen_radius(lumen: npt.NDArray[np.bool_], spacing_mm: float) -> F32:
    """Inside distance (mm) of the lumen to its background, at most ``MAX_RADIUS_MM``."""
    return np.minimum(inside_distance(lumen, spacing_mm), np.float32(MAX_RADIUS_MM))


def artery_thin(mask: Bool, spacing_mm: float) -> Bool:
    """The voxels of ``mask`` that lie where its region is as thin as an artery: the region
    is ``mask`` by majority over a Gaussian of ``CLOT_VOTE_SIGMA_MM`` (noise speckles a
    muscle's clot-like voxels, half of them fall below 45 HU), and its voxels covered by a
    ball of ``CLOT_MAX_RADIUS_MM`` lying wholly inside it (its morphological opening, by two
    distance maps, to the voxel) are dropped."""
    if not mask.any():
        return mask
    spacing = (spacing_mm,) * 3
    region = gaussian_mm(mask.astype(np.float32), CLOT_VOTE_SIGMA_MM, spacing) > 0.5
    core = inside_distance(region, spacing_mm) > CLOT_MAX_RADIUS_MM  # centres of balls that fit
    if not core.any():
        return mask
    return mask & _beyond(core, CLOT_MAX_RADIUS_MM, spacing_mm)


def speed_map(
    cta: F32, ncct: F32, lumen: npt.NDArray[np.bool_], radius_mm: F32, spacing_mm: float
) -> F32:
    """Fast-marching speed (see the module docstring)."""
    clot = (ncct >= CLOT_NCCT_HU[0]) & (ncct <= CLOT_NCCT_HU[1]) & (cta - ncct < ENHANCEMENT_HU)
    clot = artery_thin(clot, spacing_mm)
    speed = np.full(cta.shape, TISSUE_SPEED, np.float32)
    speed[clot] = CLOT_SPEED
    speed[lumen] = (1.0 + radius_mm[lumen]) ** 2
    return speed


@dataclass(frozen=True, eq=False)
class Resampled:
    """Both scans on the working grid; ``unseen``: outside the NCCT's field of view (its
    values there are ``AIR_HU``)."""

    geometry: Geometry
    cta: F32
    ncct: F32
    unseen: Bool


def resampled(
    ncct: Volume, cta: Volume, reg: RegistrationResult, *, spacing_mm: float = 1.0
) -> Resampled:
    """Both scans resampled onto the working grid (:func:`work_geometry`)."""
    geom = work_geometry(cta, spacing_mm)
    on_cta, on_ncct = side_by_side(
        partial(resample_registered, cta, geom, np.eye(4)),
        partial(resample_registered, ncct, geom, reg.cta_to_ncct, default_hu=np.nan),
    )
    c, n = on_cta.array, on_ncct.array
    unseen = np.isnan(n)
    n[unseen] = AIR_HU
    return Resampled(geom, c, n, unseen)


def derived_grid(scans: Resampled) -> WorkGrid:
    """The working grid of ``scans``: their lumen, radius and speed (inputs not written)."""
    c, n, spacing_mm = scans.cta, scans.ncct, scans.geometry.spacing[0]
    lumen = opacified_lumen(c, n, spacing_mm) & ~scans.unseen
    radius = lumen_radius(lumen, spacing_mm)
    return WorkGrid(scans.geometry, c, n, lumen, radius, speed_map(c, n, lumen, radius, spacing_mm))


def build_grid(
    ncct: Volume, cta: Volume, reg: RegistrationResult, *, spacing_mm: float = 1.0
) -> WorkGrid:
    """Resample both scans onto the working grid and derive lumen, radius and speed."""
    return derived_grid(resampled(ncct, cta, reg, spacing_mm=spacing_mm))
