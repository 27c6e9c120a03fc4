"""Synthetic DICOM series for the loader tests: written by write_ct_series, then mutated.

Voxel values follow known functions of the patient position so that a loaded (and possibly
resampled) volume can be checked against the truth: ``ramp_hu`` is linear in z (exact under
linear interpolation) plus a fixed in-plane pattern.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.sequence import Sequence as DicomSequence
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from strokescope.io.dicom_write import SeriesIdentity, new_uid, write_ct_series
from strokescope.volume import AXIAL_LPS, Volume

SHAPE_YX = (20, 24)
PIXEL = (0.8, 0.7)
ENHANCED_CT = "1.2.840.10008.5.1.4.1.1.2.1"
MR_IMAGE = "1.2.840.10008.5.1.4.1.1.4"
BASIC_TEXT_SR = "1.2.840.10008.5.1.4.1.1.88.11"

ValueFn = Callable[
    [npt.NDArray[np.float64], npt.NDArray[np.float64], float], npt.NDArray[np.float64]
]


def ramp_hu(
    y: npt.NDArray[np.float64], x: npt.NDArray[np.float64], z: float
) -> npt.NDArray[np.float64]:
    """HU = 10 * z + an in-plane checker pattern: integer-valued on integer z."""
    pattern = 100.0 * ((np.floor(y / 4) + np.floor(x / 4)) % 2)
    return 10.0 * z + pattern + 0.0 * y


def random_volume(
    n_slices: int = 12,
    *,
    seed: int = 0,
    spacing_z: float = 2.0,
    shape_yx: tuple[int, int] = SHAPE_YX,
) -> Volume:
    """An integer-HU random volume on an axial grid (exact after the int16 round trip).

    Values span -2048..2999 HU, so some stored values are negative (signed pixels).
    """
    rng = np.random.default_rng(seed)
    arr = rng.integers(-2048, 3000, size=(n_slices, *shape_yx)).astype(np.float32)
    return Volume.from_array(arr, (spacing_z, *PIXEL), origin=(-8.0, -7.0, 30.0))


def write_volume(vol: Volume, folder: Path, **identity: object) -> list[Path]:
    return write_ct_series(vol, folder, SeriesIdentity(**identity))  # type: ignore[arg-type]


def write_stack(
    folder: Path,
    zs: Sequence[float],
    *,
    value: ValueFn = ramp_hu,
    **identity: object,
) -> list[Path]:
    """Axial slices at arbitrary z positions (mm), values ``value(y_mm, x_mm, z)``."""
    j, i = np.mgrid[0 : SHAPE_YX[0], 0 : SHAPE_YX[1]].astype(float)
    arr = np.stack([value(j * PIXEL[0], i * PIXEL[1], float(z)) for z in zs])
    vol = Volume.from_array(arr, (1.0, *PIXEL), origin=(0.0, 0.0, float(zs[0])))
    paths = write_volume(vol, folder, **identity)
    for path, z in zip(paths, zs, strict=True):
        set_tags(path, ImagePositionPatient=[0.0, 0.0, float(z)], SliceLocation=float(z))
    return paths


def set_tags(path: Path, **tags: object) -> None:
    ds = pydicom.dcmread(path)
    for keyword, value in tags.items():
        if value is None:
            delattr(ds, keyword)
        else:
            setattr(ds, keyword, value)
    ds.save_as(path, enforce_file_format=True)


def duplicate_file(path: Path, target: Path) -> Path:
    """Copy of ``path`` as a new instance (new SOP Instance UID) at the same position."""
    ds = pydicom.dcmread(path)
    uid = new_uid([str(target)])
    ds.SOPInstanceUID = uid
    ds.file_meta.MediaStorageSOPInstanceUID = uid
    ds.InstanceNumber = 999
    ds.save_as(target, enforce_file_format=True)
    return target


def compress_with_pydicom(paths: Sequence[Path], syntax: str) -> None:
    for path in paths:
        ds = pydicom.dcmread(path)
        ds.compress(syntax)
        ds.save_as(path, enforce_file_format=True)


def compress_with_dcmtk(paths: Sequence[Path], tool: str, *options: str) -> None:
    """Re-encode each file in place with a dcmtk tool (``dcmcjpeg`` or ``dcmcjpls``)."""
    exe = shutil.which(tool)
    assert exe is not None
    for path in paths:
        tmp = path.with_suffix(".tmp")
        subprocess.run([exe, *options, str(path), str(tmp)], check=True, capture_output=True)
        tmp.replace(path)


def tilted_volume(
    value: Callable[[npt.NDArray[np.float64]], npt.NDArray[np.float64]],
    *,
    shape: tuple[int, int, int],
    spacing: tuple[float, float, float],
    tilt_deg: float,
    origin: tuple[float, float, float],
) -> Volume:
    """Sample ``value(lps_points)`` on a gantry-tilted grid.

    Slices step along the table (LPS +z), the image columns run along a y axis tilted by
    ``tilt_deg`` towards z, as a CT with a tilted gantry stores them.
    """
    t = np.radians(tilt_deg)
    direction = np.array(AXIAL_LPS, dtype=float)
    direction[:, 1] = (0.0, np.cos(t), np.sin(t))
    geom_vol = Volume.from_array(
        np.zeros(shape, np.float32),
        spacing,
        origin,
        tuple(map(tuple, direction)),  # type: ignore[arg-type]
    )
    pts = geom_vol.geometry.index_to_lps(np.indices(shape).reshape(3, -1).T)
    arr = value(pts).reshape(shape)
    meta = geom_vol.meta.__class__(gantry_tilt_deg=tilt_deg)
    return Volume.from_array(arr, spacing, origin, geom_vol.direction, meta)


def enhanced_ct(
    vol: Volume,
    path: Path,
    *,
    frame_order: Sequence[int] | None = None,
    intercepts: Sequence[float] | None = None,
) -> Path:
    """Write ``vol`` as one Enhanced CT multi-frame file with functional groups.

    Frames are stored in ``frame_order`` (default: slice order); frame ``f`` holds slice
    ``frame_order[f]`` with its own PixelValueTransformation intercept ``intercepts[f]``.
    """
    n = vol.shape[0]
    order = list(frame_order if frame_order is not None else range(n))
    icpt = list(intercepts if intercepts is not None else [-1024.0] * n)
    d = np.asarray(vol.direction)
    ds = Dataset()
    ds.SOPClassUID = ENHANCED_CT
    ds.SOPInstanceUID = generate_uid()
    ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(), generate_uid()
    ds.FrameOfReferenceUID = generate_uid()
    ds.Modality = "CT"
    ds.SeriesDescription = "ENHANCED CT"
    ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL", "NONE"]
    ds.PatientID, ds.PatientName, ds.StudyDate = "MF1", "MULTI^FRAME", "20260101"
    ds.InstanceNumber = 1
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.Rows, ds.Columns = vol.shape[1], vol.shape[2]
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
    ds.NumberOfFrames = n
    shared = Dataset()
    measures, orient = Dataset(), Dataset()
    measures.PixelSpacing = [vol.spacing[1], vol.spacing[2]]
    measures.SliceThickness = vol.spacing[0]
    orient.ImageOrientationPatient = [*d[:, 2], *d[:, 1]]
    shared.PixelMeasuresSequence = DicomSequence([measures])
    shared.PlaneOrientationSequence = DicomSequence([orient])
    recon = Dataset()
    recon.ConvolutionKernel = "Qr40"
    shared.CTReconstructionSequence = DicomSequence([recon])
    ds.SharedFunctionalGroupsSequence = DicomSequence([shared])
    per_frame, pixels = [], []
    for f, k in enumerate(order):
        group, pos, pvt = Dataset(), Dataset(), Dataset()
        pos.ImagePositionPatient = [float(v) for v in vol.geometry.index_to_lps((k, 0, 0))]
        group.PlanePositionSequence = DicomSequence([pos])
        pvt.RescaleIntercept, pvt.RescaleSlope, pvt.RescaleType = icpt[f], 1.0, "HU"
        group.PixelValueTransformationSequence = DicomSequence([pvt])
        per_frame.append(group)
        pixels.append(np.rint(vol.array[k] - icpt[f]).astype(np.int16))
    ds.PerFrameFunctionalGroupsSequence = DicomSequence(per_frame)
    ds.PixelData = np.stack(pixels).tobytes()
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = ENHANCED_CT
    meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta = meta
    ds.save_as(path, enforce_file_format=True)
    return path


def write_sr(path: Path, study_uid: str = "") -> Path:
    """A Basic Text SR (a non-image object) in the same study."""
    ds = Dataset()
    ds.SOPClassUID, ds.SOPInstanceUID = BASIC_TEXT_SR, generate_uid()
    ds.StudyInstanceUID = study_uid or generate_uid()
    ds.SeriesInstanceUID = generate_uid()
    ds.Modality = "SR"
    ds.PatientID = "SS-PHANTOM-0001"
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID = BASIC_TEXT_SR, ds.SOPInstanceUID
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta = meta
    ds.save_as(path, enforce_file_format=True)
    return path
