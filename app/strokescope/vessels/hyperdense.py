"""NCCT-only screening: hyperdense stretches along the arterial map (hyperdense vessel sign).

When no CTA exists the thrombus stays "not assessed"; this screening runs beside it and
says where an artery looks occluded on the NCCT alone. A fresh clot is denser than flowing
blood (the hyperdense MCA sign: clot 50-90 HU against blood 35-50 HU); a stretch of the
arterial map (:mod:`strokescope.vessels.ncct_map`) is flagged where

* its NCCT, averaged over the map within ``smooth_mm`` (noise), is clot-like: at least
  ``min_hu`` and below ``max_hu`` (calcification and bone are denser);
* and it is more than ``min_ratio`` times the same average on the mirrored artery (the
  densest mapped artery within ``mirror_mm`` of the voxel's mirror image across the
  midsagittal plane; where the map has no artery there, the median of the whole map):
  a high haematocrit makes every artery dense, a clot only one;
* and the flagged stretch is at least ``min_length_mm`` long.

Blood outside the arteries makes the sign unreliable: subarachnoid blood sheathes the
arteries in the cisterns with the same 50-90 HU as a clot. Where more than
``max_blood_ml`` of such blood lies in the brain away from the map (the thrombus analysis's
own measure, :meth:`strokescope.thrombus.guardrails.BrainHu.blood`, with the map in
place of the vessels; its band is read against the brain's own grey matter), the
stretches are withheld and the screening says why.

A flag reads "possible occlusion, CTA needed" with its side and estimated segment (the
thrombus segment rule); it is **never** a thrombus measurement: no volume, no LVO call.
The numbers of :class:`ScreeningRule` were set on the calibration block of family A
(``benchmarks/eval_ncct_arteries.py``); phantom-derived, research use only.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt
import SimpleITK as sitk

from strokescope.preprocess.gaussian import gaussian_mm
from strokescope.preprocess.morphology import components
from strokescope.thrombus.anatomy import Plane, segment_of, side_of
from strokescope.thrombus.centerline import centerline
from strokescope.thrombus.guardrails import (
    BLOOD_ABOVE_GREY_HU,
    BLOOD_BAND_HU,
    BLOOD_MIN_ML,
    brain_hu,
)
from strokescope.vessels.ncct_map import ArteryMap, ArteryMapModel, artery_map
from strokescope.volume import Geometry, Volume

NOTICE = (
    "NCCT only: possible occlusion, CTA needed. Not a thrombus measurement. "
    "Phantom-trained arterial map; research use only, not for diagnosis."
)


@dataclass(frozen=True)
class ScreeningRule:
    """The screening's numbers (see the module docstring)."""

    min_hu: float = 50.0
    max_hu: float = 100.0
    min_ratio: float = 1.3
    smooth_mm: float = 2.0
    mirror_mm: float = 4.0
    min_length_mm: float = 5.0
    max_blood_ml: float = BLOOD_MIN_ML
    """The thrombus analysis's blood-warning limit. On the calibration block the blood
    outside the map was 0.00-0.01 mL in the 16 heads without subarachnoid blood and
    2.0-3.0 mL in the 4 with it; any limit in that gap calls them alike."""
    blood_above_grey_hu: float = BLOOD_ABOVE_GREY_HU
    """Lower edge of the blood band above the grey matter (the thrombus analysis's)."""

    def describe(self) -> str:
        return (
            f"mapped artery with NCCT {self.min_hu:g}-{self.max_hu:g} HU (mean within "
            f"{self.smooth_mm:g} mm) and > {self.min_ratio:g} x the mirrored artery (within "
            f"{self.mirror_mm:g} mm), over >= {self.min_length_mm:g} mm; withheld where > "
            f"{self.max_blood_ml:g} mL of blood ({self.blood_above_grey_hu:g}-"
            f"{self.blood_above_grey_hu + BLOOD_BAND_HU:g} HU above the grey matter) "
            "lies outside the map"
        )


