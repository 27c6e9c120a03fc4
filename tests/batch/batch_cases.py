"""Seeded phantom cohorts for the batch tests: small studies written as DICOM, on disk."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from strokescope.phantom import PhantomOptions, generate_study, write_study

GEOMETRY = {"inplane_mm": 1.5, "matrix": 128, "slice_mm": 1.5, "noise_hu": 3.0}
"""About 107 x 128 x 128 voxels: a few seconds per case with the shipped models."""


@dataclass(frozen=True)
class Study:
    """A written phantom study and the reference values of its cohort row."""

    folder: Path
    truth: dict[str, str]


def write_phantom(out: Path, seed: int, occlusion: str) -> Study:
    """Generate and write one phantom study (NCCT + CTA, truth masks) under ``out``."""
    study = generate_study(PhantomOptions(seed=seed, occlusion=occlusion, **GEOMETRY))  # type: ignore[arg-type]
    paths = write_study(study, out)
    t = study.truth
    truth = {
        "truth_volume_mm3": f"{t.thrombus_mask_volume_mm3 or 0.0:.3f}",
        "truth_length_mm": f"{t.thrombus_length_mm or 0.0:.3f}",
        "truth_occlusion_class": t.occlusion_class,
    }
    mask = paths.masks.get("thrombus")
    if mask is not None:
        truth["truth_mask"] = str(mask)
    return Study(paths.root, truth)


def broken_folder(out: Path) -> Path:
    """A folder that holds no DICOM image series (one junk file)."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "junk.dcm").write_bytes(b"not a DICOM file")
    return out


def write_cohort(path: Path, rows: Sequence[dict[str, str]]) -> Path:
    """A cohort CSV with the union of the rows' columns, in first-seen order."""
    columns: list[str] = []
    for row in rows:
        columns.extend(k for k in row if k not in columns)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


def copy_tree(src: Path, dst: Path) -> Path:
    """A copy of ``src`` that keeps modification times (as ``cp -a`` would)."""
    shutil.copytree(src, dst, copy_function=shutil.copy2)
    return dst


def read_rows(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


VARYING = ("seconds", "worker")
"""Summary columns that differ between two runs of the same cases."""


def stable_rows(path: Path) -> list[dict[str, str]]:
    """``summary.csv`` rows without the columns that vary from run to run, and with the
    registration metric to 8 digits: ITK's multi-threaded metric sums differ in the last
    digits between a process with many threads and a Dask worker with one."""
    rows = []
    for row in read_rows(path):
        kept = {k: v for k, v in row.items() if k not in VARYING}
        if kept.get("registration_metric"):
            kept["registration_metric"] = f"{float(kept['registration_metric']):.8g}"
        rows.append(kept)
    return rows
