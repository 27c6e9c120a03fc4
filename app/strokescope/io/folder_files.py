"""Which files a folder holds, without ever leaving it.

:func:`list_files` is the one way the package lists a user's folder: the scan
(:mod:`strokescope.io.dicom_scan`) and the export's re-read of the source headers
(:mod:`strokescope.outputs.source_refs`) both use it. Rules:

* A DICOMDIR at the top of the folder lists the files (files it names that are missing are
  reported). A reference that leads outside the folder (an absolute path, ``..``, or a link
  pointing out) is ignored with a warning: an index must not pull in another study. When
  the folder holds DICOM files (by their first 132 bytes) that the DICOMDIR does not list,
  the index is stale or partial: one warning counts them and the whole folder is walked
  instead (the files on disk are the study; half a series analysed would be a silently
  different result).
* Otherwise the folder is walked recursively, sorted by name; hidden entries (``.*``) are
  ignored. A symbolic link whose target lies outside the folder is not followed (one warning
  sums them up); a link back into the folder is followed once (loops end there), and a file
  reached twice is listed once.
* A subfolder that cannot be read is skipped with a warning naming it and counted, so that a
  folder whose only content is unreadable is not reported as empty. The folder itself not
  being readable is a :class:`~strokescope.errors.DicomLoadError`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from strokescope.errors import DicomLoadError
from strokescope.io.dicom_read import looks_like_dicom, read_dataset

DICOMDIR_NAMES = ("DICOMDIR", "dicomdir")
MAX_NAMED = 3


@dataclass
class FolderFiles:
    """The files of a folder, the one-line warnings listing them raised, and what was unread.

    ``unreadable`` names the subfolders and entries that could not be read.
    """

    files: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    used_dicomdir: bool = False


def _reason(exc: OSError) -> str:
    return "permission denied" if isinstance(exc, PermissionError) else exc.strerror or str(exc)


def _inside(real: str, root_real: str) -> bool:
    """Is the resolved path ``real`` the folder ``root_real`` or below it?"""
    return real == root_real or real.startswith(root_real.rstrip(os.sep) + os.sep)


def named(items: list[str]) -> str:
    """The first few of ``items``, comma-separated, and how many more."""
    more = f", ... ({len(items) - MAX_NAMED} more)" if len(items) > MAX_NAMED else ""
    return ", ".join(items[:MAX_NAMED]) + more


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    with os.scandir(folder) as it:
        return sorted(it, key=lambda e: e.name)


def _walk(root: Path, top: list[os.DirEntry[str]], out: FolderFiles) -> None:
    """Append the regular, non-hidden files under ``root`` to ``out.files``."""
    root_real = os.path.realpath(root)
    seen_dirs = {root_real}
    seen_files: set[str] = set()
    outside: list[str] = []
    pending: list[tuple[Path, str, list[os.DirEntry[str]] | None]] = [(root, root_real, top)]
    while pending:
        here, here_real, entries = pending.pop()
        if entries is None:
            try:
                entries = _entries(here)
            except OSError as exc:
                out.warnings.append(f"folder {here}: cannot be read ({_reason(exc)}); skipped")
                out.unreadable.append(str(here))
                continue
        subdirs: list[tuple[Path, str, None]] = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                if entry.is_symlink():
                    real = os.path.realpath(entry.path)
                    if not _inside(real, root_real):
                        outside.append(entry.path)
                        continue
                else:
                    real = os.path.join(here_real, entry.name)
                if entry.is_dir():
                    if real not in seen_dirs:  # a link back into the folder: once
                        seen_dirs.add(real)
                        subdirs.append((Path(entry.path), real, None))
                elif entry.is_file() and real not in seen_files:
                    seen_files.add(real)
                    out.files.append(Path(entry.path))
            except OSError:
                out.warnings.append(f"file {entry.path}: cannot be inspected; skipped")
                out.unreadable.append(entry.path)
        pending.extend(reversed(subdirs))
    if outside:
        out.warnings.append(
            f"folder {root}: {len(outside)} symbolic link(s) pointing outside it not "
            f"followed ({named(outside)})"
        )


def _dicomdir_files(dicomdir: Path, out: FolderFiles) -> bool:
    """Add the files a DICOMDIR references to ``out``; False when it cannot be used."""
    root = dicomdir.parent
    root_real = os.path.realpath(root)
    try:
        ds = read_dataset(dicomdir)  # the caps of the tolerant reader hold for the index too
        records = list(ds.DirectoryRecordSequence)
        refs = [r.get("ReferencedFileID") for r in records]
    except Exception as exc:  # an unusable index: fall back to walking the folder
        out.warnings.append(f"{dicomdir}: unreadable DICOMDIR ({exc}); walking the folder instead")
        return False
    files: list[Path] = []
    missing: list[str] = []
    outside: list[str] = []
    for ref in refs:
        if not ref:
            continue
        parts = [str(ref)] if isinstance(ref, str) else [str(p) for p in ref]
        path = root.joinpath(*parts)
        if not _inside(os.path.realpath(path), root_real):
            outside.append("\\".join(parts))
            continue
        if not path.is_file():
            lower = root.joinpath(*(p.lower() for p in parts))
            if not (_inside(os.path.realpath(lower), root_real) and lower.is_file()):
                missing.append(os.path.relpath(path, root))
                continue
            path = lower
        files.append(path)
    if outside:
        out.warnings.append(
            f"{dicomdir}: {len(outside)} reference(s) outside the folder ignored ({named(outside)})"
        )
    if missing:
        out.warnings.append(
            f"{dicomdir}: {len(missing)} referenced file(s) missing ({named(missing)})"
        )
    if not files:
        out.warnings.append(f"{dicomdir}: references no files; walking the folder instead")
        return False
    out.files = list(dict.fromkeys(files))
    return True


def list_files(root: Path) -> FolderFiles:
    """The files of ``root``: those its DICOMDIR lists, else all found by walking it.

    Raises
    ------
    DicomLoadError
        ``root`` itself cannot be read.
    """
    try:
        top = _entries(root)
        dicomdir = next(
            (Path(e.path) for e in top if e.name in DICOMDIR_NAMES and e.is_file()), None
        )
    except OSError as exc:
        raise DicomLoadError(f"folder {root}: cannot be read ({_reason(exc)})") from exc
    out = FolderFiles()
    if dicomdir is not None and _dicomdir_files(dicomdir, out):
        walked = FolderFiles()
        _walk(root, top, walked)
        unlisted = _unlisted_dicom(walked.files, [*out.files, dicomdir])
        if not unlisted:
            out.used_dicomdir = True
            return out
        names = [os.path.relpath(p, root) for p in unlisted]
        out.warnings.append(
            f"{dicomdir}: the folder holds {len(unlisted)} DICOM file(s) the DICOMDIR does "
            f"not list ({named(names)}); the whole folder is analysed, not only the "
            f"{len(out.files)} file(s) it lists"
        )
        walked.warnings[:0] = out.warnings
        out = walked
    else:
        _walk(root, top, out)
    out.files = [p for p in out.files if p != dicomdir]
    return out


def _unlisted_dicom(found: list[Path], listed: list[Path]) -> list[Path]:
    """The files of ``found`` that are not in ``listed`` and start like DICOM."""
    known = {os.path.realpath(p) for p in listed}
    out = []
    for path in found:
        if os.path.realpath(path) in known:
            continue
        try:
            with open(path, "rb") as fp:  # regular files only (the walk lists no others)
                head = fp.read(132)
        except OSError:
            continue
        if looks_like_dicom(head):
            out.append(path)
    return out
