"""Training cases: the nnU-Net raw layout reader and writer, and phantom cases.

A dataset in nnU-Net raw layout (v2) is a folder holding::

    imagesTr/CASE_0000.nii.gz   NCCT (HU), co-registered onto the CTA grid
    imagesTr/CASE_0001.nii.gz   CTA (HU)
    labelsTr/CASE.nii.gz        thrombus label (0/1) on the CTA grid
    dataset.json                channel names, labels, numTraining, file_ending

Phantoms are written in this layout too (``python -m training.make_phantoms``), so clinical
data and phantoms reach training through one reader, :func:`read_case`.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import SimpleITK as sitk

from strokescope.atomic import atomic_path, atomic_write_text
from strokescope.errors import InputError
from strokescope.io.sitk_convert import read_mask, read_volume, volume_to_sitk, write_mask
from strokescope.volume import Mask, Volume

log = logging.getLogger(__name__)

SUFFIX = ".nii.gz"
CHANNEL_NAMES = {"0": "NCCT", "1": "CTA"}
GEOMETRY_TOLERANCE_MM = 0.05


@dataclass(frozen=True, eq=False)
class Case:
    """One training case: NCCT and CTA (HU) and the thrombus label, all on the CTA grid."""

    case_id: str
    ncct: Volume
    cta: Volume
    label: Mask

    def __post_init__(self) -> None:
        for name, geom in (("NCCT", self.ncct.geometry), ("label", self.label.geometry)):
            if geom.shape != self.cta.geometry.shape:
                raise InputError(
                    f"case {self.case_id}: {name} shape {geom.shape} differs from CTA "
                    f"{self.cta.geometry.shape}; co-register it onto the CTA grid first"
                )
            corner = np.asarray(geom.origin) - np.asarray(self.cta.geometry.origin)
            if np.abs(corner).max() > GEOMETRY_TOLERANCE_MM or not np.allclose(
                geom.spacing, self.cta.geometry.spacing, atol=1e-3
            ):
                raise InputError(
                    f"case {self.case_id}: {name} origin/spacing differ from the CTA grid"
                )


def image_paths(root: Path, case_id: str) -> tuple[Path, Path, Path]:
    """NCCT, CTA and label paths of ``case_id`` in nnU-Net raw layout."""
    return (
        root / "imagesTr" / f"{case_id}_0000{SUFFIX}",
        root / "imagesTr" / f"{case_id}_0001{SUFFIX}",
        root / "labelsTr" / f"{case_id}{SUFFIX}",
    )


def list_cases(root: str | Path) -> tuple[str, ...]:
    """Case identifiers of a dataset in nnU-Net raw layout, sorted.

    Raises
    ------
    InputError
        If the folder lacks ``labelsTr``, has no cases, or a case misses a channel.
    """
    base = Path(root)
    labels = base / "labelsTr"
    if not labels.is_dir():
        raise InputError(f"{base}: not an nnU-Net raw dataset (no labelsTr folder)")
    ids = sorted(p.name[: -len(SUFFIX)] for p in labels.glob(f"*{SUFFIX}"))
    if not ids:
        raise InputError(f"{labels}: no {SUFFIX} labels found")
    for case_id in ids:
        for path in image_paths(base, case_id)[:2]:
            if not path.is_file():
                raise InputError(f"{base}: case {case_id} lacks {path.name}")
    return tuple(ids)


def read_case(root: str | Path, case_id: str) -> Case:
    """Read one case (NCCT, CTA, label) of an nnU-Net raw dataset."""
    ncct_path, cta_path, label_path = image_paths(Path(root), case_id)
    cta = read_volume(cta_path)
    ncct = read_volume(ncct_path)
    label = read_mask(label_path, "thrombus")
    return Case(case_id, ncct, cta, label)


def _write_int16(vol: Volume, path: Path) -> None:
    image = sitk.Cast(sitk.Round(volume_to_sitk(vol)), sitk.sitkInt16)
    with atomic_path(path) as tmp:
        staged = tmp.with_name(tmp.name + SUFFIX)
        try:
            sitk.WriteImage(image, str(staged), useCompression=True)
            staged.replace(tmp)
        finally:
            staged.unlink(missing_ok=True)


def write_case(case: Case, root: str | Path) -> None:
    """Write ``case`` into ``root`` in nnU-Net raw layout (images as int16 HU)."""
    ncct_path, cta_path, label_path = image_paths(Path(root), case.case_id)
    _write_int16(case.ncct, ncct_path)
    _write_int16(case.cta, cta_path)
    write_mask(case.label, label_path)


def write_dataset_json(root: str | Path, *, description: str) -> Path:
    """Write ``dataset.json`` (nnU-Net v2) counting the cases present in ``root``."""
    base = Path(root)
    n = len(list((base / "labelsTr").glob(f"*{SUFFIX}")))
    meta = {
        "channel_names": CHANNEL_NAMES,
        "labels": {"background": 0, "thrombus": 1},
        "numTraining": n,
        "file_ending": SUFFIX,
        "description": description,
    }
    path = base / "dataset.json"
    atomic_write_text(path, json.dumps(meta, indent=2) + "\n")
    return path


def dataset_description(root: str | Path) -> str:
    """``description`` of ``dataset.json`` when present, else the folder name."""
    path = Path(root) / "dataset.json"
    if path.is_file():
        try:
            return str(json.loads(path.read_text(encoding="utf-8")).get("description", ""))
        except (OSError, json.JSONDecodeError):
            log.warning("%s: unreadable dataset.json", path)
    return f"nnU-Net raw dataset {Path(root).name}"
