"""Fuzz mutations of the pixel description and Pixel Data (size, bits, rescale, truncation)."""

from __future__ import annotations

from pathlib import Path

import pydicom
from tests.fuzz import dicom_edit as de
from tests.fuzz.mutation_kit import (
    Edit,
    add,
    drop,
    each,
    one,
    text,
    us,
)


def _scale(keyword: str, factor: float) -> Edit:
    def fn(path: Path) -> None:
        value = int(pydicom.dcmread(path, stop_before_pixels=True)[keyword].value)
        de.set_us(path, keyword, int(value * factor))

    return fn


def _truncate_file(path: Path) -> None:
    at, length = de.pixel_value(path)
    with path.open("r+b") as f:
        f.truncate(at + length // 2)


def _pixels_half(path: Path) -> None:
    at, length = de.pixel_value(path)
    de.set_raw(path, "PixelData", path.read_bytes()[at : at + length // 2], pad=b"\0")


# fmt: off
add("rows_half_all", "pixel", "warn_or_error",
     "every file: Rows half the stored rows (the data is twice as long)", each(_scale("Rows", 0.5)))
add("rows_half_one", "pixel", "warn_or_error", "one file: Rows halved",
     one(_scale("Rows", 0.5)))
add("columns_double_one", "pixel", "warn_or_error", "one file: Columns doubled",
     one(_scale("Columns", 2.0)))
add("rows_zero_one", "pixel", "warn_or_error", "one file: Rows 0", one(us("Rows", 0)))
add("rows_zero_all", "pixel", "error", "every file: Rows 0", each(us("Rows", 0)))
add("columns_max_all", "pixel", "error", "every file: Columns 65535",
     each(us("Columns", 65535)))
add("bits_allocated_8_all", "pixel", "error", "every file: BitsAllocated 8 on 16-bit data",
     each(us("BitsAllocated", 8), us("BitsStored", 8), us("HighBit", 7)))
add("bits_allocated_8_one", "pixel", "warn_or_error", "one file: BitsAllocated 8",
     one(us("BitsAllocated", 8)))
add("bits_stored_20_all", "pixel", "warn_or_error", "every file: BitsStored 20 > allocated",
     each(us("BitsStored", 20)))
add("samples_per_pixel_3_one", "pixel", "warn_or_error", "one file: SamplesPerPixel 3",
     one(us("SamplesPerPixel", 3)))
add("pixel_representation_unsigned_all", "pixel", "warn_or_error",
     "every file: PixelRepresentation 0 (signed data read as unsigned)",
     each(us("PixelRepresentation", 0)))
add("slope_nan_one", "pixel", "warn_or_error", "one file: RescaleSlope NaN",
     one(text("RescaleSlope", "NaN")))
add("slope_nan_all", "pixel", "error", "every file: RescaleSlope NaN",
     each(text("RescaleSlope", "NaN")))
add("slope_inf_one", "pixel", "warn_or_error", "one file: RescaleSlope Infinity",
     one(text("RescaleSlope", "Infinity")))
add("intercept_huge_one", "pixel", "warn_or_error", "one file: RescaleIntercept 1e300",
     one(text("RescaleIntercept", "1e300")))
add("intercept_huge_all", "pixel", "error", "every file: RescaleIntercept 1e300",
     each(text("RescaleIntercept", "1e300")))
add("intercept_shifted_one", "pixel", "warn_or_error",
     "one file: RescaleIntercept -2024 (1000 HU too low)", one(text("RescaleIntercept", "-2024")))
add("rescale_missing_all", "pixel", "warn_or_error",
     "every file: no RescaleSlope/Intercept (stored values taken as HU)",
     each(drop("RescaleSlope", "RescaleIntercept", "RescaleType")))
add("pixels_truncated_one", "pixel", "warn_or_error",
     "one file ends half-way through Pixel Data", one(_truncate_file))
add("pixels_truncated_all", "pixel", "error", "every file ends half-way through Pixel Data",
     each(_truncate_file))
add("pixels_short_one", "pixel", "warn_or_error",
     "one file: Pixel Data of half the bytes, its length field consistent", one(_pixels_half))
add("pixels_missing_one", "pixel", "warn_or_error", "one file: no Pixel Data",
     one(drop("PixelData")))
# fmt: on
