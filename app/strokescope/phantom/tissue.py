"""Render the head's tissues (no vessels, no lesions, no noise) slice by slice.

Each slice evaluates the analytic anatomy on its voxel centres in float32, with linear
partial-volume ramps one voxel wide across every surface. Shapes are evaluated only inside
the index box they can touch, and slices run on a small thread pool (numpy releases the
GIL inside its loops).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from strokescope.phantom.anatomy import Anatomy
from strokescope.phantom.shapes import F32, Ellipsoid, ramp, smooth_min
from strokescope.volume import Geometry

Win = tuple[slice, slice]
COARSE_STEP = 8


@dataclass(frozen=True, eq=False)
class HeadMapping:
    """Affine map from (k, j, i) grid indices to head-frame mm: ``p = a @ idx + b``."""

    a: npt.NDArray[np.float64]
    b: npt.NDArray[np.float64]

    @classmethod
    def of(cls, geom: Geometry, pose: npt.NDArray[np.float64]) -> HeadMapping:
        """``pose`` is the 4x4 head->LPS transform."""
        inv = np.linalg.inv(pose)
        return cls(inv[:3, :3] @ geom.matrix, inv[:3, :3] @ np.asarray(geom.origin) + inv[:3, 3])

    def to_index(self, points: npt.ArrayLike) -> npt.NDArray[np.float64]:
        p = np.asarray(points, dtype=float) - self.b
        return p @ np.linalg.inv(self.a).T

    def index_box(
        self, lo: npt.ArrayLike, hi: npt.ArrayLike, shape: tuple[int, ...]
    ) -> tuple[tuple[int, int], ...] | None:
        """Index ranges [start, stop) per axis covering the head-frame box, or None."""
        lo, hi = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
        corners = np.array([[(lo, hi)[(c >> a) & 1][a] for a in range(3)] for c in range(8)])
        idx = self.to_index(corners)
        start = np.maximum(np.floor(idx.min(axis=0)).astype(int), 0)
        stop = np.minimum(np.ceil(idx.max(axis=0)).astype(int) + 1, shape)
        if np.any(stop <= start):
            return None
        return tuple((int(a), int(b)) for a, b in zip(start, stop, strict=True))


class _Slice:
    """Head-frame coordinates of one slice's crop window, and shape windows inside it."""

    def __init__(
        self,
        mapping: HeadMapping,
        k: float,
        jr: tuple[int, int],
        ir: tuple[int, int],
        step: int = 1,
    ):
        a, b = mapping.a.astype(np.float32), mapping.b
        j = np.arange(jr[0], jr[1], step, dtype=np.float32)
        i = np.arange(ir[0], ir[1], step, dtype=np.float32)
        base = b + mapping.a[:, 0] * k
        self.x, self.y, self.z = (
            np.add.outer(a[m, 1] * j, a[m, 2] * i + np.float32(base[m])) for m in range(3)
        )
        self.k, self.jr, self.ir, self.step = k, jr, ir, step

    def sub(self, win: Win) -> _Slice:
        """The same slice restricted to ``win`` (views, no copies)."""
        out = object.__new__(_Slice)
        out.x, out.y, out.z = self.x[win], self.y[win], self.z[win]
        j0, i0 = self.jr[0] + (win[0].start or 0), self.ir[0] + (win[1].start or 0)
        out.k, out.step = self.k, 1
        out.jr = (j0, j0 + out.x.shape[0])
        out.ir = (i0, i0 + out.x.shape[1])
        return out

    def window(self, box: tuple[tuple[int, int], ...] | None) -> Win | None:
        if box is None or not box[0][0] <= self.k < box[0][1]:
            return None
        j0, j1 = max(box[1][0], self.jr[0]), min(box[1][1], self.jr[1])
        i0, i1 = max(box[2][0], self.ir[0]), min(box[2][1], self.ir[1])
        if j1 <= j0 or i1 <= i0:
            return None
        st = self.step
        return (
            slice(-(-(j0 - self.jr[0]) // st), -(-(j1 - self.jr[0]) // st)),
            slice(-(-(i0 - self.ir[0]) // st), -(-(i1 - self.ir[0]) // st)),
        )

    def sd(self, shape: Ellipsoid, win: Win) -> F32:
        return shape.sd(self.x[win], self.y[win], self.z[win])


class TissueRenderer:
    """Renders :class:`Anatomy` on a grid placed by a head->LPS ``pose``."""

    def __init__(self, anatomy: Anatomy, geom: Geometry, pose: npt.NDArray[np.float64]) -> None:
        self.anat, self.geom = anatomy, geom
        self.map = HeadMapping.of(geom, pose)
        self.width = float(np.mean(geom.spacing))
        margin = anatomy.csf_gap_mm + anatomy.skull_mm + 8.0
        shape = geom.shape
        lo, hi = anatomy.head_bounds()
        self.head_box = self.map.index_box(lo, hi, shape)
        self.boxes: dict[int, tuple[tuple[int, int], ...] | None] = {}
        for e in self._shapes():
            self.boxes[id(e)] = self.map.index_box(*e.bounds(margin), shape)
        core = Ellipsoid((0.0, 12.0 * anatomy.scale, 16.0), (22.0, 46.0, 24.0))
        self.core = core
        self.boxes[id(core)] = self.map.index_box(*anatomy.cerebrum.bounds(margin), shape)

    def _shapes(self) -> list[Ellipsoid]:
        a = self.anat
        return [
            a.cerebrum,
            *a.temporal,
            *a.cerebellum,
            a.brainstem,
            a.face,
            *a.ventricles,
            *a.nuclei,
            *(s.shape for s in a.solids),
        ]

    def render(
        self, *, threads: int = 1, enhanced: bool = False
    ) -> tuple[dict[str, F32], npt.NDArray[np.bool_]]:
        """Noise-free NCCT HU (and CTA HU with ``enhanced``) plus the brain mask."""
        shape = self.geom.shape
        hu = np.full(shape, self.anat.hu.air, dtype=np.float32)
        out = {"ncct": hu}
        if enhanced:
            out["cta"] = hu.copy()
        brain = np.zeros(shape, dtype=bool)
        if self.head_box is None:
            return out, brain
        (k0, k1), jr, ir = self.head_box

        def work(k: int) -> None:
            crop = self._crop(k, jr, ir)
            if crop is None:
                return
            (j0, j1), (i0, i1) = crop
            h, b = self._slice(_Slice(self.map, float(k), (j0, j1), (i0, i1)))
            hu[k, j0:j1, i0:i1] = h
            if enhanced:
                out["cta"][k, j0:j1, i0:i1] = h + cta_enhancement(h)
            brain[k, j0:j1, i0:i1] = b

        if threads > 1:
            with ThreadPoolExecutor(max_workers=threads) as pool:
                list(pool.map(work, range(k0, k1)))
        else:
            for k in range(k0, k1):
                work(k)
        return out, brain

    def _crop(
        self, k: int, jr: tuple[int, int], ir: tuple[int, int]
    ) -> tuple[tuple[int, int], tuple[int, int]] | None:
        """Rows and columns of slice ``k`` that can hold head (from a 1-in-8 pre-pass)."""
        step = COARSE_STEP
        s = _Slice(self.map, float(k), jr, ir, step)
        _, _, _, dh = self._fields(s)
        rows, cols = np.nonzero(dh < np.float32(step * max(self.geom.spacing[1:]) + 3.0))
        if len(rows) == 0:
            return None
        j0 = max(jr[0], jr[0] + (int(rows.min()) - 1) * step)
        j1 = min(jr[1], jr[0] + (int(rows.max()) + 2) * step)
        i0 = max(ir[0], ir[0] + (int(cols.min()) - 1) * step)
        i1 = min(ir[1], ir[0] + (int(cols.max()) + 2) * step)
        return (j0, j1), (i0, i1)

    def _sd(self, s: _Slice, shape: Ellipsoid) -> tuple[Win, F32] | None:
        win = s.window(self.boxes[id(shape)])
        return None if win is None else (win, s.sd(shape, win))

    def _union(self, s: _Slice, d: F32, shape: Ellipsoid, k: float) -> None:
        got = self._sd(s, shape)
        if got is not None:
            win, e = got
            d[win] = smooth_min(d[win], e, k)

    def _fields(self, s: _Slice) -> tuple[F32, F32, F32, F32]:
        """Brain distance, cerebrum-only distance, skull thickness and head distance."""
        a = self.anat
        d = np.full(s.x.shape, np.float32(1e3), dtype=np.float32)
        got = self._sd(s, a.cerebrum)
        if got is not None:
            d[got[0]] = got[1]
        for e in a.temporal:
            self._union(s, d, e, 8.0)
        dc = d.copy()  # cerebrum + temporal lobes carry white matter
        for e in a.cerebellum:
            self._union(s, d, e, 10.0)
        self._union(s, d, a.brainstem, 6.0)
        gap = a.csf_gap_mm
        for solid in a.solids:
            if solid.carves_brain:
                got = self._sd(s, solid.shape)
                if got is not None:
                    win, sd = got
                    d[win] = np.maximum(d[win], np.float32(gap + 1.5) - sd)
        thick = np.clip(s.z * np.float32(-0.07), 0.0, 3.0) + np.float32(a.skull_mm)
        dh = d - thick - np.float32(gap + a.scalp_mm)
        self._union(s, dh, a.face, 12.0)
        return d, dc, thick, dh

    def _slice(self, s: _Slice) -> tuple[F32, npt.NDArray[np.bool_]]:
        a, t, w = self.anat, self.anat.hu, self.width
        gap = a.csf_gap_mm
        d, dc, thick, dh = self._fields(s)
        hu = ramp(-dh, w) * np.float32(t.skin - t.air) + np.float32(t.air)
        hu += ramp(-dh - np.float32(1.5), w) * np.float32(t.fat - t.skin)
        hu += ramp(-dh - np.float32(a.scalp_mm - 1.5), w) * np.float32(t.muscle - t.fat)
        # skull: cortical tables with diploe between
        u = (d - np.float32(gap)) / thick * np.float32(2.0) - np.float32(1.0)
        bone = u * u * np.float32(t.cortical_bone - t.diploe) + np.float32(t.diploe)
        wb = ramp(d - np.float32(gap), w) * ramp(np.float32(gap) + thick - d, w)
        hu += wb * (bone - hu)
        rows, cols = np.nonzero(d < np.float32(gap + w))
        if len(rows):
            win = (
                slice(int(rows.min()), int(rows.max()) + 1),
                slice(int(cols.min()), int(cols.max()) + 1),
            )
            sub = s.sub(win)
            hu[win] += ramp(np.float32(gap) - d[win], w) * (
                self._intracranial(sub, d[win], dc[win]) - hu[win]
            )
        for solid in a.solids:
            got = self._sd(s, solid.shape)
            if got is not None:
                win, e = got
                hu[win] += ramp(-e, w) * (np.float32(solid.hu) - hu[win])
        return hu, d < 0

    def _intracranial(self, s: _Slice, d: F32, dc: F32) -> F32:
        """HU of CSF + brain (grey/white matter, nuclei, ventricles, sulci) in the slice."""
        a, t, w = self.anat, self.anat.hu, self.width
        brain = np.full(s.x.shape, np.float32(t.gm), dtype=np.float32)
        cwin = s.window(self.boxes[id(self.core)])
        if cwin is not None:
            x, y, z = s.x[cwin], s.y[cwin], s.z[cwin]
            g = a.gyri(x, y, z)
            near = np.clip(np.float32(1.0) - np.abs(g), 0.0, 1.0)  # 1 on a sulcus, 0 on a crown
            depth = near * np.float32(8.0) + np.float32(a.cortex_mm)
            wm = ramp(-(dc[cwin] + depth), w)
            brain[cwin] += wm * np.float32(t.wm - t.gm)
            sulci = ramp(near - np.float32(0.82), 0.12)
            sulci *= ramp(d[cwin] + np.float32(9.0), w)
            fissure = ramp(np.float32(1.3) - np.abs(x), w)
            fissure *= ramp(self.core.sd(x, y, z), w)
            sulci = np.maximum(sulci, fissure)
            brain[cwin] += sulci * (np.float32(t.csf) - brain[cwin])
        got = self._sd(s, a.brainstem)
        if got is not None:
            win, e = got
            brain[win] += ramp(-e - np.float32(2.0), w) * (np.float32(t.wm + 4.0) - brain[win])
        for shape in a.nuclei:
            got = self._sd(s, shape)
            if got is not None:
                win, e = got
                brain[win] += ramp(-e, w) * (np.float32(t.gm - 1.0) - brain[win])
        for shape in a.ventricles:
            got = self._sd(s, shape)
            if got is not None:
                win, e = got
                brain[win] += ramp(-e, w) * (np.float32(t.csf) - brain[win])
        brain -= np.float32(t.csf)
        brain *= ramp(-d, w)
        brain += np.float32(t.csf)
        return brain


def cta_enhancement(hu: F32) -> F32:
    """Arterial-phase tissue enhancement from noise-free NCCT HU: white matter about +2,
    grey matter about +6, muscle and scalp about +7, CSF, fat and air none."""
    e = np.clip((hu - np.float32(12.0)) * np.float32(0.22), 0.0, 7.0)
    e *= hu < np.float32(200.0)
    return np.asarray(e, dtype=np.float32)
