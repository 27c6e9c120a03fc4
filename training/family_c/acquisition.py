"""Simulated acquisition: field of view, PSF, slice profile, noise, streaks, the label grid.

The scene is rendered on an isotropic internal grid; each scan then gets its own global
HU offset and beam-hardening band, an in-plane Gaussian PSF (plus an unsharp mask for
sharp kernels), correlated noise, the slice profile as a box average along z (true
partial volume), linear sampling onto the common output grid, and skull-base streaks in
the axial slices near dense bone. The label is the clot's fraction through the same slice
profile and sampling, thresholded at 0.5.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy import sparse
from scipy.ndimage import gaussian_filter1d

from training.family_c.fields import F32, F64, Grid, linear_weights, resample
from training.family_c.options import AcquisitionOptions, ScanOptions
from training.family_c.render import I64, add

AIR_HU = -1000.0
FIELD_MM = (200.0, 220.0)
"""Field of view (x, y) in mm at full size; z is drawn per case."""


def field_box(
    acq: AcquisitionOptions,
    scale: float,
    head_centre: F64,
    head_radii: F64,
    clot: F64 | None,
) -> tuple[F64, F64]:
    """LPS corners of the output field: the head's field, cut for a partial FOV, and
    shifted or un-cut so that the clot (when there is one) lies well inside it."""
    size = np.array([FIELD_MM[0], FIELD_MM[1], acq.field_z_mm]) * scale
    lo, hi = -size / 2, size / 2
    margin = 12.0 * scale
    if acq.partial_fov == "top":
        hi[2] = min(hi[2], head_centre[2] + head_radii[2] - acq.fov_cut_mm * scale)
    elif acq.partial_fov == "side":
        side = 1 if clot is None or clot[0] < head_centre[0] else -1
        bound = head_centre[0] + side * (head_radii[0] - acq.fov_cut_mm * scale)
        if side > 0:
            hi[0] = min(hi[0], bound)
        else:
            lo[0] = max(lo[0], bound)
    if clot is not None:
        lo = np.minimum(lo, clot - margin)
        hi = np.maximum(hi, clot + margin)
    return lo, hi


def slice_kernel(slice_mm: float, h: float) -> F32:
    """Weights of a box of width ``slice_mm`` sampled on a grid of spacing ``h``."""
    half = slice_mm / h / 2
    m = int(np.ceil(half - 0.5))
    j = np.arange(-m, m + 1, dtype=float)
    w = np.clip(np.minimum(j + 0.5, half) - np.maximum(j - 0.5, -half), 0, None)
    return (w / w.sum()).astype(np.float32)


def _inplane(img: F32, sigma_vox: float) -> F32:
    if sigma_vox < 0.05:
        return img
    out = gaussian_filter1d(img, sigma_vox, axis=1, output=np.float32, truncate=3.0)
    return gaussian_filter1d(out, sigma_vox, axis=2, output=np.float32, truncate=3.0)


def _z_matrix(src: Grid, dst: Grid, slice_mm: float) -> sparse.csr_matrix:
    """Slice profile (box along z, clamped at the ends) then linear sampling, as a matrix."""
    n_in, n_out = src.shape[0], dst.shape[0]
    kernel = slice_kernel(slice_mm, src.spacing[0])
    m = len(kernel) // 2
    rows = np.repeat(np.arange(n_in), len(kernel))
    cols = np.clip(rows + np.tile(np.arange(len(kernel)) - m, n_in), 0, n_in - 1)
    box = sparse.csr_matrix((np.tile(kernel, n_in), (rows, cols)), shape=(n_in, n_in))
    low, weight = linear_weights((dst.axis_mm(0) - src.origin[2]) / src.spacing[0], n_in)
    r = np.arange(n_out)
    lin = sparse.csr_matrix(
        (
            np.concatenate([1 - weight, weight]),
            (np.concatenate([r, r]), np.concatenate([low, np.minimum(low + 1, n_in - 1)])),
        ),
        shape=(n_out, n_in),
    )
    return (lin @ box).tocsr().astype(np.float32)


def _chain(img: F32, src: Grid, dst: Grid, slice_mm: float) -> F32:
    """Slice profile and sampling from ``src`` onto ``dst``."""
    flat = img.reshape(img.shape[0], -1)
    out = np.asarray(_z_matrix(src, dst, slice_mm) @ flat, dtype=np.float32)
    out = out.reshape(dst.shape[0], img.shape[1], img.shape[2])
    origin = (src.origin[0], src.origin[1], dst.origin[2])
    mid = Grid(origin, (dst.spacing[0], src.spacing[1], src.spacing[2]), out.shape)
    return resample(out, mid, dst)


def _extra_noise_blur(scan: ScanOptions) -> float:
    """Noise correlation beyond what the PSF gives (mm, as a Gaussian sigma)."""
    return float(np.sqrt(max(scan.noise_corr_mm**2 - scan.psf_mm**2, 0.0)))


def _noise_gain(src: Grid, dst: Grid, scan: ScanOptions, slice_mm: float) -> float:
    """SD of unit-SD pre-blurred noise after the PSF, slice profile and sampling."""
    rng = np.random.default_rng(0)
    h = src.spacing[0]
    block = Grid(src.origin, src.spacing, (48, 48, 48))
    step = np.asarray(dst.spacing[::-1])
    start = np.asarray(block.origin) + step + 0.37 * h
    stop = np.asarray(block.origin) + np.asarray(block.shape[::-1]) * h - step
    inner = Grid.covering(start, stop, dst.spacing)
    white = rng.standard_normal(block.shape, dtype=np.float32)
    white = _inplane(white, _extra_noise_blur(scan) / h)
    white /= white.std()
    return float(_chain(_inplane(white, scan.psf_mm / h), block, inner, slice_mm).std())


def simulate_scan(
    scene: F32,
    src: Grid,
    dst: Grid,
    scan: ScanOptions,
    slice_mm: float,
    rng: np.random.Generator,
    band: tuple[I64, F32],
) -> F32:
    """One scan on ``dst`` from the scene on ``src`` (``scene`` is consumed).

    Noise is added before the PSF, so the kernel shapes its texture as in a real
    reconstruction; a longer correlation is pre-blurred in. Its SD on ``dst`` is about
    ``scan.noise_sd``.
    """
    h = src.spacing[0]
    img = scene
    if scan.beam_hardening_hu:
        add(img.reshape(-1), band[0], band[1], scan.beam_hardening_hu)
    noise = _inplane(rng.standard_normal(src.shape, dtype=np.float32), _extra_noise_blur(scan) / h)
    sd = float(noise[::3, ::3, ::3].std()) * _noise_gain(src, dst, scan, slice_mm)
    noise *= np.float32(scan.noise_sd / sd)
    noise += np.float32(scan.hu_offset)
    img += noise
    del noise
    img = _inplane(img, scan.psf_mm / h)
    if scan.sharpen > 0:
        img += np.float32(scan.sharpen) * (img - _inplane(img, 1.0 / h))
    out = np.full(dst.shape, np.float32(AIR_HU + scan.hu_offset), np.float32)
    found = inside(src, dst)
    if found is not None:
        out[found[1]] = _chain(img, src, found[0], slice_mm)
    return out


def inside(src: Grid, dst: Grid) -> tuple[Grid, tuple[slice, ...]] | None:
    """The part of ``dst`` whose voxel centres lie within ``src``'s extent (or None)."""
    last_lps = np.asarray(src.origin) + (np.asarray(src.shape[::-1]) - 1) * src.spacing[0]
    first = np.maximum(np.ceil(dst.to_index(np.asarray(src.origin)) - 1e-6).astype(int), 0)
    last = np.floor(dst.to_index(last_lps) + 1e-6).astype(int)
    last = np.minimum(last, np.asarray(dst.shape) - 1)
    if np.any(last < first):
        return None
    origin = np.asarray(dst.origin) + first[::-1] * np.asarray(dst.spacing[::-1])
    part = Grid(tuple(origin), dst.spacing, tuple(last - first + 1))
    return part, tuple(slice(a, b + 1) for a, b in zip(first, last, strict=True))


