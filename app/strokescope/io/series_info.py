"""What a folder scan finds: one :class:`SeriesInfo` per loadable image series.

A :class:`SeriesInfo` is made from headers only (no pixel data is read) and carries, besides
the summary a user sees in ``strokescope info``, one :class:`FrameRef` per image so that
:func:`strokescope.io.load_series` never has to parse a header twice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

Vec3 = tuple[float, float, float]
IMAGE_SUFFIXES = (".nii", ".nii.gz", ".nrrd", ".nhdr", ".mha", ".mhd")
"""NIfTI, NRRD and MHA file names (read through SimpleITK, never as DICOM)."""


@dataclass(frozen=True)
class FrameRef:
    """One 2-D image of a series: a single-frame file, or one frame of a multi-frame file.

    ``position`` is (0020,0032) Image Position (Patient) (or the per-frame
    PlanePositionSequence), ``slope``/``intercept`` the modality LUT of (0028,1053) Rescale
    Slope and (0028,1052) Rescale Intercept (or PixelValueTransformationSequence);
    ``rescale_given`` is false when the image has neither those two nor a (0028,3000)
    Modality LUT Sequence, so its stored values are taken as HU (slope 1, intercept 0).
    ``pixel_offset`` is the byte offset of uncompressed little-endian pixel data in the file
    (``-1`` when the pixels must be decoded by pydicom); ``file_size`` and ``mtime_ns`` let the
    loader notice a file that changed after the scan.
    """

    path: Path
    frame: int = 0
    n_frames: int = 1
    position: Vec3 = (0.0, 0.0, 0.0)
    sop_instance_uid: str = ""
    instance_number: int = 0
    slope: float = 1.0
    intercept: float = 0.0
    pixel_offset: int = -1
    file_size: int = 0
    mtime_ns: int = 0
    rescale_given: bool = True

    @property
    def name(self) -> str:
        """The file (and the frame of a multi-frame file) for messages."""
        return f"{self.path} frame {self.frame + 1}" if self.n_frames > 1 else str(self.path)


@dataclass(frozen=True)
class PixelFormat:
    """How stored values are laid out: (0028,0100) Bits Allocated, (0028,0101) Bits Stored,
    (0028,0103) Pixel Representation, (0028,0120) Pixel Padding Value and (0028,0121) Pixel
    Padding Range Limit (``None`` when absent), plus the transfer syntax UID."""

    bits_allocated: int = 16
    bits_stored: int = 16
    signed: bool = True
    padding_value: int | None = None
    padding_limit: int | None = None
    transfer_syntax: str = ""
    modality_lut_sequence: bool = False

    @property
    def numpy_dtype(self) -> str:
        """Little-endian numpy dtype string of one stored value (``''`` if unsupported)."""
        if self.bits_allocated not in (8, 16, 32):
            return ""
        return f"<{'i' if self.signed else 'u'}{self.bits_allocated // 8}"


@dataclass(frozen=True)
class SeriesInfo:
    """One loadable image series (after splitting a series by orientation or matrix size).

    ``key`` is the SeriesInstanceUID, plus ``#1``, ``#2``, ... when one series UID held
    several stacks. ``slice_spacing`` is the median step between slice positions along the
    slice normal (``None`` for a single slice). ``gantry_tilt_deg`` is measured from the
    slice positions when there are two or more, else read from (0018,1120) Gantry/Detector
    Tilt. ``problems`` are one-line notes on what the loader will have to repair or refuse.
    """

    key: str
    series_uid: str
    study_uid: str
    modality: str
    description: str
    n_slices: int
    rows: int
    columns: int
    pixel_spacing: tuple[float, float]
    slice_spacing: float | None
    slice_thickness: float | None
    kernel: str
    gantry_tilt_deg: float
    contrast_agent: str
    patient_id: str
    study_date: str
    transfer_syntax: str
    files: tuple[Path, ...]
    problems: tuple[str, ...] = ()
    frame_of_reference_uid: str = ""
    patient_name: str = ""
    series_number: int | None = None
    image_type: tuple[str, ...] = ()
    orientation: tuple[float, float, float, float, float, float] = (1, 0, 0, 0, 1, 0)
    folder: str = ""
    multi_frame: bool = False
    pixel_format: PixelFormat = field(default_factory=PixelFormat, repr=False)
    frames: tuple[FrameRef, ...] = field(default=(), repr=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary (paths as strings; per-frame records left out)."""
        return {
            "key": self.key,
            "series_uid": self.series_uid,
            "study_uid": self.study_uid,
            "frame_of_reference_uid": self.frame_of_reference_uid,
            "modality": self.modality,
            "description": self.description,
            "series_number": self.series_number,
            "image_type": list(self.image_type),
            "n_slices": self.n_slices,
            "rows": self.rows,
            "columns": self.columns,
            "pixel_spacing": list(self.pixel_spacing),
            "slice_spacing": self.slice_spacing,
            "slice_thickness": self.slice_thickness,
            "kernel": self.kernel,
            "gantry_tilt_deg": self.gantry_tilt_deg,
            "contrast_agent": self.contrast_agent,
            "patient_id": self.patient_id,
            "patient_name": self.patient_name,
            "study_date": self.study_date,
            "transfer_syntax": self.transfer_syntax,
            "orientation": list(self.orientation),
            "multi_frame": self.multi_frame,
            "folder": self.folder,
            "n_files": len(self.files),
            "files": [str(p) for p in self.files],
            "problems": list(self.problems),
        }


@dataclass(frozen=True)
class SkippedItem:
    """A file or image group the scan left out, and why (one line)."""

    path: str
    reason: str
    warn: bool = True


@dataclass(frozen=True)
class FolderScan:
    """Everything :func:`strokescope.io.scan_folder_report` found in a folder.

    ``series`` are the loadable image series; ``skipped`` the files and image groups left
    out (junk and truncated files with ``warn=True``; non-image objects and localizers with
    ``warn=False``); ``warnings`` the one-line scan warnings, also logged. ``ignored`` counts
    the NIfTI/NRRD/MHA images and JSON files beside the DICOM (e.g. the ``truth/`` folder
    ``strokescope phantom`` writes): not DICOM by name, so not read and not listed as left
    out. ``source`` says what was scanned when it was not a folder ("" for a folder).
    """

    folder: str
    series: tuple[SeriesInfo, ...]
    skipped: tuple[SkippedItem, ...] = ()
    warnings: tuple[str, ...] = ()
    n_files: int = 0
    used_dicomdir: bool = False
    source: str = ""
    ignored: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "folder": self.folder,
            "source": self.source or ("DICOMDIR" if self.used_dicomdir else "folder walk"),
            "n_files": self.n_files,
            "n_ignored": self.ignored,
            "used_dicomdir": self.used_dicomdir,
            "series": [s.to_dict() for s in self.series],
            "skipped": [{"path": s.path, "reason": s.reason} for s in self.skipped],
            "warnings": list(self.warnings),
        }
