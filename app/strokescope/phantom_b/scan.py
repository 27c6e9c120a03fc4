"""Render one family B scan (NCCT or CTA) of a planned case onto its grid.

Tissue labels (head, painted structures, CSF sleeves around the cisternal arteries) are
rendered once, on the NCCT grid, and moved to the CTA pose by nearest-neighbour resampling
(the motion is at most 2 mm / 2 deg). Then, per scan: HU look-up -> vessels by class with
partial-volume occupancy -> calcified deposits -> beam hardening -> blur -> correlated
noise -> clip to [-1024, 3071].
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from strokescope.phantom_b import tissues as T
from strokescope.phantom_b.acquisition import beam_hardening, finish
from strokescope.phantom_b.clot import CLOT, DISTAL, NORMAL, VEIN, Piece
from strokescope.phantom_b.frame import Pose, axes_mm
from strokescope.phantom_b.head import HeadShape, render_head
from strokescope.phantom_b.mimics import Deposit
from strokescope.phantom_b.structures import Blob, paint_structures
from strokescope.phantom_b.tubes import draw_tube, tube_boxes
from strokescope.volume import Geometry

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
_SLEEVE_INTO = T.label_set((T.GM, T.WM, T.DEEP, T.STEM, T.CEREB, T.PFSPACE))


@dataclass(frozen=True, eq=False)
class ScanSpec:
    """Everything that differs between the NCCT and the CTA of one case."""

    geom: Geometry
    pose: Pose
    lut: F32  # label -> HU
    vessel_hu: dict[int, float]  # piece kind -> HU
    blur_sigma: float  # voxels
    beam_hardening_hu: float
    noise_sd: float
    noise_seed: tuple[int, ...]


@dataclass(frozen=True, eq=False)
class Anatomy:
    """The scan-independent plan of one case, in the head frame."""

    shape: HeadShape
    blobs: list[Blob]
    pieces: list[Piece]
    sleeves: list[tuple[F64, F64]]  # (points, radii) of arteries that run in cisterns
    sleeve_mm: float
    deposits: list[Deposit]


def _sleeves(labels: npt.NDArray[np.uint8], spec: ScanSpec, anat: Anatomy) -> None:
    for pts, radii in anat.sleeves:
        world = spec.pose.to_world(pts)
        for box, sdf in tube_boxes(spec.geom, world, radii, margin=anat.sleeve_mm + 1.0):
            sub = labels[box]
            sub[(sdf < anat.sleeve_mm) & _SLEEVE_INTO[sub]] = T.CSF


def render_labels(geom: Geometry, pose: Pose, anat: Anatomy) -> npt.NDArray[np.uint8]:
    """Tissue labels of the head on ``geom`` (rendered once, on the NCCT grid)."""
    labels = render_head(geom, pose, anat.shape)
    paint_structures(labels, geom, pose, anat.blobs)
    for pts, radii in anat.sleeves:
        world = pose.to_world(pts)
        for box, sdf in tube_boxes(geom, world, radii, margin=anat.sleeve_mm + 1.0):
            sub = labels[box]
            sub[(sdf < anat.sleeve_mm) & _SLEEVE_INTO[sub]] = T.CSF
    return labels


def moved_labels(
    labels: npt.NDArray[np.uint8], geom: Geometry, src: Pose, dst: Pose
) -> npt.NDArray[np.uint8]:
    """Nearest-neighbour resampling of ``labels`` (head at ``src``) to the head at ``dst``."""
    # world point p under dst -> head h -> world point under src: q = A p + b
    a = src.rotation @ dst.rotation.T
    b = np.asarray(src.translation) - a @ np.asarray(dst.translation)
    z, y, x = axes_mm(geom)
    org = np.asarray(geom.origin)
    sp = np.asarray(geom.spacing)[::-1]  # (x, y, z)
    nz, ny, nx = geom.shape
    planes = []
    for axis in range(3):
        p = (a[axis, 0] * x[None, :] + a[axis, 1] * y[:, None] + b[axis] - org[axis]) / sp[axis]
        planes.append((p.astype(np.float32), a[axis, 2] / sp[axis]))
    src_flat = labels.reshape(-1)
    out = np.empty_like(labels)
    for k in range(nz):
        idx = []
        for (plane, dz), n in zip(planes, (nx, ny, nz), strict=True):
            i = np.rint(plane + np.float32(dz * z[k])).astype(np.int32)
            np.clip(i, 0, n - 1, out=i)
            idx.append(i)
        flat = idx[2] * np.int32(ny)
        flat += idx[1]
        flat *= np.int32(nx)
        flat += idx[0]
        out[k] = src_flat[flat]
    return out


def render_scan(spec: ScanSpec, anat: Anatomy, labels: npt.NDArray[np.uint8]) -> F32:
    """HU array (float32, z y x) of one scan whose tissue ``labels`` are already placed."""
    geom, pose = spec.geom, spec.pose
    hu = spec.lut[labels]
    occ = np.zeros(geom.shape, dtype=np.float32)  # back to all zeros after each kind
    for kind in (NORMAL, DISTAL, VEIN, CLOT):
        boxes = []
        for p in anat.pieces:
            if p.kind == kind:
                world = pose.to_world(p.points)
                boxes += draw_tube(occ, geom, world, p.radii, cap_start=p.caps, cap_end=p.caps)
        v = np.float32(spec.vessel_hu[kind])
        for box in boxes:  # composite once per voxel: a box is zeroed once drawn
            o = occ[box]
            hu[box] += o * (v - hu[box])
            o[...] = 0.0
    w = float(np.mean(geom.spacing))
    for d in anat.deposits:
        for box, sdf in tube_boxes(geom, pose.to_world(d.points), d.radii, margin=w):
            o = np.clip(np.float32(0.5) - sdf / np.float32(w), 0.0, 1.0)
            hu[box] += o * (np.float32(d.hu) - hu[box])
    beam_hardening(hu, labels, geom, pose, spec.beam_hardening_hu)
    rng = np.random.default_rng(list(spec.noise_seed))
    return finish(hu, geom, pose, sigma_vox=spec.blur_sigma, noise_sd=spec.noise_sd, rng=rng)


def clot_mask(geom: Geometry, pose: Pose, anat: Anatomy) -> tuple[npt.NDArray[np.bool_], float]:
    """Voxels whose centre lies inside the clot, and the clot's centreline length in mm."""
    mask = np.zeros(geom.shape, dtype=bool)
    length = 0.0
    for p in anat.pieces:
        if p.kind != CLOT:
            continue
        world = pose.to_world(p.points)
        length += float(np.linalg.norm(np.diff(world, axis=0), axis=1).sum())
        for box, sdf in tube_boxes(geom, world, p.radii, margin=1.0, cap_start=True, cap_end=True):
            mask[box] |= sdf < 0
    return mask, length