@dataclass(frozen=True)
class HyperdenseStretch:
    """One flagged stretch: where it is, how long, how dense against the other side."""

    side: str
    segment: str  # estimated by the thrombus segment rule; not a labelled tree
    length_mm: float
    mean_hu: float
    contralateral_hu: float
    centroid_lps: tuple[float, float, float]

    @property
    def ratio(self) -> float:
        return self.mean_hu / max(self.contralateral_hu, 1.0)

    def describe(self) -> str:
        return (
            f"{self.side} {self.segment}: hyperdense over {self.length_mm:.0f} mm, "
            f"{self.mean_hu:.0f} HU vs {self.contralateral_hu:.0f} HU mirrored "
            f"({self.ratio:.2f}x) - possible occlusion, CTA needed"
        )

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> HyperdenseStretch:
        centroid = tuple(float(v) for v in d["centroid_lps"])
        return cls(
            str(d["side"]),
            str(d["segment"]),
            float(d["length_mm"]),
            float(d["mean_hu"]),
            float(d["contralateral_hu"]),
            centroid,  # type: ignore[arg-type]
        )

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["ratio"] = round(self.ratio, 3)
        d["centroid_lps"] = [round(v, 2) for v in self.centroid_lps]
        for key in ("length_mm", "mean_hu", "contralateral_hu"):
            d[key] = round(d[key], 2)
        return d


@dataclass(frozen=True, eq=False)
class NcctScreening:
    """The NCCT-only screening of one study."""

    stretches: tuple[HyperdenseStretch, ...]
    map_version: str
    rule: str
    seconds: float
    notice: str = NOTICE
    blood_ml: float | None = None
    """Blood in the brain away from the map, in the rule's band (None: no brain mask given)."""
    withheld: bool = False
    """True when that blood withheld the stretches (the sign is unreliable there)."""

    @property
    def flagged(self) -> bool:
        return bool(self.stretches)

    def summary(self) -> str:
        if self.withheld:
            return (
                f"NCCT-only screening withheld: {self.blood_ml:.1f} mL of hyperdense blood "
                "outside the arteries (subarachnoid or other haemorrhage?) makes a dense "
                "artery unreliable (CTA needed)"
            )
        if not self.stretches:
            return "NCCT-only screening: no hyperdense artery on the arterial map (CTA needed)"
        return "NCCT-only screening: " + "; ".join(s.describe() for s in self.stretches)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> NcctScreening:
        return cls(
            tuple(HyperdenseStretch.from_dict(x) for x in d["stretches"]),
            str(d["map_version"]),
            str(d["rule"]),
            float(d["seconds"]),
            str(d.get("notice", NOTICE)),
            None if d.get("blood_ml") is None else float(d["blood_ml"]),
            bool(d.get("withheld", False)),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "flagged": self.flagged,
            "stretches": [s.to_dict() for s in self.stretches],
            "map_version": self.map_version,
            "rule": self.rule,
            "seconds": round(self.seconds, 3),
            "notice": self.notice,
            "blood_ml": None if self.blood_ml is None else round(self.blood_ml, 3),
            "withheld": self.withheld,
        }


def _masked_mean(
    hu: npt.NDArray[np.float32], mask: npt.NDArray[np.bool_], rule: ScreeningRule, grid: Geometry
) -> Any:
    w = mask.astype(np.float32)
    num = gaussian_mm(hu * w, rule.smooth_mm / 2.0, grid.spacing)
    den = gaussian_mm(w, rule.smooth_mm / 2.0, grid.spacing)
    return np.where(mask, num / np.maximum(den, 1e-3), np.float32(-1000.0)).astype(np.float32)


