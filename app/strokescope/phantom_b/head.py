"""The family B head: an irregular cranial cavity, skull, scalp, skull base and brain.

The inner table is an egg-shaped ellipsoid (wider behind), modulated by low-order
polynomials of the ray direction (smooth radial harmonics).
Depth below or above that surface is measured along the ray from the cavity centre. The
cranial floor is a height map z_f(x, y) (anterior fossa, sella, middle fossa, petrous ridge,
clivus, posterior fossa, foramen magnum). Gyri come from the zero set of a sum of random
plane waves: thin CSF sulci, a grey ribbon around them and white matter below.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from strokescope.phantom_b import tissues as T
from strokescope.phantom_b.frame import Pose, axes_mm, head_coords, index_box
from strokescope.volume import Geometry

F32 = npt.NDArray[np.float32]
F64 = npt.NDArray[np.float64]
_MAP_STEP = 0.5
_MAP_X0, _MAP_Y0 = -110.0, -130.0
_SLAB = 12


@dataclass(frozen=True, eq=False)
class HeadShape:
    """Per-case head model parameters (head-frame mm, before the pose scale)."""

    center: F64  # cavity centre
    axes: F64  # cavity semi-axes a (x), b (y), c (z)
    egg: float  # width grows by this fraction towards the back
    harmonics: F64  # coefficients of the direction polynomials
    skull_mm: float
    scalp_mm: float
    temporalis_mm: float
    csf_mm: float  # subarachnoid gap
    atrophy: float  # 0..1 widens sulci and ventricles
    falx_x: float
    waves: F64  # (n, 4): kx, ky, kz, phase of the gyral field
    floor: F32  # height map of the cranial floor, mm
    base_mm: F32  # thickness map of the skull base, mm


def _smooth(t: F64) -> F64:
    c = np.clip(t, 0.0, 1.0)
    return c * c * (3.0 - 2.0 * c)


def petrous_ridge_y(ax: F64 | float) -> F64:
    """y (mm) of the petrous ridge at |x| = ``ax``: the front edge of the posterior fossa."""
    return np.asarray(2.0 + 0.55 * np.maximum(np.asarray(ax) - 12.0, 0.0))


def tentorium_z(x: F32 | float, y: F32 | float) -> F32:
    return np.asarray(-6.0 - 0.22 * (np.asarray(y) - 20.0) - 0.006 * np.asarray(x) ** 2)


def _floor_maps(rng: np.random.Generator) -> tuple[F32, F32]:
    xs = _MAP_X0 + _MAP_STEP * np.arange(int(-2 * _MAP_X0 / _MAP_STEP) + 1)
    ys = _MAP_Y0 + _MAP_STEP * np.arange(int(-2 * _MAP_Y0 / _MAP_STEP) + 1)
    x, y = np.meshgrid(xs, ys)  # (ny, nx)
    ax = np.abs(x)
    za, zs, zm, zp = rng.normal([-5.0, -11.0, -31.0, -46.0], [1.0, 1.0, 1.5, 1.5])
    w_post = _smooth((y - petrous_ridge_y(ax)) / 8.0 + 0.5)
    w_lat = _smooth((ax - 14.0) / 10.0)
    w_ant = _smooth((-y - 16.0) / 10.0)
    dome = np.exp(-(((ax - 26.0) / 13.0) ** 2) - ((y + 45.0) / 22.0) ** 2)
    z_ant = za - 6.0 + 9.0 * dome - 5.0 * np.exp(-((x / 6.0) ** 2))
    z_mid = zm + 0.012 * ((ax - 38.0) ** 2 + (0.8 * (y + 5.0)) ** 2)
    front = w_ant * z_ant + (1 - w_ant) * ((1 - w_lat) * zs + w_lat * z_mid)
    clivus = -9.0 - 1.6 * (y - 2.0)
    bowl = zp + 0.008 * ((ax - 24.0) ** 2 + (y - 45.0) ** 2)
    post = bowl + (1 - _smooth((ax - 12.0) / 10.0)) * np.maximum(clivus - bowl, 0.0)
    zf = (1 - w_post) * front + w_post * post
    # petrous ridge: a roof-shaped crest along the line apex -> mastoid
    p0, p1 = np.array([14.0, 0.0]), np.array([52.0, 22.0])
    d = p1 - p0
    t = np.clip(((ax - p0[0]) * d[0] + (y - p0[1]) * d[1]) / (d @ d), 0.0, 1.0)
    dist = np.hypot(ax - p0[0] - t * d[0], y - p0[1] - t * d[1])
    zf = np.maximum(zf, -21.0 - 4.0 * t - 1.8 * dist)
    hole = (x / 13.0) ** 2 + ((y - 30.0) / 16.0) ** 2 < 1.0
    zf = np.where(hole, -400.0, zf)
    cen = 1 - w_lat
    tb = w_ant * (3.0 + 12.0 * np.exp(-((x / 10.0) ** 2))) + (1 - w_ant) * (
        (1 - w_post) * (5.0 + 35.0 * cen) + w_post * (8.0 + 10.0 * cen)
    )
    return zf.astype(np.float32), tb.astype(np.float32)


def sample_head(rng: np.random.Generator) -> HeadShape:
    n_waves = 7
    k = rng.normal(size=(n_waves, 3))
    k /= np.linalg.norm(k, axis=1, keepdims=True)
    k *= (2 * np.pi / rng.uniform(20.0, 28.0, size=n_waves))[:, None]
    waves = np.concatenate([k, rng.uniform(0, 2 * np.pi, size=(n_waves, 1))], axis=1)
    floor, base = _floor_maps(rng)
    return HeadShape(
        center=np.array([0.0, 8.0, 12.0]) + rng.normal(0, [0.5, 1.5, 1.5]),
        axes=np.array([67.0, 85.0, 80.0]) * rng.uniform(0.96, 1.04, size=3),
        egg=float(rng.uniform(0.05, 0.12)),
        harmonics=rng.normal(0.0, 0.015, size=8),
        skull_mm=float(rng.uniform(5.0, 7.0)),
        scalp_mm=float(rng.uniform(4.0, 6.5)),
        temporalis_mm=float(rng.uniform(3.0, 7.0)),
        csf_mm=float(rng.uniform(0.8, 2.0)),
        atrophy=float(rng.uniform(0.0, 1.0)),
        falx_x=float(rng.normal(0.0, 0.8)),
        waves=waves,
        floor=floor,
        base_mm=base,
    )


def cavity_depth(shape: HeadShape, hx: F32, hy: F32, hz: F32) -> tuple[F32, F32, F32, F32]:
    """Signed radial distance (mm, + outside) to the inner table, and the ray direction.

    The surface radius along a ray depends on its direction ``u`` only: an egg-shaped
    ellipsoid (wider behind) times smooth polynomials of ``u`` (radial harmonics).
    """
    c, (a, b, cz) = shape.center, shape.axes
    rx, ry, rz = hx - np.float32(c[0]), hy - np.float32(c[1]), hz - np.float32(c[2])
    rn = np.sqrt(rx * rx + ry * ry + rz * rz)
    rn += np.float32(1e-3)
    inv = 1 / rn
    ux, uy, uz = rx * inv, ry * inv, rz * inv
    ux2, uy2, uz2 = ux * ux, uy * uy, uz * uz
    wx = np.float32(a) + np.float32(a * shape.egg) * uy
    s2 = ux2 / (wx * wx)
    s2 += np.float32(1 / b**2) * uy2
    s2 += np.float32(1 / cz**2) * uz2
    h = shape.harmonics.astype(np.float32)
    m = h[0] * ux * uy
    m += h[1] * uy * uz
    m += h[3] * (ux2 - uy2)
    m += h[4] * uz2
    m += h[5] * ux
    m += h[6] * uy
    m += 1 + h[7] * ux * uz
    sd = rn - m / np.sqrt(s2)
    return sd, ux2, uy2, uz


def _lookup(shape: HeadShape, hx: F32, hy: F32) -> tuple[F32, F32]:
    ny, nx = shape.floor.shape
    ix = np.clip(((hx - _MAP_X0) * (1 / _MAP_STEP) + 0.5).astype(np.int32), 0, nx - 1)
    iy = np.clip(((hy - _MAP_Y0) * (1 / _MAP_STEP) + 0.5).astype(np.int32), 0, ny - 1)
    flat = iy * nx + ix
    return shape.floor.ravel()[flat], shape.base_mm.ravel()[flat]


def _label_slab(shape: HeadShape, hx: F32, hy: F32, hz: F32, g: F32) -> npt.NDArray[np.uint8]:
    """Labels of one slab; ``g`` is the distance (mm) to the nearest sulcus mid-surface."""
    sd, ux2, uy2, uz = cavity_depth(shape, hx, hy, hz)
    zf, tb = _lookup(shape, hx, hy)
    fd = hz - zf
    thick = np.maximum(shape.skull_mm * (1 + 0.3 * uy2 - 0.4 * ux2 + 0.1 * uz), 2.2)
    scalp = np.clip(1 - 2 * uz * uz, 0, 1)
    scalp *= ux2 * shape.temporalis_mm
    scalp += shape.scalp_mm
    outer = thick + scalp
    lab = np.zeros(hx.shape, dtype=np.uint8)
    lab[sd < outer] = T.SKIN
    lab[(sd > thick + 0.35 * scalp) & (sd < thick + 0.6 * scalp)] = T.FAT
    inner = sd < thick
    below = fd <= -tb
    lab[inner & below] = T.MUSCLE
    bone = inner & ~below & ((sd >= 0) | (fd <= 0))
    lab[bone] = T.DIPLOE
    table = (sd < 1.3) | (sd > thick - 1.6) | (fd > -1.3) | (fd < 1.3 - tb)
    lab[bone & table] = T.CORTICAL
    cav = (sd < 0) & (fd > 0)
    tent = tentorium_z(hx, hy) - hz
    pf = cav & (hy > petrous_ridge_y(np.abs(hx))) & (tent > 0)
    fx = np.abs(hx - np.float32(shape.falx_x))
    above_cc = hz > 24.0 - 1.5 * np.maximum(np.abs(hy - 4.0) - 30.0, 0.0)
    depth = np.minimum(-sd, fd)
    np.minimum(depth, np.where(above_cc, fx - (0.3 + 0.6 * shape.atrophy), 99.0), out=depth)
    np.minimum(depth, np.where(pf, tent, 99.0), out=depth)
    half = 0.4 + 0.8 * shape.atrophy  # half width of a sulcus, mm
    gm = (depth < shape.csf_mm + 2.8) | ((g < half + 2.6) & (depth < 17.0))
    csf = (depth < shape.csf_mm) | ((g < half) & (depth < 14.0))
    lab[cav] = T.WM
    lab[cav & gm] = T.GM
    lab[pf] = T.PFSPACE
    lab[cav & csf] = T.CSF
    lab[pf & (hz < -48.0)] = T.CSF
    lab[cav & above_cc & (fx < 0.45)] = T.DURA
    return lab


def _zero_distance(g: F32, spacing: tuple[float, float, float], crop: slice) -> F32:
    """|g| / |grad g| on slices ``crop``: about the distance (mm) to the zero set of ``g``."""
    sq = np.zeros_like(g[crop])
    for axis, sp in enumerate(spacing):
        d = np.gradient(g, axis=axis) if g.shape[axis] > 1 else np.zeros_like(g)
        sq += (d[crop] * np.float32(1 / sp)) ** 2
    return (np.abs(g[crop]) / (np.sqrt(sq) + np.float32(1e-4))).astype(np.float32)


def render_head(geom: Geometry, pose: Pose, shape: HeadShape) -> npt.NDArray[np.uint8]:
    """Label volume (uint8, z y x) of the head on an axial grid."""
    labels = np.zeros(geom.shape, dtype=np.uint8)
    ext = shape.axes + 26.0
    corners = np.array([[sx, sy, sz] for sx in (-1, 1) for sy in (-1, 1) for sz in (-1, 1)])
    world = pose.to_world(shape.center + corners * ext)
    box = index_box(geom, world.min(axis=0), world.max(axis=0))
    if box is None:
        return labels
    zs = axes_mm(geom)[0]
    m = pose.rotation / pose.scale
    # plane waves of the gyral field: sin(plane + off) = sin(plane)cos(off) + cos(plane)sin(off)
    full = (slice(box[0].start, box[0].start + 1), box[1], box[2])
    hx0, hy0, hz0 = head_coords(geom, pose, full)
    z0 = zs[box[0].start]
    plane_sin, plane_cos, dz = [], [], []
    for kx, ky, kz, ph in shape.waves:
        p = kx * hx0[0] + ky * hy0[0] + kz * hz0[0] + ph
        plane_sin.append(np.sin(p).astype(np.float32))
        plane_cos.append(np.cos(p).astype(np.float32))
        dz.append(float(kx * m[2, 0] + ky * m[2, 1] + kz * m[2, 2]))
    for k0 in range(box[0].start, box[0].stop, _SLAB):
        k1 = min(k0 + _SLAB, box[0].stop)
        e0, e1 = max(k0 - 1, box[0].start), min(k1 + 1, box[0].stop)
        off = zs[e0:e1] - z0
        g = np.zeros((e1 - e0, *plane_sin[0].shape), dtype=np.float32)
        for ps, pc, d in zip(plane_sin, plane_cos, dz, strict=True):
            c, s = np.cos(d * off).astype(np.float32), np.sin(d * off).astype(np.float32)
            g += ps[None] * c[:, None, None] + pc[None] * s[:, None, None]
        sub = (slice(k0, k1), box[1], box[2])
        hx, hy, hz = head_coords(geom, pose, sub)
        dist = _zero_distance(g, geom.spacing, slice(k0 - e0, k0 - e0 + k1 - k0))
        labels[sub] = _label_slab(shape, hx, hy, hz, dist)
    return labels
