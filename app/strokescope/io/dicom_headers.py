"""Read the header of one file: is it a DICOM image, and where are its frames?

Only headers are parsed here (pydicom ``stop_before_pixels``); for uncompressed
little-endian files the byte offset of the pixel data is recorded so the loader can read the
pixels straight from disk without parsing the header again; their length must fit the
header (:mod:`strokescope.io.pixel_layout`: a mismatch would make a silently wrong volume).
Files that cannot be part of a volume raise :class:`SkipFile` with a one-line reason: so do
Rows or Columns of 0, a Number of Frames out of range, rescale values that are not finite
or beyond :data:`MAX_RESCALE_SLOPE` / :data:`MAX_RESCALE_INTERCEPT`, an Image Orientation
(Patient) that is not finite, and a Pixel Spacing outside
:data:`~strokescope.io.geometry_limits.PIXEL_SPACING_MM`.

Tags read: (0008,0016) SOP Class UID, (0008,0008) Image Type, (0008,0060) Modality,
(0020,000E) Series / (0020,000D) Study / (0020,0052) Frame of Reference UIDs, (0028,0010)
Rows, (0028,0011) Columns, (0028,0030) Pixel Spacing, (0020,0037) Image Orientation
(Patient), (0020,0032) Image Position (Patient), (0028,1052)/(0028,1053) Rescale
Intercept/Slope, (0028,0120) Pixel Padding Value, (0018,0050) Slice Thickness, (0018,1210)
Convolution Kernel, (0018,1120) Gantry/Detector Tilt, (0018,0010) Contrast/Bolus Agent, and
for multi-frame (Enhanced CT) images the Shared and Per-Frame Functional Groups
(PlanePosition, PlaneOrientation, PixelMeasures, PixelValueTransformation).
"""

from __future__ import annotations

import math
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from strokescope.io.dicom_read import SkipFile, looks_like_dicom, read_dataset
from strokescope.io.geometry_limits import PIXEL_SPACING_MM
from strokescope.io.pixel_layout import (
    DEFLATED_LE,
    pixel_format_of,
    pixel_offset,
    transfer_syntax_of,
)
from strokescope.io.series_info import FrameRef, PixelFormat

MEDIA_STORAGE_DIRECTORY = "1.2.840.10008.1.3.10"
NON_IMAGE_MODALITIES = frozenset(
    {"SR", "PR", "KO", "SEG", "RTSTRUCT", "RTPLAN", "RTRECORD", "REG", "DOC", "FID", "PLAN"}
)
_STORAGE = "1.2.840.10008.5.1.4.1.1."
NON_IMAGE_SOP_PREFIXES = tuple(  # SR/KO, PR, raw data/SEG/registration, RT, documents, waveforms
    _STORAGE + p for p in ("88.", "11.", "66", "481.", "104.", "9.")
)
MAX_FRAMES = 10_000
MAX_RESCALE_SLOPE = 1e3
MAX_RESCALE_INTERCEPT = 1e5
"""Largest magnitudes of Rescale Slope and Intercept taken as HU (CT uses 1 and -1024)."""


