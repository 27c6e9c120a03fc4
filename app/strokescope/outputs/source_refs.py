"""The source series' DICOM headers that SEG and SR reference, and the study header.

The loader records in :class:`~strokescope.volume.SeriesMeta` the source folder
(``source``), (0020,000E) Series Instance UID and, per slice in array order, the
(0008,0018) SOP Instance UID. Here the folder is listed as the scan listed it (never
leaving it: :func:`strokescope.io.folder_files.list_files`), read again by the scan's
tolerant reader (:func:`strokescope.io.dicom_read.read_dataset`, headers only: a file it
cannot read is passed over, as the scan passed over it) and the headers of exactly those
instances are returned in array order. A volume that did not come from DICOM (NIfTI,
phantom in memory) has no source headers: the DICOM objects are then skipped with a warning.

When ``meta.resampled`` is true (gantry tilt corrected, gaps filled) the volume's
grid is not the grid of the source images. The SEG is then written on the volume's own
grid as a derived geometry (explicit plane positions, still referencing the source
series) and a warning says so; viewers that overlay by frame of reference still align it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset

from strokescope.errors import DicomLoadError, ExportError
from strokescope.io.dicom_read import SkipFile, read_dataset
from strokescope.io.folder_files import list_files
from strokescope.io.pydicom_notes import PydicomNotes
from strokescope.volume import Volume

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StudyHeader:
    """Patient and study attributes printed in the PDF, JSON and CSV (de-identified or not)."""

    patient_name: str = ""
    patient_id: str = ""
    patient_birth_date: str = ""
    patient_sex: str = ""
    study_date: str = ""
    study_description: str = ""
    accession_number: str = ""
    study_uid: str = ""
    series_uid: str = ""
    series_description: str = ""
    frame_of_reference_uid: str = ""

    @classmethod
    def from_dataset(cls, ds: Dataset) -> StudyHeader:
        return cls(
            patient_name=str(ds.get("PatientName", "")),
            patient_id=str(ds.get("PatientID", "")),
            patient_birth_date=str(ds.get("PatientBirthDate", "")),
            patient_sex=str(ds.get("PatientSex", "")),
            study_date=str(ds.get("StudyDate", "")),
            study_description=str(ds.get("StudyDescription", "")),
            accession_number=str(ds.get("AccessionNumber", "")),
            study_uid=str(ds.get("StudyInstanceUID", "")),
            series_uid=str(ds.get("SeriesInstanceUID", "")),
            series_description=str(ds.get("SeriesDescription", "")),
            frame_of_reference_uid=str(ds.get("FrameOfReferenceUID", "")),
        )


def header_dataset(vol: Volume) -> Dataset:
    """A header-only dataset from ``vol.meta`` (for sources that are not DICOM)."""
    m = vol.meta
    ds = Dataset()
    ds.PatientName = m.patient_name
    ds.PatientID = m.patient_id
    ds.StudyDate = m.study_date
    ds.StudyInstanceUID = m.study_uid
    ds.SeriesInstanceUID = m.series_uid
    ds.SeriesDescription = m.description
    ds.FrameOfReferenceUID = m.frame_of_reference_uid
    return ds


def read_source_headers(vol: Volume) -> list[Dataset] | None:
    """Headers of the volume's source instances in array (slice) order, or ``None``.

    ``None`` when the volume has no DICOM source (no series UID, SOP instance UIDs or
    folder). Multi-frame sources are returned once per file.

    Raises
    ------
    ExportError
        If the source folder no longer holds every instance the volume was built from.
    """
    meta = vol.meta
    if not (meta.series_uid and meta.sop_instance_uids and meta.source):
        return None
    folder = Path(meta.source)
    if not folder.is_dir():
        raise ExportError(f"source folder {folder} of series {meta.series_uid} is gone")
    wanted = set(meta.sop_instance_uids)
    found: dict[str, Dataset] = {}
    try:
        paths = list_files(folder).files  # its warnings were the scan's: said once already
    except DicomLoadError as exc:
        raise ExportError(f"source folder {folder} of series {meta.series_uid}: {exc}") from exc
    with PydicomNotes():  # what pydicom says about these files, the scan said once already
        for path in paths:
            try:
                ds = read_dataset(path)
            except (SkipFile, OSError):  # the scan skipped it too, with a warning
                continue
            uid = str(ds.get("SOPInstanceUID", ""))
            if uid in wanted and str(ds.get("SeriesInstanceUID", "")) == meta.series_uid:
                found[uid] = ds
                if len(found) == len(wanted):
                    break
    missing = wanted - found.keys()
    if missing:
        raise ExportError(
            f"source folder {folder}: {len(missing)} of {len(wanted)} instances of series "
            f"{meta.series_uid} not found (moved or deleted since loading?)"
        )
    ordered: list[Dataset] = []
    seen: set[str] = set()
    for uid in meta.sop_instance_uids:
        if uid not in seen:
            ordered.append(found[uid])
            seen.add(uid)
    return ordered


def same_geometry(vol: Volume, headers: list[Dataset], *, tol_mm: float = 0.01) -> bool:
    """True when single-frame ``headers`` lie exactly on the volume's slices and pixels."""
    if vol.meta.resampled or len(headers) != vol.shape[0]:
        return False
    geom = vol.geometry
    d = np.asarray(geom.direction)
    for k, ds in enumerate(headers):
        if int(ds.get("NumberOfFrames", 1) or 1) != 1:
            return False
        try:
            pos = np.asarray([float(v) for v in ds.ImagePositionPatient])
            iop = np.asarray([float(v) for v in ds.ImageOrientationPatient])
            spacing = [float(v) for v in ds.PixelSpacing]
        except (AttributeError, ValueError, TypeError):
            return False
        if (int(ds.Rows), int(ds.Columns)) != geom.shape[1:]:
            return False
        if not np.allclose(pos, geom.index_to_lps((k, 0, 0)), atol=tol_mm):
            return False
        if not np.allclose(iop, np.concatenate([d[:, 2], d[:, 1]]), atol=1e-4):
            return False
        if not np.allclose(spacing, [geom.spacing[1], geom.spacing[2]], atol=1e-4):
            return False
    return True
