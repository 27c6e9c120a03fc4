"""Bring a training case onto the two model grids and cache it on disk.

Both grids cover the bounding box of the brain mask
(:func:`strokescope.preprocess.brain_mask` on the NCCT) widened by ``REGION_MARGIN_MM``, keep
the CTA grid's direction and share its first voxel, so a coarse index maps to a fine one by
the ratio of spacings. Images are resampled linearly; HU are stored as int16 so intensity
augmentation can act in HU before normalisation.

Labels:

* coarse target = coarse voxels that overlap the thrombus (partial-volume fraction >=
  ``COARSE_MIN_FRACTION``): a thin M2 clot stays visible at 1.5 mm, and the coarse stage,
  whose job is finding candidates, errs on the side of sensitivity;
* fine target = fraction >= 0.5.

Sampling pools (fine-grid indices, at most ``MAX_POINTS`` each): thrombus voxels; opacified
vessel on CTA; and *mimics*, the hard negatives: brain voxels that are hyperdense on NCCT
like a clot (``MIMIC_NCCT_HU`` after a Gaussian of ``MIMIC_SIGMA_MM``) but not opacified on
CTA and at least ``MIMIC_CLEARANCE_MM`` from the thrombus and from bone (> ``MIMIC_BONE_HU``,
which also keeps calcified plaque out). On phantoms these are the subarachnoid blood in the
cisterns; they are found from the images alone, so clinical data gets its own (SAH, ICH,
hyperdense vessels other than the occluded one). *Sleeves* are the mimics within
``SLEEVE_MM`` of opacified vessel: blood lying along a patent artery, where a long training
run's networks read their false thrombi (docs/THROMBUS.md, "The long run with a candidate model").
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import SimpleITK as sitk

from strokescope.atomic import atomic_path, atomic_write_text
from strokescope.preprocess.morphology import ball_mm, dilate_ball
from strokescope.volume import Geometry, Mask
from training.config import StageConfig
from training.dataset import Case
from training.resample import model_grid, resample_fraction

log = logging.getLogger(__name__)

REGION_MARGIN_MM = 10.0
COARSE_MIN_FRACTION = 0.1
FINE_MIN_FRACTION = 0.5
VESSEL_CTA_HU = (150.0, 700.0)
VESSEL_NCCT_MAX_HU = 100.0
MIMIC_NCCT_HU = (55.0, 100.0)
MIMIC_CTA_MAX_HU = 130.0
MIMIC_SIGMA_MM = 0.8
MIMIC_CLEARANCE_MM = 3.0
MIMIC_BONE_HU = 150.0
SLEEVE_MM = 3.0
MAX_POINTS = 4000
CACHE_VERSION = 3


@dataclass(frozen=True, eq=False)
class PreparedCase:
    """A case on the coarse and fine grids (arrays may be read-only memory maps)."""

    case_id: str
    coarse_geometry: Geometry
    fine_geometry: Geometry
    coarse_hu: npt.NDArray[np.int16]
    """(2, z, y, x) NCCT and CTA in HU on the coarse grid."""
    coarse_label: npt.NDArray[np.uint8]
    fine_hu: npt.NDArray[np.int16]
    """(2, Z, Y, X) NCCT and CTA in HU on the fine grid."""
    fine_label: npt.NDArray[np.uint8]
    thrombus_points: npt.NDArray[np.int32]
    """(n, 3) fine-grid indices inside the thrombus (a random subset of at most 4000)."""
    vessel_points: npt.NDArray[np.int32]
    """(m, 3) fine-grid indices of opacified, non-calcified vessel on CTA."""
    mimic_points: npt.NDArray[np.int32]
    """(k, 3) fine-grid indices of hyperdense, non-opacified brain away from the thrombus."""
    sleeve_points: npt.NDArray[np.int32]
    """(s, 3) the mimic voxels within ``SLEEVE_MM`` of opacified vessel."""
    thrombus_volume_mm3: float

    @property
    def positive(self) -> bool:
        return self.thrombus_volume_mm3 > 0.0


def region_of_interest(
    case: Case, brain: Mask
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Inclusive (z, y, x) index bounds on the CTA grid: ``brain``'s box + margin."""
    shape = np.asarray(case.cta.shape)
    if not brain.array.any():
        log.warning("case %s: empty brain mask, using the whole grid", case.case_id)
        return np.zeros(3, np.int64), shape - 1
    nz = np.nonzero(brain.array)
    lo = np.array([a.min() for a in nz])
    hi = np.array([a.max() for a in nz])
    margin = np.ceil(REGION_MARGIN_MM / np.asarray(case.cta.spacing)).astype(np.int64)
    return np.maximum(lo - margin, 0), np.minimum(hi + margin, shape - 1)


