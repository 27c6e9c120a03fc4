"""Find the image series in a folder: walk it, read headers, group and split.

Selection rules, in order (each testable on its own):

1. Files: a DICOMDIR at the top of the folder lists them, otherwise the folder is walked,
   never leaving it (:func:`strokescope.io.folder_files.list_files`).
2. A file is skipped with a warning when it is not DICOM, cannot be parsed or is truncated;
   skipped silently (but listed) when it is a non-image object (SR, PR, KO, SEG, ...), a
   localizer ((0008,0008) Image Type LOCALIZER) or an image without position/orientation.
   NIfTI/NRRD/MHA images and JSON files (e.g. the ``truth/`` folder ``strokescope phantom``
   writes) are not DICOM by name: they are only counted (:attr:`FolderScan.ignored`).
3. Images are grouped by (0020,000E) Series Instance UID, then split by orientation, matrix
   size and pixel spacing. A group of fewer than ``MIN_SLICES`` images is a scout, a single
   image or an odd-orientation leftover and is left out. When more than one group remains,
   their keys get the suffixes ``#1``, ``#2``, ... (largest first).
4. Each group's slice geometry is checked (:func:`strokescope.io.stack_plan.plan_stack`)
   and the faults are recorded in :attr:`SeriesInfo.problems`; so is one line summing up
   what pydicom warned about while reading the series' headers (e.g. invalid UIDs), which
   is never printed raw (:mod:`strokescope.io.pydicom_notes`), and one line counting the
   images without rescale values (the loader checks their air,
   :mod:`strokescope.io.hu_checks`). A group whose geometry is
   refused outright (a degenerate orientation, no usable position) is left out with a
   warning naming it, so the other series are still listed; when no series remains, the
   refusal itself is the error.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from strokescope.errors import DicomLoadError, GeometryError
from strokescope.io.dicom_headers import ImageHeader, read_image_header
from strokescope.io.dicom_read import SkipFile
from strokescope.io.folder_files import list_files, named
from strokescope.io.pydicom_notes import PydicomNotes, summarize
from strokescope.io.series_info import (
    IMAGE_SUFFIXES,
    FolderScan,
    FrameRef,
    SeriesInfo,
    SkippedItem,
)
from strokescope.io.stack_plan import plan_stack

log = logging.getLogger(__name__)

MIN_SLICES = 3
MAX_LISTED = 5
ORIENTATION_TOL = 1e-3
NOT_DICOM_SUFFIXES = (*IMAGE_SUFFIXES, ".json")

Progress = Callable[[float], None]


def _same_stack(a: ImageHeader, b: ImageHeader) -> bool:
    """Same matrix, pixel spacing (0.01 %) and orientation (direction cosines within 1e-3)?"""
    spacing = zip(a.pixel_spacing, b.pixel_spacing, strict=True)
    cosines = zip(a.orientation, b.orientation, strict=True)
    return (
        (a.rows, a.columns) == (b.rows, b.columns)
        and all(abs(x - y) <= 1e-4 * max(x, y) for x, y in spacing)
        and all(abs(x - y) <= ORIENTATION_TOL for x, y in cosines)
    )


def _split(members: list[ImageHeader]) -> list[list[ImageHeader]]:
    """Split one series' images into stacks of the same orientation and matrix."""
    stacks: list[list[ImageHeader]] = []
    for h in members:
        home = next((st for st in stacks if _same_stack(st[0], h)), None)
        if home is None:
            stacks.append([h])
        else:
            home.append(h)
    return stacks


