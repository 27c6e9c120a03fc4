"""What identifies a case's input: a content hash of its files, and a cheap stat signature.

The ledger keys a finished case by the **content hash**: SHA-256 over the sorted list of
``(role, path relative to the role's folder, file bytes)`` of every file under the case's
input folders (``study`` or ``ncct``/``cta``/``followup``, and a ``truth_mask`` file). File
names and bytes decide; where the study lies, timestamps and copies do not.

Reading every byte again on each rerun would cost about a second per study, so the ledger
also stores the **stat signature**: SHA-256 over ``(role, relative path, size, mtime_ns)``
of the same files. A rerun compares the signature first (only ``stat`` calls); the bytes
are read again only when it differs, e.g. after a copy that changed timestamps, and a case
whose content hash still matches is skipped all the same.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator, Mapping
from pathlib import Path

from strokescope.errors import InputError

CHUNK = 1 << 20


def _files(inputs: Mapping[str, Path]) -> Iterator[tuple[str, Path]]:
    """``(name, path)`` of every input file, sorted by ``role/relative path``."""
    found: list[tuple[str, Path]] = []
    for role in sorted(inputs):
        root = Path(inputs[role])
        if root.is_file():
            found.append((f"{role}/{root.name}", root))
        elif root.is_dir():
            for folder, dirs, names in os.walk(root):
                dirs[:] = [d for d in dirs if not d.startswith(".")]
                for name in names:
                    if name.startswith("."):
                        continue
                    path = Path(folder) / name
                    found.append((f"{role}/{path.relative_to(root).as_posix()}", path))
        else:
            raise InputError(f"{root}: {role} folder or file not found")
    found.sort(key=lambda item: item[0])
    yield from found


def stat_signature(inputs: Mapping[str, Path]) -> str:
    """SHA-256 (hex) of the sorted ``(name, size, mtime_ns)`` of the input files.

    Raises
    ------
    InputError
        An input folder or file does not exist.
    """
    digest = hashlib.sha256()
    for name, path in _files(inputs):
        st = path.stat()
        digest.update(f"{name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def content_hash(inputs: Mapping[str, Path]) -> str:
    """SHA-256 (hex) of the sorted ``(name, bytes)`` of the input files.

    Raises
    ------
    InputError
        An input folder or file does not exist or cannot be read.
    """
    digest = hashlib.sha256()
    for name, path in _files(inputs):
        digest.update(f"{name}\0".encode())
        try:
            with open(path, "rb") as fh:
                while chunk := fh.read(CHUNK):
                    digest.update(chunk)
        except OSError as exc:
            raise InputError(f"{path}: cannot read ({exc.strerror})") from exc
        digest.update(b"\0")
    return digest.hexdigest()


def case_inputs(inputs: Mapping[str, Path], truth: Mapping[str, str]) -> dict[str, Path]:
    """The paths hashed for a case: its image inputs and its ``truth_mask`` file, if any."""
    paths = dict(inputs)
    if truth.get("truth_mask"):
        paths["truth_mask"] = Path(truth["truth_mask"])
    return paths