def _hu_stack(case: Case, geometry: Geometry) -> npt.NDArray[np.int16]:
    from strokescope.preprocess import resample_volume

    out = np.empty((2, *geometry.shape), dtype=np.int16)
    for c, vol in enumerate((case.ncct, case.cta)):
        arr = resample_volume(vol, geometry).array
        out[c] = np.clip(np.rint(arr), -32768, 32767).astype(np.int16)
    return out


def _points(mask: npt.NDArray[np.bool_], rng: np.random.Generator) -> npt.NDArray[np.int32]:
    idx = np.argwhere(mask).astype(np.int32)
    if len(idx) > MAX_POINTS:
        idx = idx[np.sort(rng.choice(len(idx), MAX_POINTS, replace=False))]
    return idx


def mimics(
    hu: npt.NDArray[np.int16],
    brain: npt.NDArray[np.bool_],
    label: npt.NDArray[np.bool_],
    geometry: Geometry,
) -> npt.NDArray[np.bool_]:
    """Hard-negative voxels of a (2, z, y, x) NCCT/CTA stack (see the module docstring)."""
    ncct = sitk.GetImageFromArray(hu[0].astype(np.float32))
    ncct.SetSpacing(geometry.spacing[::-1])
    smooth = sitk.GetArrayFromImage(sitk.SmoothingRecursiveGaussian(ncct, MIMIC_SIGMA_MM))
    lo, hi = MIMIC_NCCT_HU
    out = (smooth >= lo) & (smooth <= hi) & (hu[0] >= lo - 10.0) & (hu[0] <= hi)
    out &= brain & (hu[1] <= MIMIC_CTA_MAX_HU)
    # Clear of the clot and of bone: Gaussian spill from the skull is not a mimic.
    keep_out = label | (hu[0] > MIMIC_BONE_HU)
    out &= ~dilate_ball(keep_out, ball_mm(geometry, MIMIC_CLEARANCE_MM))
    return out


def prepare_case(
    case: Case, coarse: StageConfig, fine: StageConfig, *, seed: int = 0
) -> PreparedCase:
    """Resample ``case`` onto the coarse and fine grids of its region of interest."""
    from strokescope.preprocess import brain_mask, resample_mask

    brain = brain_mask(case.ncct)
    lo, hi = region_of_interest(case, brain)
    geoms = [model_grid(case.cta.geometry, s.spacing_mm, lo=lo, hi=hi) for s in (coarse, fine)]
    coarse_geom, fine_geom = geoms
    coarse_label = resample_fraction(case.label, coarse_geom) >= COARSE_MIN_FRACTION
    fine_label = resample_fraction(case.label, fine_geom) >= FINE_MIN_FRACTION
    fine_hu = _hu_stack(case, fine_geom)
    vessels = (
        (fine_hu[1] >= VESSEL_CTA_HU[0])
        & (fine_hu[1] <= VESSEL_CTA_HU[1])
        & (fine_hu[0] < VESSEL_NCCT_MAX_HU)
    )
    rng = np.random.default_rng(
        [seed, int(hashlib.sha1(case.case_id.encode()).hexdigest()[:8], 16)]
    )
    blood = mimics(fine_hu, resample_mask(brain, fine_geom).array, fine_label, fine_geom)
    sleeves = blood & dilate_ball(vessels, ball_mm(fine_geom, SLEEVE_MM))
    volume = float(fine_label.sum() * fine_geom.voxel_volume_mm3)
    if case.label.voxel_count and volume < 0.5 * case.label.volume_mm3:
        log.warning(
            "case %s: only %.0f of %.0f mm3 of thrombus inside the model region",
            case.case_id,
            volume,
            case.label.volume_mm3,
        )
    return PreparedCase(
        case_id=case.case_id,
        coarse_geometry=coarse_geom,
        fine_geometry=fine_geom,
        coarse_hu=_hu_stack(case, coarse_geom),
        coarse_label=coarse_label.astype(np.uint8),
        fine_hu=fine_hu,
        fine_label=fine_label.astype(np.uint8),
        thrombus_points=_points(fine_label, rng),
        vessel_points=_points(vessels, rng),
        mimic_points=_points(blood, rng),
        sleeve_points=_points(sleeves, rng),
        thrombus_volume_mm3=volume,
    )