@dataclass(frozen=True, eq=False)
class _Mirror:
    """The densest mapped artery within ``mirror_mm`` of any voxel, and the map's median."""

    peak: npt.NDArray[np.float32]
    fallback: float
    plane: Plane
    grid: Geometry

    @classmethod
    def of(
        cls,
        local: npt.NDArray[np.float32],
        mask: npt.NDArray[np.bool_],
        plane: Plane,
        rule: ScreeningRule,
        grid: Geometry,
    ) -> _Mirror:
        radius = [max(1, int(round(rule.mirror_mm / s))) for s in grid.spacing[::-1]]
        image = sitk.GrayscaleDilate(sitk.GetImageFromArray(local), radius)
        fallback = float(np.median(local[mask])) if mask.any() else 40.0
        return cls(sitk.GetArrayFromImage(image), fallback, plane, grid)

    def reference(self, idx: npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
        """Per voxel of ``idx``: the mirrored artery's HU (the median where none is near)."""
        lps = self.grid.index_to_lps(idx.astype(float))
        m = np.rint(self.grid.lps_to_index(self.plane.mirror(lps))).astype(np.int64)
        inside = np.all((m >= 0) & (m < np.asarray(self.grid.shape)), axis=1)
        out = np.full(len(idx), self.fallback, dtype=np.float32)
        ref = self.peak[tuple(m[inside].T)]
        out[inside] = np.where(ref > 0.0, ref, self.fallback)
        return out


def screen(
    amap: ArteryMap,
    plane: Plane,
    rule: ScreeningRule | None = None,
    brain: npt.NDArray[np.bool_] | None = None,
) -> NcctScreening:
    """Screen the NCCT along its arterial map ``amap`` (see the module docstring); without
    a ``brain`` mask (on the map's grid) the blood outside the map is not measured."""
    start = time.perf_counter()
    r = rule or ScreeningRule()
    grid, hu = amap.mask.geometry, amap.hu
    artery = amap.mask.array & (hu < r.max_hu)
    local = _masked_mean(hu, artery, r, grid)
    dense = artery & (local >= r.min_hu)
    idx = np.argwhere(dense)
    flagged = np.zeros(grid.shape, dtype=bool)
    mirror = _Mirror.of(local, artery, plane, r, grid)
    if len(idx):
        keep = local[tuple(idx.T)] > r.min_ratio * mirror.reference(idx)
        flagged[tuple(idx[keep].T)] = True
    labels, n = components(flagged)
    stretches = []
    for k in range(1, n + 1):
        vox = np.argwhere(labels == k)
        line = centerline(vox, grid)
        if line.length_mm < r.min_length_mm:
            continue
        pts = grid.index_to_lps(vox.astype(float))
        ref = mirror.reference(vox)
        centroid = tuple(float(v) for v in pts.mean(0))
        stretches.append(
            HyperdenseStretch(
                side=side_of(plane, centroid),
                segment=segment_of(line, plane),
                length_mm=line.length_mm,
                mean_hu=float(local[tuple(vox.T)].mean()),
                contralateral_hu=float(np.median(ref)),
                centroid_lps=centroid,  # type: ignore[arg-type]
            )
        )
    stretches.sort(key=lambda s: -s.length_mm)
    blood = None
    if brain is not None:
        none = np.zeros(grid.shape, dtype=np.float32)
        reading = brain_hu(hu, none, brain, amap.mask.array, grid)
        blood, _ = reading.blood(r.blood_above_grey_hu)
    withheld = blood is not None and blood > r.max_blood_ml and bool(stretches)
    return NcctScreening(
        () if withheld else tuple(stretches),
        amap.model_version,
        r.describe(),
        time.perf_counter() - start,
        blood_ml=blood,
        withheld=withheld,
    )


def screen_ncct(
    ncct: Volume, model: ArteryMapModel, rule: ScreeningRule | None = None
) -> tuple[ArteryMap, NcctScreening]:
    """The arterial map of ``ncct`` and its screening (midsagittal plane from the NCCT)."""
    from strokescope.preprocess.brain_mask import brain_mask
    from strokescope.preprocess.resample import resample_mask
    from strokescope.thrombus.symmetry import symmetric_plane

    start = time.perf_counter()
    brain = brain_mask(ncct)
    plane = symmetric_plane(ncct, brain)
    amap = artery_map(ncct, model)
    on_map = resample_mask(brain, amap.mask.geometry).array
    result = screen(amap, plane, rule, on_map)
    return amap, replace(result, seconds=time.perf_counter() - start)
