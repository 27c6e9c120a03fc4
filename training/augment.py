"""On-the-fly augmentation of training patches, after nnU-Net's default pipeline.

The phantoms already vary anatomy, intensities and acquisition per case
(:func:`training.make_phantoms.random_options`); these transforms vary every patch again, so
that the networks cannot learn one generator's textures, contrast levels or sharpness.
HU physics that carries the signal is kept: a clot stays hyperdense on NCCT relative to
flowing blood and stays a filling defect on CTA.

In HU, before normalisation (:func:`intensity_hu`, each with its own probability):

* CTA arterial phase: enhancement above 40 HU scaled by 0.7-1.4 (the phantoms already span
  lumen 150-600 HU; 0.45-1.7 on top of that erased the filling defect of faint CTAs);
* per channel calibration offset (SD 8 HU) and gain (0.93-1.07);
* noise, SD 0-6 HU on top of the phantom's own 2-14 HU, white or spatially correlated
  (Gaussian-filtered, sigma 0.5-1.5 voxel; 0-15 HU buried thin clots in 20 HU of noise);
* reconstruction kernel: Gaussian blur (sigma 0.4-1.2 voxel) or unsharp sharpening;
* low resolution: down- and up-sampling by 1.4-3x along z only or along every axis;
* NCCT-CTA misregistration: the CTA shifted by up to one voxel along each axis.

Distractors (:func:`distractors_hu`), away from the thrombus and labelled background:
hyperdense non-enhancing blobs (NCCT 45-95 HU, CTA 0-25 HU above it, 1-4 mm radii: blood,
choroid plexus, a clot-like density outside any artery) and dense fragments (300-1200 HU:
bone, calcium) whose partial-volume rims have clot-like HU on both scans. A thrombus is
such material *inside an artery's course*; these teach the networks that the material
alone is not one.

On the normalised patch with its target (:func:`spatial_and_gamma`): rotation up to 15
degrees about every axis, isotropic scaling 0.85-1.2, an elastic deformation, and a gamma
of 0.7-1.5 on the image channels. Left-right mirroring happens in the batch builders.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import torch
import torch.nn.functional as F

from strokescope.phantom.kernels import gaussian_1d

P_PHASE = 0.5
P_NOISE = 0.7
P_BLUR = 0.2
P_SHARPEN = 0.15
P_LOWRES = 0.25
P_SHIFT = 0.3
P_SPATIAL = 0.35
P_ELASTIC = 0.2
P_GAMMA = 0.25
P_DISTRACT = 0.35
BLOOD_HU = 40.0


def gaussian(volume: npt.NDArray[np.float32], sigma: float) -> npt.NDArray[np.float32]:
    """Separable Gaussian filter (sigma in voxels) of a (z, y, x) array, edges replicated."""
    k = torch.from_numpy(gaussian_1d(sigma))
    r = (len(k) - 1) // 2
    t = torch.from_numpy(np.ascontiguousarray(volume, dtype=np.float32))[None, None]
    for axis in range(3):
        shape = [1, 1, 1, 1, 1]
        shape[2 + axis] = len(k)
        pad = [0, 0, 0, 0, 0, 0]
        pad[2 * (2 - axis)] = pad[2 * (2 - axis) + 1] = r
        t = F.conv3d(F.pad(t, pad, mode="replicate"), k.reshape(shape))
    return t[0, 0].numpy()


def _low_resolution(
    volume: npt.NDArray[np.float32], factors: list[float]
) -> npt.NDArray[np.float32]:
    t = torch.from_numpy(np.ascontiguousarray(volume))[None, None]
    small = [max(1, int(round(s / f))) for s, f in zip(volume.shape, factors, strict=True)]
    low = F.interpolate(t, size=small, mode="area")
    return F.interpolate(low, size=volume.shape, mode="trilinear", align_corners=False)[
        0, 0
    ].numpy()


def intensity_hu(hu: npt.NDArray[np.floating], rng: np.random.Generator) -> npt.NDArray[np.float32]:
    """Randomly transformed copy of a (2, z, y, x) NCCT + CTA patch in HU (or of a
    (1, z, y, x) NCCT patch: then without the CTA's phase and misregistration)."""
    out = hu.astype(np.float32, copy=True)
    channels = out.shape[0]
    if channels > 1 and rng.random() < P_PHASE:
        cta = out[1]
        bright = cta > BLOOD_HU
        cta[bright] = BLOOD_HU + (cta[bright] - BLOOD_HU) * rng.uniform(0.7, 1.4)
    for c in range(channels):
        out[c] = out[c] * rng.uniform(0.93, 1.07) + rng.normal(0.0, 8.0)
    for c in range(channels):
        if rng.random() < P_BLUR:
            out[c] = gaussian(out[c], rng.uniform(0.4, 1.2))
        elif rng.random() < P_SHARPEN:
            amount = rng.uniform(0.3, 1.0)
            out[c] = out[c] + amount * (out[c] - gaussian(out[c], rng.uniform(0.6, 1.2)))
        if rng.random() < P_NOISE:
            noise = rng.normal(0.0, 1.0, out[c].shape).astype(np.float32)
            if rng.random() < 0.5:
                noise = gaussian(noise, rng.uniform(0.5, 1.5))
                noise /= max(float(noise.std()), 1e-6)
            out[c] += rng.uniform(0.0, 6.0) * noise
    if rng.random() < P_LOWRES:
        f = float(rng.uniform(1.4, 3.0))
        factors = [f, 1.0, 1.0] if rng.random() < 0.5 else [f, f, f]
        for c in range(channels):
            out[c] = _low_resolution(out[c], factors)
    if channels > 1 and rng.random() < P_SHIFT:
        shift = tuple(int(s) for s in rng.integers(-1, 2, 3))
        out[1] = np.roll(out[1], shift, axis=(0, 1, 2))
    return out


def distractors_hu(
    hu: npt.NDArray[np.float32],
    label: npt.NDArray[np.floating],
    spacing_mm: float,
    rng: np.random.Generator,
) -> npt.NDArray[np.float32]:
    """``hu`` (2, z, y, x) with 1-3 clot-like or dense objects drawn where ``label`` is 0
    within their radius + 2 voxels (in place; also returned). Soft, partial-volume edges."""
    shape = np.asarray(hu.shape[1:])
    for _ in range(int(rng.integers(1, 4))):
        dense = rng.random() < 0.35
        radii_mm = rng.uniform(1.0, 6.0 if dense else 4.0, 3)
        radii = np.maximum(radii_mm / spacing_mm, 0.7)
        reach = int(np.ceil(radii.max())) + 2
        centre = rng.uniform(0, 1, 3) * (shape - 1)
        lo = np.maximum(np.floor(centre - reach).astype(int), 0)
        hi = np.minimum(np.ceil(centre + reach).astype(int) + 1, shape)
        box = tuple(slice(a, b) for a, b in zip(lo, hi, strict=True))
        if np.any(label[box]) or np.any(hi <= lo):
            continue
        axes = np.linalg.qr(rng.normal(size=(3, 3)))[0]
        grid = (
            np.stack(
                np.meshgrid(*[np.arange(a, b) for a, b in zip(lo, hi, strict=True)], indexing="ij"),
                axis=-1,
            )
            - centre
        )
        d = np.linalg.norm((grid @ axes) / radii, axis=-1)
        w = 1.0 / (1.0 + np.exp((d - 1.0) * radii.min() / 0.4))
        if dense:
            values = (float(rng.uniform(300.0, 1200.0)),) * 2
        else:
            n = float(rng.uniform(45.0, 95.0))
            values = (n, n + float(rng.uniform(0.0, 25.0)))
        for c in range(2):
            hu[c][box] = hu[c][box] * (1.0 - w) + values[c] * w
    return hu


def _rotation(angles: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    cx, cy, cz = np.cos(angles)
    sx, sy, sz = np.sin(angles)
    rx = np.array([[1, 0, 0], [0, cx, -sx], [0, sx, cx]])
    ry = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    rz = np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]])
    return rz @ ry @ rx