ARRAYS = (
    "coarse_hu",
    "coarse_label",
    "fine_hu",
    "fine_label",
    "thrombus_points",
    "vessel_points",
    "mimic_points",
    "sleeve_points",
)


def _geometry_dict(g: Geometry) -> dict[str, Any]:
    return {
        "shape": list(g.shape),
        "spacing": list(g.spacing),
        "origin": list(g.origin),
        "direction": [list(r) for r in g.direction],
    }


def _geometry_from(d: dict[str, Any]) -> Geometry:
    return Geometry(
        shape=tuple(d["shape"]),
        spacing=tuple(d["spacing"]),
        origin=tuple(d["origin"]),
        direction=tuple(tuple(r) for r in d["direction"]),  # type: ignore[arg-type]
    )


def cache_key(coarse: StageConfig, fine: StageConfig) -> str:
    """Short hash of everything that changes the prepared arrays."""
    text = json.dumps(
        [
            CACHE_VERSION,
            coarse.spacing_mm,
            fine.spacing_mm,
            REGION_MARGIN_MM,
            COARSE_MIN_FRACTION,
            FINE_MIN_FRACTION,
            VESSEL_CTA_HU,
            VESSEL_NCCT_MAX_HU,
            MIMIC_NCCT_HU,
            MIMIC_CTA_MAX_HU,
            MIMIC_SIGMA_MM,
            MIMIC_CLEARANCE_MM,
            MIMIC_BONE_HU,
            SLEEVE_MM,
        ]
    )
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def save_prepared(prep: PreparedCase, folder: Path) -> None:
    """Write ``prep`` as ``.npy`` files plus ``meta.json`` (written last: marks completion)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ARRAYS:
        with atomic_path(folder / f"{name}.npy") as tmp, open(tmp, "wb") as fh:
            np.save(fh, getattr(prep, name))
    meta = {
        "case_id": prep.case_id,
        "coarse_geometry": _geometry_dict(prep.coarse_geometry),
        "fine_geometry": _geometry_dict(prep.fine_geometry),
        "thrombus_volume_mm3": prep.thrombus_volume_mm3,
    }
    atomic_write_text(folder / "meta.json", json.dumps(meta, indent=1) + "\n")


def load_prepared(folder: Path) -> PreparedCase | None:
    """Read a case written by :func:`save_prepared` (fine arrays memory-mapped), or None."""
    meta_path = folder / "meta.json"
    if not meta_path.is_file():
        return None
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    arrays = {
        name: np.load(folder / f"{name}.npy", mmap_mode="r" if name.startswith("fine") else None)
        for name in ARRAYS
    }
    return PreparedCase(
        case_id=meta["case_id"],
        coarse_geometry=_geometry_from(meta["coarse_geometry"]),
        fine_geometry=_geometry_from(meta["fine_geometry"]),
        thrombus_volume_mm3=float(meta["thrombus_volume_mm3"]),
        **arrays,
    )
