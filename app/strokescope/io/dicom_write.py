"""Write a :class:`~strokescope.volume.Volume` as a CT Image Storage series, one file per slice.

Used by the phantom (demo, test and training data) and by the loader tests. Pixel data are
int16 with (0028,1053) Rescale Slope 1 and (0028,1052) Rescale Intercept -1024, so a reader
that skips the modality LUT gets visibly wrong HU. Geometry comes from the volume:
(0020,0037) Image Orientation (Patient) from the row and column axes, (0020,0032) Image
Position (Patient) from the origin stepped along the slice axis (which may be tilted).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import (
    PYDICOM_IMPLEMENTATION_UID,
    UID,
    CTImageStorage,
    ExplicitVRLittleEndian,
    generate_uid,
)

from strokescope import RESEARCH_ONLY, __version__
from strokescope.atomic import atomic_path
from strokescope.volume import Volume

RESCALE_INTERCEPT = -1024.0
UID_PREFIX = "1.2.826.0.1.3680043.10.1467."  # StrokeScope synthetic-data root


def new_uid(entropy: Sequence[object] | None = None) -> str:
    """A DICOM UID under StrokeScope's root; deterministic when ``entropy`` is given."""
    return generate_uid(UID_PREFIX, entropy_srcs=[str(e) for e in entropy] if entropy else None)


@dataclass(frozen=True)
class SeriesIdentity:
    """Identifiers written into every file of a series (synthetic for phantoms)."""

    patient_name: str = "PHANTOM^STROKESCOPE"
    patient_id: str = "SS-PHANTOM-0001"
    patient_birth_date: str = "19500101"
    patient_sex: str = "O"
    study_uid: str = ""
    series_uid: str = ""
    frame_of_reference_uid: str = ""
    study_date: str = "20260101"
    study_time: str = "080000"
    series_number: int = 1
    description: str = "NCCT HEAD"
    kernel: str = "H30s"
    contrast_agent: str = ""
    accession_number: str = "SS0001"


def _base_dataset(identity: SeriesIdentity, vol: Volume) -> Dataset:
    ds = Dataset()
    ds.SpecificCharacterSet = "ISO_IR 100"
    ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
    ds.SOPClassUID = CTImageStorage
    ds.StudyDate = ds.SeriesDate = ds.ContentDate = ds.AcquisitionDate = identity.study_date
    ds.StudyTime = ds.SeriesTime = ds.ContentTime = identity.study_time
    ds.AccessionNumber = identity.accession_number
    ds.Modality = "CT"
    ds.Manufacturer = "StrokeScope digital phantom"
    ds.ManufacturerModelName = f"strokescope {__version__}"
    ds.InstitutionName = "Synthetic"
    ds.ReferringPhysicianName = ""
    ds.StudyDescription = "CT HEAD STROKE (synthetic phantom)"
    ds.SeriesDescription = identity.description
    ds.PatientName = identity.patient_name
    ds.PatientID = identity.patient_id
    ds.PatientBirthDate = identity.patient_birth_date
    ds.PatientSex = identity.patient_sex
    ds.BodyPartExamined = "HEAD"
    ds.PatientPosition = "HFS"
    ds.ImageComments = f"Synthetic phantom. {RESEARCH_ONLY}"
    thickness = vol.meta.slice_thickness_mm or vol.spacing[0]
    ds.SliceThickness = f"{thickness:.4g}"
    ds.KVP = "120"
    ds.ConvolutionKernel = identity.kernel
    ds.GantryDetectorTilt = f"{vol.meta.gantry_tilt_deg:.4g}"
    if identity.contrast_agent:
        ds.ContrastBolusAgent = identity.contrast_agent
        ds.ContrastBolusRoute = "IV"
    ds.StudyInstanceUID = identity.study_uid
    ds.SeriesInstanceUID = identity.series_uid
    ds.FrameOfReferenceUID = identity.frame_of_reference_uid
    ds.PositionReferenceIndicator = ""
    ds.StudyID = "1"
    ds.SeriesNumber = identity.series_number
    ds.AcquisitionNumber = 1
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows, ds.Columns = vol.shape[1], vol.shape[2]
    ds.PixelSpacing = [f"{vol.spacing[1]:.6g}", f"{vol.spacing[2]:.6g}"]
    ds.BitsAllocated = 16
    ds.BitsStored = 16
    ds.HighBit = 15
    ds.PixelRepresentation = 1
    ds.RescaleIntercept = f"{RESCALE_INTERCEPT:g}"
    ds.RescaleSlope = "1"
    ds.RescaleType = "HU"
    ds.WindowCenter = "40"
    ds.WindowWidth = "80"
    d = np.asarray(vol.direction)
    row, col = d[:, 2], d[:, 1]
    ds.ImageOrientationPatient = [f"{v:.6f}" for v in (*row, *col)]
    return ds


def to_stored(hu: np.ndarray) -> np.ndarray:
    """HU -> int16 stored values under the series' rescale (rounded, clipped)."""
    stored = np.rint(np.asarray(hu, dtype=np.float32) - RESCALE_INTERCEPT)
    return np.clip(stored, -32768, 32767).astype(np.int16)


def write_ct_series(
    vol: Volume,
    folder: str | Path,
    identity: SeriesIdentity | None = None,
    *,
    file_pattern: str = "IM{index:05d}.dcm",
) -> list[Path]:
    """Write ``vol`` as one DICOM file per slice into ``folder``; return the paths in order.

    Missing UIDs in ``identity`` are generated. Each file is written atomically.
    """
    identity = identity or SeriesIdentity()
    uids = {
        "study_uid": identity.study_uid or new_uid(),
        "series_uid": identity.series_uid or new_uid(),
        "frame_of_reference_uid": identity.frame_of_reference_uid or new_uid(),
    }
    identity = SeriesIdentity(**{**identity.__dict__, **uids})
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    base = _base_dataset(identity, vol)
    geom = vol.geometry
    stored = to_stored(vol.array)
    paths: list[Path] = []
    for k in range(vol.shape[0]):
        ds = base.copy()
        sop_uid = new_uid([identity.series_uid, k])
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = CTImageStorage
        meta.MediaStorageSOPInstanceUID = UID(sop_uid)
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
        ds.file_meta = meta
        ds.SOPInstanceUID = sop_uid
        ds.InstanceCreationDate = identity.study_date
        ds.InstanceNumber = k + 1
        pos = geom.index_to_lps((k, 0, 0))
        ds.ImagePositionPatient = [f"{v:.4f}" for v in pos]
        ds.SliceLocation = f"{pos[2]:.4f}"
        ds.PixelData = np.ascontiguousarray(stored[k]).tobytes()
        path = out / file_pattern.format(index=k + 1)
        with atomic_path(path) as tmp:
            ds.save_as(tmp, enforce_file_format=True)
        paths.append(path)
    return paths
