"""Build one :class:`~strokescope.volume.Volume` from a scanned series, or from a path.

:func:`load_series` turns a :class:`SeriesInfo` into a float32 HU volume (z, y, x) whose slice
axis ascends along the slice normal, with uniform spacing and an orthonormal direction:
duplicate positions are dropped, missing slices interpolated (or refused), non-uniform
spacing resampled and gantry tilt sheared away. Each repair is a one-line warning in
``Volume.meta.warnings`` and in the log; so are the scan's other notes on the series (the
one line summing up pydicom's warnings, a split by orientation).

:func:`load_volume` is the entry point for a user's path: a folder (exactly one series of the
requested modality, or one picked by ``series``), a single DICOM file (its series), or a
NIfTI/NRRD/MHA file: the same paths ``strokescope info`` accepts
(:func:`strokescope.io.series_select.scan_source`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from strokescope.errors import DicomLoadError, GeometryError, InputError
from strokescope.io.dicom_pixels import read_frames
from strokescope.io.dicom_scan import MIN_SLICES
from strokescope.io.geometry_limits import check_grid_size, check_pixel_spacing
from strokescope.io.hu_checks import check_unrescaled, odd_slices
from strokescope.io.series_info import FrameRef, SeriesInfo
from strokescope.io.series_select import is_image_file, pick_series, scan_source
from strokescope.io.slice_geometry import output_geometry, resample_stack
from strokescope.io.stack_plan import StackPlan, format_mm, plan_stack
from strokescope.volume import SeriesMeta, Volume

log = logging.getLogger(__name__)

MISSING_OPTIONS = ("interpolate", "refuse")
AIR_HU = -1024.0


def _actions(kind: str, step: float) -> str:
    return {
        "duplicate": "",
        "missing": f"; interpolated onto a uniform {format_mm(step)} mm grid",
        "non_uniform": f"; resampled to a uniform {format_mm(step)} mm",
        "tilt": "; resampled onto an axis-aligned grid",
        "shift": "; resampled onto an axis-aligned grid",
    }.get(kind, "")


def _require_3d(n_slices: int, what: str) -> None:
    """Every analysis needs a volume: refuse fewer than ``MIN_SLICES`` distinct slices."""
    if n_slices < MIN_SLICES:
        raise DicomLoadError(
            f"{what}: {n_slices} distinct slice position(s); a 3-D volume of at least "
            f"{MIN_SLICES} slices is needed"
        )


def load_series(
    series: SeriesInfo,
    *,
    missing: str = "interpolate",
    padding_hu: float = AIR_HU,
    workers: int = 2,
    on_progress: Callable[[float], None] | None = None,
) -> Volume:
    """Read a scanned series into one HU volume on a uniform, orthogonal grid.

    Parameters
    ----------
    series
        A series found by :func:`strokescope.io.scan_folder`.
    missing
        ``"interpolate"`` (default): slices missing from the stack (a step > 1.5 x the median)
        are interpolated linearly and a warning is added. ``"refuse"``: raise
        :class:`GeometryError` instead.
    padding_hu
        HU given to pixels equal to (0028,0120) Pixel Padding Value, and to voxels that tilt
        correction brings in from outside the acquired field (default air, -1024).
    workers
        Threads reading and decoding files.
    on_progress
        Called with the fraction done (0..1).

    Raises
    ------
    GeometryError
        Missing slices with ``missing="refuse"``; header geometry outside the limits of
        :mod:`strokescope.io.geometry_limits` (pixel spacing, orientation, a stack no grid
        can hold, or a grid larger than ``MAX_GRID_VOXELS``), checked before allocating.
    DicomLoadError
        Fewer than ``MIN_SLICES`` distinct slice positions; a file changed, vanished or
        cannot be decoded since the scan, or its uncompressed pixel data does not match
        its header; CT images without rescale values whose stored values cannot be HU
        (:func:`strokescope.io.hu_checks.check_unrescaled`). A CT slice whose HU lie far
        from both neighbours' is only warned about (:func:`~strokescope.io.hu_checks.odd_slices`).
    """
    plan = _checked_plan(series, missing)
    frames = [series.frames[i] for i in plan.order]
    shape_yx = (series.rows, series.columns)
    geometry = output_geometry(
        plan, frames[0].position, series.orientation, series.pixel_spacing, shape_yx
    )
    planned = [geometry.shape] if plan.needs_resampling else []
    check_grid_size((len(frames), *shape_yx), *planned, label=f"series {series.key}")

    def progress(fraction: float) -> None:
        if on_progress is not None:
            on_progress(0.9 * fraction if plan.needs_resampling else fraction)

    stack = read_frames(
        frames,
        series.pixel_format,
        shape_yx,
        padding_hu=padding_hu,
        workers=workers,
        on_progress=progress,
    )
    hu_notes: tuple[str, ...] = ()
    if series.modality in ("CT", ""):  # HU: checked on the source slices
        check_unrescaled(stack, frames, label=f"series {series.key}")
        hu_notes = tuple(odd_slices(stack, frames))
    if plan.needs_resampling:
        stack = resample_stack(stack, plan, series.pixel_spacing, fill=padding_hu)
        if on_progress is not None:
            on_progress(1.0)
    warnings = _warnings(series, plan, hu_notes)
    for w in warnings:
        log.warning(w)
    return Volume(stack, geometry, _series_meta(series, plan, frames, warnings))


def _checked_plan(series: SeriesInfo, missing: str) -> StackPlan:
    """The slice plan of ``series``, or the error that refuses it (see :func:`load_series`)."""
    if missing not in MISSING_OPTIONS:
        raise InputError(f"missing={missing!r}: use one of {', '.join(MISSING_OPTIONS)}")
    if not series.frames:
        raise DicomLoadError(f"series {series.key}: no images to load")
    check_pixel_spacing(series.pixel_spacing, label=f"series {series.key}")
    plan = plan_stack(
        [f.position for f in series.frames],
        series.orientation,
        label=series.key,
        tie_break=[f.instance_number for f in series.frames],
        fallback_step=series.slice_thickness or 1.0,
        names=[f.name for f in series.frames],
    )
    if plan.refused:
        raise GeometryError(plan.refused)
    if plan.missing and missing == "refuse":
        first = next(p for p, k in zip(plan.problems, plan.kinds, strict=True) if k == "missing")
        extra = f" (and {len(plan.missing) - 1} more gap(s))" if len(plan.missing) > 1 else ""
        raise GeometryError(f"{first}{extra}; refused (missing='refuse')")
    _require_3d(len(plan.order), f"series {series.key}")
    return plan


def _warnings(series: SeriesInfo, plan: StackPlan, hu_notes: tuple[str, ...]) -> tuple[str, ...]:
    """The scan's notes on the series (e.g. pydicom's), the plan's repairs, the HU notes."""
    scan_notes = tuple(p for p in series.problems if p not in plan.problems)
    repairs = tuple(
        text + _actions(kind, plan.step_out)
        for text, kind in zip(plan.problems, plan.kinds, strict=True)
    )
    return scan_notes + repairs + hu_notes