def spatial_and_gamma(
    image: npt.NDArray[np.float32],
    label: npt.NDArray[np.float32],
    rng: np.random.Generator,
    *,
    image_channels: int = 2,
    label_threshold: float = 0.5,
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """Rotation, scaling and elastic deformation of a normalised (C, z, y, x) patch and its
    (z, y, x) target together (the moved target is binarised at ``label_threshold``: a
    lower one keeps thin coarse targets, one voxel wide, from vanishing); then a gamma on the
    first ``image_channels`` channels."""
    if rng.random() < P_SPATIAL:
        shape = image.shape[1:]
        matrix = _rotation(np.radians(rng.uniform(-15.0, 15.0, 3))) / rng.uniform(0.85, 1.2)
        theta = torch.zeros(1, 3, 4)
        theta[0, :, :3] = torch.from_numpy(matrix.astype(np.float32))
        grid = F.affine_grid(theta, [1, 1, *shape], align_corners=False)
        if rng.random() < P_ELASTIC:
            coarse = rng.normal(0.0, 1.0, (1, 3, *(max(2, s // 8) for s in shape)))
            field = F.interpolate(
                torch.from_numpy(coarse.astype(np.float32)),
                size=shape,
                mode="trilinear",
                align_corners=False,
            )
            magnitude = rng.uniform(0.5, 2.0)  # voxels
            scale = torch.tensor([2.0 / s for s in reversed(shape)]) * magnitude
            grid = grid + field.permute(0, 2, 3, 4, 1).flip(-1) * scale
        both = np.concatenate([image, label[None]])
        moved = F.grid_sample(
            torch.from_numpy(np.ascontiguousarray(both))[None],
            grid,
            mode="bilinear",
            padding_mode="border",
            align_corners=False,
        )[0].numpy()
        image, label = moved[:-1], (moved[-1] >= label_threshold).astype(np.float32)
    if rng.random() < P_GAMMA:
        image = image.copy()
        for c in range(image_channels):
            image[c] = np.power(np.clip(image[c], 0.0, 1.0), rng.uniform(0.7, 1.5))
    return image.astype(np.float32), label.astype(np.float32)
