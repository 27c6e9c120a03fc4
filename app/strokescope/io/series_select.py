"""What a user's path names, and which of its series ``--series`` picks.

:func:`scan_source` turns a path into a :class:`FolderScan`, the same for ``strokescope info
PATH`` and for ``strokescope ht --ncct PATH`` / ``thrombus --ncct PATH``:

* a folder (or its DICOMDIR): every image series found in it;
* a DICOM file: its folder is scanned and only the series holding the file is kept;
* a NIfTI/NRRD/MHA file: one "series" read from the image header.

:func:`pick_series` is the one selection rule behind ``--series``, ``--ncct-series`` and
``--cta-series``, tried in order:

1. the exact series key or (0020,000E) Series Instance UID;
2. a row number of ``strokescope info`` (``2`` is the second row, counted from 1);
3. a key prefix;
4. a substring of (0008,103E) Series Description (case-insensitive).

A rule that matches several series is an error listing them; so is a pick of another
modality than the one required.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from strokescope.errors import DicomLoadError
from strokescope.io.dicom_scan import scan_folder_report
from strokescope.io.series_info import IMAGE_SUFFIXES, FolderScan, SeriesInfo


def describe(s: SeriesInfo) -> str:
    """One-line description of a series for error messages."""
    return f"{s.key} ({s.modality} '{s.description}', {s.n_slices} slices)"


def _listing(series: Sequence[SeriesInfo], rows: Sequence[SeriesInfo]) -> str:
    number = {id(s): n for n, s in enumerate(rows, start=1)}
    return "; ".join(
        f"{number[id(s)]}: {describe(s)}" if id(s) in number else describe(s) for s in series
    )


def select_series(
    candidates: list[SeriesInfo],
    series: str | None,
    *,
    folder: str,
    modality: str,
    rows: Sequence[SeriesInfo] | None = None,
) -> SeriesInfo:
    """Pick one of ``candidates`` by the rules of the module docstring.

    ``rows`` are the series as ``strokescope info`` numbers them (default ``candidates``);
    a row number that is not among the candidates (another modality) is an error.

    Raises
    ------
    DicomLoadError
        No candidate, several candidates and no ``series``, or ``series`` matching none or
        several of them.
    """
    rows = list(candidates if rows is None else rows)
    kind = f"{modality} " if modality else ""
    if not candidates:
        raise DicomLoadError(f"folder {folder}: no {kind}image series")
    if series is None:
        if len(candidates) == 1:
            return candidates[0]
        raise DicomLoadError(
            f"folder {folder}: {len(candidates)} {kind}image series, pick one with "
            f"--series N (the row of 'strokescope info') ({_listing(candidates, rows)})"
        )
    wanted = series.strip()
    exact = [s for s in candidates if wanted in (s.key, s.series_uid)]
    if len(exact) == 1:
        return exact[0]
    if wanted.isdigit() and not exact and 1 <= int(wanted) <= len(rows):
        row = rows[int(wanted) - 1]
        if not any(row is s for s in candidates):
            raise DicomLoadError(
                f"folder {folder}: series {wanted} is {row.modality or 'not DICOM'} "
                f"'{row.description}', not a {kind}image series"
            )
        return row
    rules: tuple[Callable[[SeriesInfo], bool], ...] = (
        lambda s: wanted in (s.key, s.series_uid),
        lambda s: s.key.startswith(wanted),
        lambda s: wanted.lower() in s.description.lower(),
    )
    for rule in rules:
        hits = [s for s in candidates if rule(s)]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            raise DicomLoadError(
                f"folder {folder}: series {wanted!r} matches {len(hits)} series "
                f"({_listing(hits, rows)})"
            )
    raise DicomLoadError(
        f"folder {folder}: no series matches {wanted!r} (rows 1-{len(rows)} of "
        f"'strokescope info': {_listing(rows, rows)})"
    )


def pick_series(scan: FolderScan, series: str | None, *, modality: str = "CT") -> SeriesInfo:
    """The series of ``scan`` that ``series`` names (see the module docstring).

    ``modality`` is the required (0008,0060) Modality; ``""`` accepts any. Without
    ``series`` the scan must hold exactly one such series.
    """
    found = list(scan.series)
    wanted = modality.upper()
    candidates = [s for s in found if not wanted or s.modality == wanted]
    if not candidates and found:
        raise DicomLoadError(
            f"folder {scan.folder}: no {wanted} image series (found: {_listing(found, found)})"
        )
    return select_series(candidates, series, folder=scan.folder, modality=wanted, rows=found)


def is_image_file(path: Path) -> bool:
    """Is ``path`` a NIfTI/NRRD/MHA file (by its name)?"""
    return path.is_file() and any(path.name.lower().endswith(s) for s in IMAGE_SUFFIXES)


def scan_source(
    path: str | Path, *, on_progress: Callable[[float], None] | None = None
) -> FolderScan:
    """The series a user's path names (see the module docstring).

    Raises
    ------
    DicomLoadError
        The path does not exist, holds no image series, or is a file that is part of none.
    """
    p = Path(path)
    if not p.exists():
        raise DicomLoadError(f"{p}: does not exist")
    if is_image_file(p):
        from strokescope.io.sitk_convert import image_file_info

        info = image_file_info(p)
        return FolderScan(
            folder=str(p), series=(info,), n_files=1, source="NIfTI/NRRD/MHA image file"
        )
    if p.is_file() and p.name.upper() == "DICOMDIR":
        p = p.parent
    if p.is_dir():
        return scan_folder_report(p, on_progress=on_progress)
    scan = scan_folder_report(p.parent, on_progress=on_progress)
    mine = p.resolve()
    kept = tuple(s for s in scan.series if mine in {f.resolve() for f in s.files})
    if not kept:
        raise DicomLoadError(f"file {p}: not part of a loadable image series")
    return FolderScan(
        folder=scan.folder,
        series=kept,
        skipped=scan.skipped,
        warnings=scan.warnings,
        n_files=scan.n_files,
        used_dicomdir=scan.used_dicomdir,
        source=f"the series holding {p.name}",
        ignored=scan.ignored,
    )