def add_streaks(
    img: F32, grid: Grid, sources: F64, amplitude: float, rng: np.random.Generator
) -> None:
    """Radial bright and dark lines in the axial slices near each dense-bone source."""
    x = grid.axis_mm(2)[None, :]
    y = grid.axis_mm(1)[:, None]
    z = grid.axis_mm(0)
    for src in sources:
        pattern = np.zeros((len(grid.axis_mm(1)), len(grid.axis_mm(2))), np.float32)
        for _ in range(int(rng.integers(3, 9))):
            theta = rng.uniform(0, np.pi)
            across = np.abs((x - src[0]) * np.sin(theta) - (y - src[1]) * np.cos(theta))
            along = np.abs((x - src[0]) * np.cos(theta) + (y - src[1]) * np.sin(theta))
            width, reach = rng.uniform(0.6, 1.6), rng.uniform(40, 110)
            sign = rng.choice((-1.0, 1.0))
            amp = sign * amplitude * rng.uniform(0.5, 1.0)
            pattern += (amp * np.exp(-((across / width) ** 2) - along / reach)).astype(np.float32)
        weight = np.exp(-(((z - src[2]) / rng.uniform(4, 10)) ** 2))
        for k in np.flatnonzero(weight > 0.05):
            img[k] += np.float32(weight[k]) * pattern * (img[k] > -300)


def label_on_output(
    idx: I64, frac: F32, src: Grid, dst: Grid, slice_mm: float
) -> tuple[npt.NDArray[np.bool_], F32, tuple[int, int, int]]:
    """Label on ``dst`` (fraction >= 0.5 through the slice profile and sampling; when no
    voxel reaches 0.5 the largest fraction is kept) and the fraction's sub-block + start."""
    label = np.zeros(dst.shape, bool)
    empty = np.zeros((0, 0, 0), np.float32)
    if len(idx) == 0:
        return label, empty, (0, 0, 0)
    h = src.spacing[0]
    pad = int(np.ceil(slice_mm / h)) + 3
    kji = np.stack(np.unravel_index(idx, src.shape), axis=1)
    lo = np.maximum(kji.min(axis=0) - pad, 0)
    hi = np.minimum(kji.max(axis=0) + pad + 1, src.shape)
    block = np.zeros(tuple(hi - lo), np.float32)
    block[tuple((kji - lo).T)] = frac
    sub = Grid(tuple(np.asarray(src.origin) + lo[::-1] * h), src.spacing, block.shape)
    found = inside(sub, dst)
    if found is None:
        return label, empty, (0, 0, 0)
    target, sl = found
    fraction = _chain(block, sub, target, slice_mm)
    part = fraction >= 0.5
    if not part.any() and fraction.max() > 0:
        part = fraction == fraction.max()
    label[sl] = part
    return label, fraction, (sl[0].start, sl[1].start, sl[2].start)