def _series_meta(
    series: SeriesInfo, plan: StackPlan, frames: list[FrameRef], warnings: tuple[str, ...]
) -> SeriesMeta:
    return SeriesMeta(
        series_uid=series.series_uid,
        study_uid=series.study_uid,
        frame_of_reference_uid=series.frame_of_reference_uid,
        modality=series.modality,
        description=series.description,
        patient_id=series.patient_id,
        patient_name=series.patient_name,
        study_date=series.study_date,
        kernel=series.kernel,
        contrast_agent=series.contrast_agent,
        slice_thickness_mm=series.slice_thickness,
        gantry_tilt_deg=plan.tilt_deg,
        source=series.folder,
        sop_instance_uids=tuple(f.sop_instance_uid for f in frames),
        warnings=warnings,
        resampled=plan.needs_resampling,
        extra={
            "series_key": series.key,
            "transfer_syntax": series.transfer_syntax,
            "frame_numbers": tuple(f.frame + 1 for f in frames),
            "source_positions_mm": plan.distances,
        },
    )


def load_volume(
    path: str | Path,
    *,
    series: str | None = None,
    modality: str = "CT",
    missing: str = "interpolate",
    on_progress: Callable[[float], None] | None = None,
) -> Volume:
    """Load a volume from a folder of DICOM files, one DICOM file, or a NIfTI/NRRD/MHA file.

    Parameters
    ----------
    path
        A folder holding exactly one ``modality`` image series (else ``series`` must pick
        one), a DICOM file (its whole series is loaded from its folder), or an image file.
    series
        The row number ``strokescope info`` prints, the series key or Series Instance UID,
        a key prefix, or a description substring
        (:func:`strokescope.io.series_select.pick_series`).
    modality
        Required (0008,0060) Modality; ``""`` accepts any.
    missing
        See :func:`load_series`.
    """
    from strokescope.io.sitk_convert import read_volume  # SimpleITK: lazy

    p = Path(path)
    if is_image_file(p):
        vol = read_volume(p)
        _require_3d(vol.shape[0], str(p))
        return vol

    def scan_progress(fraction: float) -> None:
        if on_progress is not None:
            on_progress(0.3 * fraction)

    scan = scan_source(p, on_progress=scan_progress)
    chosen = pick_series(scan, series, modality=modality)

    def load_progress(fraction: float) -> None:
        if on_progress is not None:
            on_progress(0.3 + 0.7 * fraction)

    vol = load_series(chosen, missing=missing, on_progress=load_progress)
    if scan.warnings:
        meta = replace(vol.meta, warnings=scan.warnings + vol.meta.warnings)
        vol = Volume(vol.array, vol.geometry, meta)
    return vol
