"""Ground truth of a generated study: the typed record and how it is measured."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from strokescope import RESEARCH_ONLY
from strokescope.phantom.options import PhantomOptions
from strokescope.phantom.render import Scene
from strokescope.volume import Mask

SYNTHETIC = (
    "Synthetic phantom: computer-generated anatomy, not patient data; all identifiers are "
    "synthetic."
)


@dataclass(frozen=True)
class PhantomTruth:
    """Ground truth of a generated study (lengths mm, volumes mm^3 or mL, points LPS mm).

    ``thrombus_*`` are ``None`` without occlusion. ``thrombus_hu_ncct``/``_cta`` are the
    clot's material attenuations; ``thrombus_volume_mm3`` is the analytic clot volume
    (integral of the lumen cross-section along the clot), ``thrombus_mask_volume_mm3`` the
    volume of the CTA-grid mask. ``ncct_to_cta`` maps NCCT patient coordinates to CTA
    patient coordinates (4x4, the simulated motion).
    """

    seed: int
    options: dict[str, Any]
    occlusion_site: str
    occlusion_class: str
    side: str
    thrombus_length_mm: float | None
    thrombus_volume_mm3: float | None
    thrombus_mask_volume_mm3: float | None
    thrombus_hu_ncct: float | None
    thrombus_hu_cta: float | None
    perviousness_hu: float | None
    distal_enhancement_fraction: float | None
    thrombus_centroid_lps: tuple[float, float, float] | None
    calcification_present: bool
    sah_present: bool
    hemorrhage_type: str
    hemorrhage_target_ml: float
    hemorrhage_volume_ml: float
    hemorrhage_mean_hu: float | None
    lumen_hu_cta: float
    blood_hu_ncct: float
    ncct_to_cta: tuple[tuple[float, ...], ...]
    generation_seconds: float = 0.0
    research_use: str = RESEARCH_ONLY
    synthetic: str = SYNTHETIC

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in self.__dict__.items():
            if isinstance(value, tuple):
                value = [list(v) if isinstance(v, tuple) else v for v in value]
            out[key] = value
        return out


def study_truth(
    o: PhantomOptions,
    scene: Scene,
    masks: dict[str, Mask],
    motion: npt.NDArray[np.float64],
    hem_hu: float | None,
    lumen_hu: float,
    blood_hu: float,
) -> PhantomTruth:
    th = scene.plan.thrombus
    length = volume = mask_volume = centroid = None
    if th is not None:
        tree = scene.tree
        sl = slice(int(tree.offsets[th.segment]), int(tree.offsets[th.segment + 1]))
        s, r = tree.s[sl], tree.radius[sl]
        ds = np.linspace(th.s0, th.s1, 400)
        volume = float(np.trapezoid(np.pi * np.interp(ds, s, r) ** 2, ds))
        length = th.length_mm
        m = masks.get("thrombus")
        if m is not None and m.voxel_count:
            mask_volume = m.volume_mm3
            idx = np.argwhere(m.array).mean(axis=0)
            centroid = tuple(float(v) for v in m.geometry.index_to_lps(idx))
    hem = masks.get("hemorrhage")
    return PhantomTruth(
        seed=o.seed,
        options=o.to_dict(),
        occlusion_site=o.occlusion,
        occlusion_class=o.occlusion_class,
        side=o.side,
        thrombus_length_mm=None if length is None else round(length, 3),
        thrombus_volume_mm3=None if volume is None else round(volume, 2),
        thrombus_mask_volume_mm3=None if mask_volume is None else round(mask_volume, 2),
        thrombus_hu_ncct=None if th is None else round(th.hu_ncct, 2),
        thrombus_hu_cta=None if th is None else round(th.hu_cta, 2),
        perviousness_hu=None if th is None else round(th.hu_cta - th.hu_ncct, 2),
        distal_enhancement_fraction=None if th is None else round(th.distal_fraction, 3),
        thrombus_centroid_lps=centroid,  # type: ignore[arg-type]
        calcification_present=bool(scene.plan.plaques),
        sah_present=bool(scene.plan.sah_points.any()),
        hemorrhage_type=o.hemorrhage,
        hemorrhage_target_ml=o.hemorrhage_ml,
        hemorrhage_volume_ml=0.0 if hem is None else round(hem.volume_ml, 4),
        hemorrhage_mean_hu=None if hem_hu is None else round(hem_hu, 2),
        lumen_hu_cta=round(lumen_hu, 2),
        blood_hu_ncct=round(blood_hu, 2),
        ncct_to_cta=tuple(tuple(float(v) for v in row) for row in motion),
    )
