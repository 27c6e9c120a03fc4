"""The one place where SimpleITK images and StrokeScope volumes meet.

SimpleITK indexes (x, y, z) and its direction matrix holds one column per index axis in that
order; :class:`~strokescope.volume.Geometry` holds (z, y, x). The functions here reverse the
axis order and nothing else. NIfTI, NRRD and MHA files are read and written through them;
a file's header is held to :mod:`strokescope.io.geometry_limits` before its pixels are read.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import SimpleITK as sitk

from strokescope.atomic import atomic_path
from strokescope.errors import DicomLoadError
from strokescope.io.geometry_limits import check_image_geometry
from strokescope.io.series_info import IMAGE_SUFFIXES, SeriesInfo
from strokescope.volume import Geometry, Mask, SeriesMeta, Volume

__all__ = ["IMAGE_SUFFIXES", "image_file_info", "read_mask", "read_volume", "write_mask"]


def geometry_to_sitk(image: sitk.Image, geom: Geometry) -> sitk.Image:
    """Set spacing, origin and direction of ``image`` from ``geom``; return ``image``."""
    image.SetSpacing(tuple(reversed(geom.spacing)))
    image.SetOrigin(geom.origin)
    d = np.asarray(geom.direction)[:, ::-1]
    image.SetDirection(tuple(float(v) for v in d.ravel()))
    return image


def geometry_from_sitk(image: sitk.Image) -> Geometry:
    size = image.GetSize()
    d = np.asarray(image.GetDirection(), dtype=float).reshape(3, 3)[:, ::-1]
    return Geometry.from_sequences(
        (size[2], size[1], size[0]), image.GetSpacing()[::-1], image.GetOrigin(), d
    )


def volume_to_sitk(vol: Volume) -> sitk.Image:
    return geometry_to_sitk(sitk.GetImageFromArray(vol.array, isVector=False), vol.geometry)


def volume_from_sitk(image: sitk.Image, meta: SeriesMeta | None = None) -> Volume:
    arr = sitk.GetArrayFromImage(image).astype(np.float32, copy=False)
    return Volume(arr, geometry_from_sitk(image), meta or SeriesMeta())


def mask_to_sitk(mask: Mask) -> sitk.Image:
    return geometry_to_sitk(sitk.GetImageFromArray(mask.array.astype(np.uint8)), mask.geometry)


def mask_from_sitk(image: sitk.Image, name: str = "") -> Mask:
    # The comparison makes the mask's own array from a view of ITK's buffer (alive for
    # the call): one full-size allocation instead of two (0.8 s at 512 x 512 x 320 here).
    return Mask(sitk.GetArrayViewFromImage(image) > 0, geometry_from_sitk(image), name)


def _check_suffix(path: Path) -> None:
    if not any(path.name.lower().endswith(s) for s in IMAGE_SUFFIXES):
        raise DicomLoadError(
            f"{path}: unsupported image file type (use {', '.join(IMAGE_SUFFIXES)})"
        )


def _reason(exc: RuntimeError) -> str:
    """Last line of a SimpleITK exception (the rest is a C++ stack)."""
    lines = str(exc).strip().splitlines()
    return lines[-1] if lines else "unknown error"


def _header(p: Path, what: str) -> sitk.ImageFileReader:
    """A reader of ``p`` whose header is read and held to the geometry limits.

    Size, spacing, origin and direction are checked
    (:func:`strokescope.io.geometry_limits.check_image_geometry`) before any pixel is read,
    so a header asking for terabytes is refused instead of allocated.
    """
    _check_suffix(p)
    reader = sitk.ImageFileReader()
    reader.SetFileName(str(p))
    try:
        reader.ReadImageInformation()
    except RuntimeError as exc:
        raise DicomLoadError(f"{p}: cannot read {what} ({_reason(exc)})") from exc
    if reader.GetDimension() != 3:
        raise DicomLoadError(f"{p}: expected a 3-D image, found {reader.GetDimension()}-D")
    check_image_geometry(
        tuple(reversed(reader.GetSize())),
        tuple(reversed(reader.GetSpacing())),
        reader.GetOrigin(),
        np.asarray(reader.GetDirection(), dtype=float).reshape(3, 3)[:, ::-1],
        label=str(p),
    )
    return reader


def _execute(reader: sitk.ImageFileReader, p: Path, what: str) -> sitk.Image:
    try:
        return reader.Execute()
    except RuntimeError as exc:
        raise DicomLoadError(f"{p}: cannot read {what} ({_reason(exc)})") from exc


def read_volume(path: str | Path) -> Volume:
    """Read a NIfTI/NRRD/MHA image as HU volume."""
    p = Path(path)
    reader = _header(p, "image")
    reader.SetOutputPixelType(sitk.sitkFloat32)
    image = _execute(reader, p, "image")
    return volume_from_sitk(image, SeriesMeta(source=str(p), description=p.name))


def image_file_info(path: str | Path) -> SeriesInfo:
    """A :class:`SeriesInfo` of a NIfTI/NRRD/MHA file from its header only (``info FILE``).

    The key and description are the file name; DICOM-only fields are empty.
    """
    p = Path(path)
    reader = _header(p, "image")
    nx, ny, nz = reader.GetSize()
    sx, sy, sz = reader.GetSpacing()
    d = reader.GetDirection()
    return SeriesInfo(
        key=p.name,
        series_uid="",
        study_uid="",
        modality="",
        description=p.name,
        n_slices=int(nz),
        rows=int(ny),
        columns=int(nx),
        pixel_spacing=(float(sy), float(sx)),
        slice_spacing=float(sz),
        slice_thickness=None,
        kernel="",
        gantry_tilt_deg=0.0,
        contrast_agent="",
        patient_id="",
        study_date="",
        transfer_syntax="",
        files=(p,),
        orientation=(d[0], d[3], d[6], d[1], d[4], d[7]),
        folder=str(p.parent),
    )


def read_mask(path: str | Path, name: str = "") -> Mask:
    p = Path(path)
    image = _execute(_header(p, "mask"), p, "mask")
    return mask_from_sitk(image, name or p.name.split(".")[0])


def _write(image: sitk.Image, path: Path) -> Path:
    _check_suffix(path)
    suffix = ".nii.gz" if path.name.endswith(".nii.gz") else path.suffix
    with atomic_path(path) as tmp:
        staged = tmp.with_name(tmp.name + suffix)  # SimpleITK picks the format by suffix
        try:
            sitk.WriteImage(image, str(staged), useCompression=True)
            staged.replace(tmp)
        finally:
            staged.unlink(missing_ok=True)
    return path


def write_volume(vol: Volume, path: str | Path) -> Path:
    """Write a volume (float32 HU) as NIfTI/NRRD/MHA, atomically."""
    return _write(volume_to_sitk(vol), Path(path))


def write_mask(mask: Mask, path: str | Path) -> Path:
    """Write a mask (uint8 0/1) as NIfTI/NRRD/MHA, atomically."""
    return _write(mask_to_sitk(mask), Path(path))