@dataclass(frozen=True)
class ImageHeader:
    """One image file (or one orientation of a multi-frame file).

    Per-image attributes are parsed for every file; series-level ones (description, patient,
    kernel, ...) are properties read from ``dataset`` on demand, so a scan pays for them
    once per series rather than once per file.
    """

    path: Path
    series_uid: str
    sop_class_uid: str
    modality: str
    image_type: tuple[str, ...]
    rows: int
    columns: int
    pixel_spacing: tuple[float, float]
    orientation: tuple[float, float, float, float, float, float]
    pixel_format: PixelFormat
    frames: tuple[FrameRef, ...]
    dataset: Any = field(default=None, repr=False, compare=False)

    def _functional(self, sequence: str, keyword: str, plain: str) -> Any:
        ds = self.dataset
        per_frame = ds.get("PerFrameFunctionalGroupsSequence")
        first = per_frame[self.frames[0].frame] if per_frame else None
        value = _group_value(first, _first(ds, "SharedFunctionalGroupsSequence"), sequence, keyword)
        return ds.get(plain) if value is None else value

    @property
    def study_uid(self) -> str:
        return _text(self.dataset, "StudyInstanceUID")

    @property
    def frame_of_reference_uid(self) -> str:
        return _text(self.dataset, "FrameOfReferenceUID")

    @property
    def description(self) -> str:
        return _text(self.dataset, "SeriesDescription")

    @property
    def series_number(self) -> int | None:
        value = _float(self.dataset.get("SeriesNumber"))
        return None if value is None or not math.isfinite(value) else int(value)

    @property
    def patient_id(self) -> str:
        return _text(self.dataset, "PatientID")

    @property
    def patient_name(self) -> str:
        return _text(self.dataset, "PatientName")

    @property
    def study_date(self) -> str:
        return _text(self.dataset, "StudyDate")

    @property
    def kernel(self) -> str:
        return _kernel(self.dataset)

    @property
    def contrast_agent(self) -> str:
        return _contrast(self.dataset)

    @property
    def slice_thickness(self) -> float | None:
        """(0018,0050) Slice Thickness (or PixelMeasuresSequence of the first frame)."""
        value = self._functional("PixelMeasuresSequence", "SliceThickness", "SliceThickness")
        return _float(value)

    @property
    def tilt_header_deg(self) -> float:
        """(0018,1120) Gantry/Detector Tilt (or CTAcquisitionDetailsSequence)."""
        value = self._functional(
            "CTAcquisitionDetailsSequence", "GantryDetectorTilt", "GantryDetectorTilt"
        )
        return _float(value, 0.0) or 0.0


def _text(ds: Any, keyword: str) -> str:
    value = ds.get(keyword, "")
    if value is None:
        return ""
    if isinstance(value, list | tuple) or type(value).__name__ == "MultiValue":
        return "\\".join(str(v) for v in value).strip()
    return str(value).strip()


def _float(value: Any, default: float | None = None) -> float | None:
    try:
        return float(value) if value not in (None, "") else default
    except (TypeError, ValueError):
        return default


def _first(ds: Any, keyword: str) -> Any:
    """First item of the sequence ``keyword`` of ``ds`` (``None`` when absent or empty)."""
    seq = ds.get(keyword) if ds is not None else None
    return seq[0] if seq else None


def _group_value(frame_group: Any, shared: Any, sequence: str, keyword: str) -> Any:
    """A functional-group attribute: the per-frame group wins over the shared one."""
    for group in (frame_group, shared):
        item = _first(group, sequence)
        if item is not None and keyword in item:
            return item.get(keyword)
    return None


def _rescale(slope: Any, intercept: Any) -> tuple[float, float]:
    """(0028,1053) Rescale Slope and (0028,1052) Rescale Intercept, checked.

    Absent (or a zero slope): 1 and 0. Raises :class:`SkipFile` for values that are not
    finite or beyond :data:`MAX_RESCALE_SLOPE` / :data:`MAX_RESCALE_INTERCEPT`.
    """
    m = _float(slope, 1.0) or 1.0
    b = _float(intercept, 0.0) or 0.0
    if not (abs(m) <= MAX_RESCALE_SLOPE and abs(b) <= MAX_RESCALE_INTERCEPT):  # NaN fails too
        raise SkipFile(
            f"malformed image header (Rescale Slope {m:g}, Rescale Intercept {b:g}: "
            f"limits {MAX_RESCALE_SLOPE:g} and {MAX_RESCALE_INTERCEPT:g})",
            warn=True,
        )
    return m, b


def _orientation(value: Any) -> tuple[float, float, float, float, float, float]:
    """(0020,0037) Image Orientation (Patient), rounded to 4 decimals (the grouping key).

    Raises :class:`SkipFile` for a value that is not finite: NaN never equals itself, so
    such files would each form a group of their own and the series would vanish unexplained.
    """
    v = [round(float(x), 4) for x in value]
    if len(v) != 6:
        raise ValueError("orientation needs 6 values")
    if not all(math.isfinite(x) for x in v):
        shown = " ".join(f"{x:g}" for x in v)
        raise SkipFile(
            f"orientation not finite (0020,0037 Image Orientation (Patient) [{shown}])",
            warn=True,
        )
    return (v[0], v[1], v[2], v[3], v[4], v[5])


