"""Reconstruction kernel, calibration offset and textured noise of the NCCT and CTA images.

Everything acts in-plane (a kernel is a property of the reconstruction of each slice) with
separable Gaussians written in numpy (scipy is not a runtime dependency), a few slices at a
time so memory stays bounded on 512 x 512 studies.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from strokescope.phantom.artifacts import NOISE_POOL, add_noise
from strokescope.phantom.shapes import F32

SMOOTH_SIGMA_MM = 0.6
SHARP_SIGMA_MM = 0.7
SHARP_AMOUNT = 0.8
"""Unsharp masking: ``image + amount * (image - blur(image))``."""
KERNEL_NOISE = {"standard": (1.0, None), "smooth": (0.7, 0.9), "sharp": (1.4, 0.35)}
"""Noise SD factor and default noise texture (Gaussian SD, mm) of each kernel."""
CHUNK_SLICES = 16
AIR_HU = -1000.0
TISSUE_HU = -100.0
"""The calibration offset fades in from air (none) to fat and above (all of it)."""


def gaussian_1d(sigma_px: float) -> npt.NDArray[np.float32]:
    """Normalised Gaussian taps (radius three SDs, at least one tap each side)."""
    radius = max(1, math.ceil(3.0 * sigma_px))
    x = np.arange(-radius, radius + 1, dtype=np.float64)
    g = np.exp(-0.5 * (x / max(sigma_px, 1e-6)) ** 2)
    return (g / g.sum()).astype(np.float32)


def _convolve(a: F32, taps: npt.NDArray[np.float32], axis: int) -> F32:
    r = len(taps) // 2
    pad = [(0, 0)] * a.ndim
    pad[axis] = (r, r)
    padded = np.pad(a, pad, mode="edge")
    n = a.shape[axis]
    out = np.zeros_like(a)
    index: list[slice] = [slice(None)] * a.ndim
    for t, w in enumerate(taps):
        index[axis] = slice(t, t + n)
        out += w * padded[tuple(index)]
    return out


def blur_inplane(a: F32, sigma_mm: float, spacing_ji: tuple[float, float]) -> F32:
    """In-plane Gaussian blur (SD ``sigma_mm``) of a (k, j, i) block."""
    out = _convolve(a, gaussian_1d(sigma_mm / spacing_ji[0]), 1)
    return _convolve(out, gaussian_1d(sigma_mm / spacing_ji[1]), 2)


def apply_kernel(image: F32, kernel: str, spacing_ji: tuple[float, float]) -> None:
    """Filter ``image`` in place as the ``kernel`` reconstruction would (standard: no-op)."""
    if kernel == "standard":
        return
    for k0 in range(0, image.shape[0], CHUNK_SLICES):
        block = image[k0 : k0 + CHUNK_SLICES]
        if kernel == "smooth":
            block[...] = blur_inplane(block, SMOOTH_SIGMA_MM, spacing_ji)
        else:
            detail = block - blur_inplane(block, SHARP_SIGMA_MM, spacing_ji)
            block += np.float32(SHARP_AMOUNT) * detail


def apply_offset(image: F32, offset: float) -> None:
    """Add a calibration ``offset`` (HU, in place) to everything denser than air."""
    if offset == 0:
        return
    weight = (image - np.float32(AIR_HU)) * np.float32(1.0 / (TISSUE_HU - AIR_HU))
    np.clip(weight, 0.0, 1.0, out=weight)
    image += weight * np.float32(offset)


def add_scan_noise(
    image: F32,
    sd: float,
    rng: np.random.Generator,
    *,
    kernel: str,
    texture_mm: float | None,
    spacing_ji: tuple[float, float],
) -> None:
    """Add the noise of ``kernel`` (in place): today's mildly correlated noise for the
    standard kernel without ``texture_mm``, else Gaussian-shaped noise of SD ``sd`` times
    the kernel's factor and correlation ``texture_mm`` (or the kernel's)."""
    factor, default_texture = KERNEL_NOISE[kernel]
    texture = texture_mm if texture_mm is not None else default_texture
    if texture is None:
        add_noise(image, sd, rng)
        return
    sd *= factor
    if sd <= 0:
        return
    n_k, n_j, n_i = image.shape
    gj = gaussian_1d(texture / spacing_ji[0])
    gi = gaussian_1d(texture / spacing_ji[1])
    gain = np.float32(sd / math.sqrt(2.0 * float(gj @ gj) * float(gi @ gi)))
    pool = rng.standard_normal((min(NOISE_POOL, n_k), n_j, n_i), dtype=np.float32)
    picks = rng.integers(0, len(pool), size=(n_k, 2))
    shifts = rng.integers(0, max(n_j, n_i), size=(n_k, 4))
    for k0 in range(0, n_k, CHUNK_SLICES):
        ks = range(k0, min(n_k, k0 + CHUNK_SLICES))
        white = np.stack(
            [
                np.roll(pool[picks[k, 0]], (shifts[k, 0], shifts[k, 1]), axis=(0, 1))
                + np.roll(pool[picks[k, 1]], (shifts[k, 2], shifts[k, 3]), axis=(0, 1))
                for k in ks
            ]
        )
        shaped = _convolve(_convolve(white, gj, 1), gi, 2)
        image[k0 : k0 + len(ks)] += shaped * gain