def _series_info(key: str, headers: list[ImageHeader], folder: Path) -> SeriesInfo:
    first = headers[0]
    fmt = first.pixel_format
    frames: list[FrameRef] = []
    for h in headers:
        same = h.pixel_format == fmt
        frames.extend(f if same else replace(f, pixel_offset=-1) for f in h.frames)
    plan = plan_stack(
        [f.position for f in frames],
        first.orientation,
        label=key,
        tie_break=[f.instance_number for f in frames],
        fallback_step=first.slice_thickness or 1.0,
        names=[f.name for f in frames],
    )
    ordered = [frames[i] for i in plan.order]
    files = tuple(dict.fromkeys([f.path for f in ordered] + [f.path for f in frames]))
    syntaxes = sorted({h.pixel_format.transfer_syntax for h in headers})
    bare = sum(not f.rescale_given for f in frames)
    rescale = (
        f"series {key}: {bare} of {len(frames)} images have no (0028,1053) Rescale Slope / "
        "(0028,1052) Rescale Intercept; their stored values are taken as HU",
    )
    return SeriesInfo(
        key=key,
        series_uid=first.series_uid,
        study_uid=first.study_uid,
        modality=first.modality,
        description=first.description,
        n_slices=len(plan.order),
        rows=first.rows,
        columns=first.columns,
        pixel_spacing=first.pixel_spacing,
        slice_spacing=plan.median_step,
        slice_thickness=first.slice_thickness,
        kernel=first.kernel,
        gantry_tilt_deg=plan.tilt_deg if len(plan.order) > 1 else first.tilt_header_deg,
        contrast_agent=first.contrast_agent,
        patient_id=first.patient_id,
        study_date=first.study_date,
        transfer_syntax=", ".join(syntaxes),
        files=files,
        problems=plan.problems + (rescale if bare else ()),
        frame_of_reference_uid=first.frame_of_reference_uid,
        patient_name=first.patient_name,
        series_number=first.series_number,
        image_type=first.image_type,
        orientation=first.orientation,
        folder=str(folder),
        multi_frame=any(f.n_frames > 1 for f in frames),
        pixel_format=fmt,
        frames=tuple(frames),
    )


def _n_frames(headers: list[ImageHeader]) -> int:
    return sum(len(h.frames) for h in headers)


def _group(
    headers: list[ImageHeader],
    folder: Path,
    skipped: list[SkippedItem],
    pydicom_notes: PydicomNotes,
    file_notes: dict[Path, tuple[str, ...]],
    refused: list[tuple[GeometryError, str]],
) -> list[SeriesInfo]:
    """Group ``headers`` into series (rules 3 and 4 of the module docstring).

    Image groups left out are appended to ``skipped``; a group whose geometry is refused
    also to ``refused``, with a one-line warning naming it.
    """
    by_uid: dict[str, list[ImageHeader]] = {}
    for h in headers:
        by_uid.setdefault(h.series_uid, []).append(h)
    result: list[SeriesInfo] = []
    for uid, members in by_uid.items():
        ranked = sorted(_split(members), key=lambda g: (-_n_frames(g), str(g[0].path)))
        big = [g for g in ranked if _n_frames(g) >= MIN_SLICES]
        for g in ranked:
            n = _n_frames(g)
            if n < MIN_SLICES:
                skipped.append(
                    SkippedItem(
                        str(g[0].path),
                        f"series {uid}: {n} image(s) with their own orientation or size "
                        "(localizer, scout or single image); left out",
                        warn=False,
                    )
                )
        for i, g in enumerate(big, start=1):
            key = uid if len(big) == 1 else f"{uid}#{i}"
            mark = pydicom_notes.mark()
            try:
                info = _series_info(key, sorted(g, key=lambda h: str(h.path)), folder)
            except GeometryError as exc:
                what = f"'{g[0].description}', {_n_frames(g)} images from {g[0].path}"
                refused.append((exc, f"{exc}; series left out ({what})"))
                skipped.append(SkippedItem(str(g[0].path), str(exc), warn=False))
                continue
            paths = dict.fromkeys(h.path for h in g)
            noted = [file_notes[p] for p in paths if p in file_notes]
            if note := summarize(noted, len(paths), pydicom_notes.since(mark)):
                info = replace(info, problems=(*info.problems, note))
            if len(big) > 1:
                note = (
                    f"series {uid}: mixes {len(big)} orientations or matrix sizes; "
                    f"split into #1..#{len(big)}"
                )
                info = replace(info, problems=(note, *info.problems))
            result.append(info)
    result.sort(key=lambda s: (s.study_uid, s.series_number or 0, s.key))
    return result