def _number_of_frames(ds: Any) -> int:
    """(0028,0008) Number of Frames (1 when absent), checked against its functional groups."""
    value = ds.get("NumberOfFrames")
    if value is None or value == "":
        return 1
    try:
        n = int(value)
    except (TypeError, ValueError, OverflowError):
        n = -1
    if not 1 <= n <= MAX_FRAMES:
        raise SkipFile(f"malformed image header (Number of Frames {str(value)[:20]!r})", warn=True)
    per_frame = ds.get("PerFrameFunctionalGroupsSequence")
    if per_frame is not None and len(per_frame) != n:
        raise SkipFile(
            f"malformed image header (Number of Frames {n} but {len(per_frame)} "
            "per-frame functional groups)",
            warn=True,
        )
    return n


def _frames_of(
    ds: Any, path: Path, fmt: PixelFormat, offset: int, stat: os.stat_result, n_frames: int
) -> Iterator[tuple[tuple[float, ...], FrameRef]]:
    """Yield (orientation, frame) for each of the ``n_frames`` frames of ``ds``."""
    frame_bytes = int(ds.Rows) * int(ds.Columns) * (fmt.bits_allocated // 8)
    shared = _first(ds, "SharedFunctionalGroupsSequence")
    per_frame = ds.get("PerFrameFunctionalGroupsSequence")
    sop = _text(ds, "SOPInstanceUID")
    number = int(_float(ds.get("InstanceNumber"), 0) or 0)
    lut = "ModalityLUTSequence" in ds
    for f in range(n_frames):
        group = per_frame[f] if per_frame is not None and f < len(per_frame) else None
        if shared is None and group is None:
            ipp, iop = ds.get("ImagePositionPatient"), ds.get("ImageOrientationPatient")
            slope, intercept = ds.get("RescaleSlope"), ds.get("RescaleIntercept")
        else:
            ipp = _group_value(group, shared, "PlanePositionSequence", "ImagePositionPatient")
            iop = _group_value(group, shared, "PlaneOrientationSequence", "ImageOrientationPatient")
            pvt = "PixelValueTransformationSequence"
            slope = _group_value(group, shared, pvt, "RescaleSlope")
            intercept = _group_value(group, shared, pvt, "RescaleIntercept")
            slope = ds.get("RescaleSlope") if slope is None else slope
            intercept = ds.get("RescaleIntercept") if intercept is None else intercept
        if ipp is None or iop is None or len(ipp) != 3:
            raise SkipFile("image without position/orientation (not part of a volume)", warn=False)
        m, b = _rescale(slope, intercept)
        given = lut or (_float(slope) is not None and _float(intercept) is not None)
        frame = FrameRef(
            path=path,
            frame=f,
            n_frames=n_frames,
            position=(float(ipp[0]), float(ipp[1]), float(ipp[2])),
            sop_instance_uid=sop,
            instance_number=number,
            slope=m,
            intercept=b,
            pixel_offset=offset + f * frame_bytes if offset >= 0 else -1,
            file_size=stat.st_size,
            mtime_ns=stat.st_mtime_ns,
            rescale_given=given,
        )
        yield _orientation(iop), frame


def _pixel_spacing(ds: Any) -> tuple[float, float]:
    """(0028,0030) Pixel Spacing (or PixelMeasuresSequence), within ``PIXEL_SPACING_MM``.

    Checked per file so that ``info`` names an absurd value (the loader would refuse it).
    """
    shared = _first(ds, "SharedFunctionalGroupsSequence")
    per_frame = ds.get("PerFrameFunctionalGroupsSequence")
    first = per_frame[0] if per_frame else None
    value = _group_value(first, shared, "PixelMeasuresSequence", "PixelSpacing")
    value = ds.get("PixelSpacing") if value is None else value
    if value is None or len(value) != 2:
        raise SkipFile("image without a valid Pixel Spacing (0028,0030)", warn=True)
    row, col = float(value[0]), float(value[1])
    lo, hi = PIXEL_SPACING_MM
    if not (lo <= row <= hi and lo <= col <= hi):  # NaN fails too
        raise SkipFile(
            f"pixel spacing out of range (0028,0030 Pixel Spacing {row:g} x {col:g} mm; "
            f"limits {lo:g}-{hi:g} mm)",
            warn=True,
        )
    return row, col


def _kernel(ds: Any) -> str:
    kernel = _text(ds, "ConvolutionKernel")
    if not kernel:
        item = _first(_first(ds, "SharedFunctionalGroupsSequence"), "CTReconstructionSequence")
        kernel = _text(item, "ConvolutionKernel") if item is not None else ""
    return kernel


def _contrast(ds: Any) -> str:
    agent = _text(ds, "ContrastBolusAgent")
    if not agent:
        item = _first(ds, "ContrastBolusAgentSequence")
        agent = _text(item, "CodeMeaning") if item is not None else ""
    return agent


DICOM_LIKE_SUFFIXES = frozenset({"", ".dcm", ".dicom", ".dic", ".ima", ".img"})


def read_image_header(path: Path) -> list[ImageHeader]:
    """Parse the header of ``path``; one :class:`ImageHeader` per orientation it holds.

    Raises :class:`SkipFile` for anything that is not an image slice of a volume, and
    ``PermissionError``/``OSError`` when the file cannot be opened.
    """
    stat = path.stat()
    with open(path, "rb") as fp:
        head = fp.read(132)
        if not looks_like_dicom(head):
            # A file named like DICOM that is not is worth a warning; notes, NIfTI masks
            # and reports beside a series are only listed as left out.
            raise SkipFile("not a DICOM file", warn=path.suffix.lower() in DICOM_LIKE_SUFFIXES)
        fp.seek(0)
        ds = read_dataset(fp)
        meta = getattr(ds, "file_meta", None)
        sop_class = _text(ds, "SOPClassUID") or _text(meta, "MediaStorageSOPClassUID")
        if sop_class == MEDIA_STORAGE_DIRECTORY or "DirectoryRecordSequence" in ds:
            raise SkipFile("DICOMDIR index", warn=False)
        modality = _text(ds, "Modality").upper()
        if modality in NON_IMAGE_MODALITIES or sop_class.startswith(NON_IMAGE_SOP_PREFIXES):
            raise SkipFile(f"non-image object ({modality or sop_class})", warn=False)
        syntax = transfer_syntax_of(ds)
        if syntax != DEFLATED_LE and fp.tell() >= stat.st_size:  # a cut header reads quietly
            raise SkipFile("truncated: the file ends before its pixel data", warn=True)
        if "Rows" not in ds or "Columns" not in ds:
            raise SkipFile(f"non-image object ({modality or 'no modality'})", warn=False)
        if "SeriesInstanceUID" not in ds:
            raise SkipFile("no SeriesInstanceUID", warn=True)
        image_type = tuple(_text(ds, "ImageType").upper().split("\\"))
        if "LOCALIZER" in image_type:
            raise SkipFile("localizer (ImageType LOCALIZER)", warn=False)
        if not _text(ds, "SOPInstanceUID"):
            raise SkipFile("no SOPInstanceUID", warn=True)
        n_frames = _number_of_frames(ds)
        try:
            if int(ds.Rows) < 1 or int(ds.Columns) < 1:
                raise ValueError(f"Rows x Columns {ds.Rows} x {ds.Columns}")
            fmt = pixel_format_of(ds, syntax)
            offset = pixel_offset(fp, ds, fmt, n_frames, stat.st_size)
            spacing = _pixel_spacing(ds)
            frames = list(_frames_of(ds, path, fmt, offset, stat, n_frames))
        except (ValueError, TypeError, AttributeError, IndexError, struct.error) as exc:
            raise SkipFile(f"malformed image header ({exc})", warn=True) from exc
    groups: dict[tuple[float, ...], list[FrameRef]] = {}
    for iop, frame in frames:
        groups.setdefault(iop, []).append(frame)
    return [
        ImageHeader(
            path=path,
            series_uid=_text(ds, "SeriesInstanceUID"),
            sop_class_uid=sop_class,
            modality=modality,
            image_type=image_type,
            rows=int(ds.Rows),
            columns=int(ds.Columns),
            pixel_spacing=spacing,
            orientation=iop,  # type: ignore[arg-type]
            pixel_format=fmt,
            frames=tuple(items),
            dataset=ds,
        )
        for iop, items in groups.items()
    ]
