"""Scanner effects of family B: partial-volume blur, beam hardening and correlated noise.

* blur: a separable 3-tap kernel ``[w, 1 - 2w, w]`` per axis, whose variance ``2w`` equals
  that of a Gaussian of ``sigma`` voxels (0.5-0.7);
* beam hardening: a dark band (-8 to -22 HU) across the posterior fossa between the petrous
  pyramids, in brain and CSF only (the "Hounsfield bar");
* noise: white noise (uniform bytes, near-Gaussian once smoothed) filtered in-plane by an
  anisotropic separable kernel (stronger along x than y), rescaled to the requested SD,
  40 % stronger at the skull base and 20 % stronger in the centre of the field of view.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from strokescope.phantom_b import tissues as T
from strokescope.phantom_b.frame import Pose, axes_mm, head_box, head_coords
from strokescope.volume import Geometry

F32 = npt.NDArray[np.float32]
_SLAB = 2
_NOISE_W = (0.24, 0.16)  # in-plane noise kernel weights along x, y


def _cut(axis: int, part: slice | int) -> tuple[slice | int, ...]:
    idx: list[slice | int] = [slice(None)] * 3
    idx[axis] = part
    return tuple(idx)


def _smooth_axis(a: F32, axis: int, w: float, out: F32) -> F32:
    """``[w, 1 - 2w, w]`` along ``axis`` with edge replication, written into ``out``."""
    n = a.shape[axis]
    if n < 3 or w <= 0:
        out[...] = a
        return out
    np.add(
        a[_cut(axis, slice(None, -2))],
        a[_cut(axis, slice(2, None))],
        out=out[_cut(axis, slice(1, -1))],
    )
    np.add(a[_cut(axis, 0)], a[_cut(axis, 1)], out=out[_cut(axis, 0)])
    np.add(a[_cut(axis, -2)], a[_cut(axis, -1)], out=out[_cut(axis, -1)])
    out *= np.float32(w / (1 - 2 * w))
    out += a
    out *= np.float32(1 - 2 * w)
    return out


def beam_hardening(
    hu: F32, labels: npt.NDArray[np.uint8], geom: Geometry, pose: Pose, amplitude: float
) -> None:
    """Darken the posterior fossa between the petrous bones by up to ``amplitude`` HU."""
    c = np.array([0.0, 14.0, -28.0])
    box = head_box(geom, pose, c, 32.0)
    if box is None:
        return
    hx, hy, hz = head_coords(geom, pose, box)
    band = np.exp(-(((hy - 14.0) / 4.0) ** 2) - ((hz + 28.0) / 5.0) ** 2)
    band *= np.clip(1.0 - (hx / 30.0) ** 2, 0.0, 1.0)
    soft = T.label_set(T.CAVITY)[labels[box]]
    hu[box] -= (np.float32(amplitude) * band * soft).astype(np.float32)


def _noise_scale(geom: Geometry, pose: Pose, sd: float) -> tuple[F32, F32]:
    """Per-slice and in-plane factors of the noise SD (skull base and centre are noisier)."""
    z, y, x = axes_mm(geom)
    base_z = pose.to_world([0.0, 0.0, -30.0])[2]
    per_slice = 1.0 + 0.4 * np.exp(-(((z - base_z) / 12.0) ** 2))
    c = pose.to_world([0.0, 8.0, 0.0])
    r2 = ((x[None, :] - c[0]) ** 2 + (y[:, None] - c[1]) ** 2) / 90.0**2
    var = (256.0**2 - 1.0) / 12.0  # centred uniform bytes
    for w in _NOISE_W:
        var *= (1 - 2 * w) ** 2 + 2 * w**2
    in_plane = (1.0 + 0.2 * np.clip(1.0 - r2, 0.0, 1.0)) * sd / np.sqrt(var)
    return per_slice.astype(np.float32), in_plane.astype(np.float32)


def finish(
    hu: F32,
    geom: Geometry,
    pose: Pose,
    *,
    sigma_vox: float,
    noise_sd: float,
    rng: np.random.Generator,
) -> F32:
    """Blur ``hu`` (in place, slab by slab), add correlated noise, clip to [-1024, 3071].

    Noise is white (uniform bytes, near-Gaussian once smoothed) filtered in-plane by
    ``[w, 1 - 2w, w]`` kernels with ``w`` 0.24 along x and 0.16 along y.
    """
    w = min(sigma_vox**2 / 2.0, 0.24)
    nz = hu.shape[0]
    plane = np.empty_like(hu)
    a, b = np.empty_like(hu[:_SLAB]), np.empty_like(hu[:_SLAB])
    for k0 in range(0, nz, _SLAB):  # in-plane blur, cache-sized slabs
        k1 = min(k0 + _SLAB, nz)
        _smooth_axis(hu[k0:k1], 2, w, a[: k1 - k0])
        _smooth_axis(a[: k1 - k0], 1, w, plane[k0:k1])
    per_slice, in_plane = _noise_scale(geom, pose, noise_sd)
    for k0 in range(0, nz, _SLAB):  # blur along z, then noise and clip
        k1 = min(k0 + _SLAB, nz)
        n = k1 - k0
        out = hu[k0:k1]
        lo = np.maximum(np.arange(k0, k1) - 1, 0)
        hi = np.minimum(np.arange(k0, k1) + 1, nz - 1)
        np.add(plane[lo], plane[hi], out=out)
        out *= np.float32(w / (1 - 2 * w))
        out += plane[k0:k1]
        out *= np.float32(1 - 2 * w)
        noise = rng.integers(0, 256, size=out.shape, dtype=np.uint8).astype(np.float32)
        noise -= np.float32(127.5)
        _smooth_axis(noise, 2, _NOISE_W[0], a[:n])
        _smooth_axis(a[:n], 1, _NOISE_W[1], b[:n])
        b[:n] *= in_plane[None]
        b[:n] *= per_slice[k0:k1, None, None]
        out += b[:n]
        np.clip(out, -1024.0, 3071.0, out=out)
    return hu