def _summary(skipped: list[SkippedItem]) -> str:
    counts = Counter(s.reason.split(" (")[0].split(":")[0] for s in skipped)
    return ", ".join(f"{n} {reason}" for reason, n in counts.most_common())


def scan_folder_report(folder: str | Path, *, on_progress: Progress | None = None) -> FolderScan:
    """Scan ``folder`` and report the series found, the files skipped and the warnings.

    Raises
    ------
    DicomLoadError
        The folder does not exist, cannot be read, is empty, or holds no image series.
    """
    root = Path(folder)
    if not root.exists():
        raise DicomLoadError(f"folder {root}: does not exist")
    if not root.is_dir():
        raise DicomLoadError(f"{root}: is not a folder")
    listing = list_files(root)
    warnings = listing.warnings
    files = [p for p in listing.files if not p.name.lower().endswith(NOT_DICOM_SUFFIXES)]
    ignored = len(listing.files) - len(files)
    if not files:
        for w in warnings:
            log.warning(w)
        if listing.unreadable:
            raise DicomLoadError(
                f"folder {root}: no readable files ({named(listing.unreadable)} could not be read)"
            )
        if ignored:
            raise DicomLoadError(
                f"folder {root}: no DICOM files (only {ignored} NIfTI/NRRD/MHA/JSON file(s))"
            )
        raise DicomLoadError(f"folder {root}: is empty (no files found)")
    headers: list[ImageHeader] = []
    skipped: list[SkippedItem] = []
    refused: list[tuple[GeometryError, str]] = []
    with PydicomNotes() as pydicom_notes:
        file_notes: dict[Path, tuple[str, ...]] = {}
        for n, path in enumerate(files, start=1):
            mark = pydicom_notes.mark()
            try:
                headers.extend(read_image_header(path))
            except SkipFile as exc:
                skipped.append(SkippedItem(str(path), exc.reason, warn=exc.warn))
            except OSError as exc:
                reason = "permission denied" if isinstance(exc, PermissionError) else str(exc)
                skipped.append(SkippedItem(str(path), f"cannot be read ({reason})", warn=True))
            if notes := pydicom_notes.since(mark):
                file_notes[path] = notes
            if on_progress is not None and (n % 16 == 0 or n == len(files)):
                on_progress(n / len(files))
        series = _group(headers, root, skipped, pydicom_notes, file_notes, refused)
    noisy = [s for s in skipped if s.warn]
    for s in noisy[:MAX_LISTED]:
        warnings.append(f"file {s.path}: {s.reason}; skipped")
    if len(noisy) > MAX_LISTED:
        warnings.append(f"folder {root}: {len(noisy) - MAX_LISTED} more unusable files skipped")
    if series:
        warnings.extend(warning for _exc, warning in refused)
    for w in warnings:
        log.warning(w)
    if not series and refused:
        more = f" (and {len(refused) - 1} more series refused)" if len(refused) > 1 else ""
        raise GeometryError(f"{refused[0][0]}{more}")
    if not series:
        what = _summary(skipped) or "nothing usable"
        raise DicomLoadError(f"folder {root}: no DICOM image series found ({what})")
    return FolderScan(
        folder=str(root),
        series=tuple(series),
        skipped=tuple(skipped),
        warnings=tuple(warnings),
        n_files=len(files),
        used_dicomdir=listing.used_dicomdir,
        ignored=ignored,
    )


def scan_folder(folder: str | Path, *, on_progress: Progress | None = None) -> list[SeriesInfo]:
    """The loadable image series in ``folder`` (see :func:`scan_folder_report`)."""
    return list(scan_folder_report(folder, on_progress=on_progress).series)
