"""Fuzz mutations of slice geometry (positions, orientation, spacing, gaps, copies, order)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pydicom
from tests.fuzz import dicom_edit as de
from tests.fuzz.mutation_kit import (
    Apply,
    Edit,
    add,
    drop,
    each,
    first,
    last,
    one,
    set_sop_uid,
    text,
)


def _moved(path: Path, axis: int, mm: float) -> list[str]:
    xyz = [float(v) for v in de.text_of(path, "ImagePositionPatient")]
    xyz[axis] += mm
    return [f"{v:.4f}" for v in xyz]


def _shift(axis: int, mm: float) -> Edit:
    return lambda path: de.set_text(path, "ImagePositionPatient", *_moved(path, axis, mm))


def _ipp_component(axis: int, text: str) -> Edit:
    def fn(path: Path) -> None:
        values = de.text_of(path, "ImagePositionPatient")
        values[axis] = text
        de.set_text(path, "ImagePositionPatient", *values)

    return fn


def _iop(*values: str) -> Edit:
    return text("ImageOrientationPatient", *values)


def _spacing_doubled(path: Path) -> None:
    de.set_text(
        path, "PixelSpacing", *[f"{2 * float(v)}" for v in de.text_of(path, "PixelSpacing")]
    )


def _duplicate_position(folder: Path, rng: np.random.Generator) -> None:
    a = de.inner_file(folder, rng)
    files = de.series_files(folder)
    b = files[files.index(a) + 1]
    de.set_text(b, "ImagePositionPatient", *de.text_of(a, "ImagePositionPatient"))


def _copy_slice(new_uid: bool) -> Apply:
    def apply(folder: Path, rng: np.random.Generator) -> None:
        src = de.inner_file(folder, rng)
        dst = folder / f"COPY_{src.name}"
        shutil.copy2(src, dst)
        if new_uid:
            set_sop_uid(dst, pydicom.uid.generate_uid(entropy_srcs=[dst.name, "fuzz"]))

    return apply


def _keep(select: Callable[[list[Path]], list[Path]]) -> Apply:
    def apply(folder: Path, rng: np.random.Generator) -> None:
        files = de.series_files(folder)
        keep = set(select(files))
        for path in files:
            if path not in keep:
                path.unlink()

    return apply


def _remove_inner(folder: Path, rng: np.random.Generator) -> None:
    de.inner_file(folder, rng).unlink()


def _jitter_positions(folder: Path, rng: np.random.Generator) -> None:
    for path in de.series_files(folder):
        _shift(2, float(rng.uniform(-0.4, 0.4)))(path)


def _reverse_names(folder: Path, rng: np.random.Generator) -> None:
    files = de.series_files(folder)
    names = [p.name for p in files]
    moved = [p.rename(p.with_suffix(".tmp")) for p in files]
    for path, name in zip(moved, reversed(names), strict=True):
        path.rename(folder / name)


# fmt: off
add("ipp_nan_one", "geometry", "warn_or_error", "one file: ImagePositionPatient x NaN",
     one(_ipp_component(0, "NaN")))
add("ipp_inf_one", "geometry", "warn_or_error", "one file: ImagePositionPatient z Infinity",
     one(_ipp_component(2, "Infinity")))
add("ipp_nan_all", "geometry", "error", "every file: ImagePositionPatient NaN\\NaN\\NaN",
     each(text("ImagePositionPatient", "NaN", "NaN", "NaN")))
add("ipp_missing_one", "geometry", "warn_or_error", "one file: no ImagePositionPatient",
     one(drop("ImagePositionPatient")))
add("ipp_missing_all", "geometry", "warn_or_error", "every file: no ImagePositionPatient",
     each(drop("ImagePositionPatient")))
add("iop_nan_one", "geometry", "warn_or_error", "one file: ImageOrientationPatient NaN",
     one(_iop("NaN", "0", "0", "0", "1", "0")))
add("iop_nan_all", "geometry", "error", "every file: ImageOrientationPatient NaN",
     each(_iop("NaN", "0", "0", "0", "1", "0")))
add("iop_inf_all", "geometry", "error", "every file: ImageOrientationPatient Infinity",
     each(_iop("1", "0", "0", "0", "Infinity", "0")))
add("iop_zero_all", "geometry", "error", "every file: ImageOrientationPatient all zero",
     each(_iop("0", "0", "0", "0", "0", "0")))
add("iop_parallel_all", "geometry", "error", "every file: row and column directions equal",
     each(_iop("1", "0", "0", "1", "0", "0")))
add("iop_non_orthonormal_all", "geometry", "warn_or_error",
     "every file: column direction 0.2 off perpendicular (corrected only with a warning)",
     each(_iop("1", "0", "0", "0.2", "1", "0")))
add("iop_scaled_all", "geometry", "warn_or_error", "every file: direction vectors of length 2",
     each(_iop("2", "0", "0", "0", "2", "0")))
add("iop_rounding_all", "geometry", "same", "every file: 1e-7 off orthonormal (writer rounding)",
     each(_iop("1", "1e-7", "0", "0", "1", "-1e-7")))
add("iop_one_different", "geometry", "warn_or_error",
     "one file: orientation rotated 30 degrees about z",
     one(_iop("0.866025", "0.5", "0", "-0.5", "0.866025", "0")))
add("iop_short_all", "geometry", "error", "every file: ImageOrientationPatient of 3 values",
     each(_iop("1", "0", "0")))
add("slice_moved_1e9", "geometry", "warn_or_error", "one inner slice moved 1e9 mm in z",
     one(_shift(2, 1e9)))
add("last_slice_moved_5000", "geometry", "warn_or_error", "the last slice moved 5000 mm in z",
     last(_shift(2, 5000.0)))
add("first_slice_moved_minus_800", "geometry", "warn_or_error",
     "the first slice moved 800 mm down in z", first(_shift(2, -800.0)))
add("slice_moved_sideways", "geometry", "warn_or_error", "one inner slice moved 40 mm in x",
     one(_shift(0, 40.0)))
add("positions_far_away", "geometry", "warn_or_error",
     "every slice offset by 1e6 mm in x (consistently)", each(_shift(0, 1e6)))
add("spacing_1e6_all", "geometry", "error", "every file: PixelSpacing 1e6",
     each(text("PixelSpacing", "1e6", "1e6")))
add("spacing_1e-9_all", "geometry", "error", "every file: PixelSpacing 1e-9",
     each(text("PixelSpacing", "1e-9", "1e-9")))
add("spacing_zero_all", "geometry", "error", "every file: PixelSpacing 0",
     each(text("PixelSpacing", "0", "0")))
add("spacing_missing_all", "geometry", "warn_or_error", "every file: no PixelSpacing",
     each(drop("PixelSpacing")))
add("spacing_one_different", "geometry", "warn_or_error", "one file: PixelSpacing doubled",
     one(_spacing_doubled))
add("thickness_huge_all", "geometry", "warn_or_error", "every file: SliceThickness 1e6",
     each(text("SliceThickness", "1e6")))
add("positions_duplicate", "geometry", "warn_or_error",
     "two neighbouring slices share one position", _duplicate_position)
add("slice_copy_same_uid", "geometry", "same",
     "one file copied under another name (same SOPInstanceUID)", _copy_slice(False))
add("slice_copy_new_uid", "geometry", "warn_or_error",
     "one file copied with a new SOPInstanceUID (two images at one position)", _copy_slice(True))
add("slice_missing_inner", "geometry", "warn_or_error", "one inner slice deleted (a gap)",
     _remove_inner)
add("slices_gap_three", "geometry", "warn_or_error", "three neighbouring inner slices deleted",
     _keep(lambda files: files[: len(files) // 3] + files[len(files) // 3 + 3 :]))
add("single_slice", "geometry", "error", "only one slice left",
     _keep(lambda files: files[len(files) // 2 : len(files) // 2 + 1]))
add("positions_jitter", "geometry", "warn_or_error",
     "every slice moved by up to 0.4 mm in z (uneven spacing)", _jitter_positions)
add("names_reversed", "geometry", "same", "file names in reverse slice order", _reverse_names)
# fmt: on
