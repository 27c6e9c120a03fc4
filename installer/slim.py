"""Build-time size trimming for the bundle: strip debug symbols where that is safe.

PyInstaller's own ``strip=True`` strips every library, which breaks the libraries that
auditwheel repaired with patchelf (``numpy.libs/libscipy_openblas64_*.so`` then fails to load:
"ELF load command address/offset not page-aligned"). :func:`strip_debug` strips only ELF files
outside ``*.libs/`` folders that carry no ``$ORIGIN`` run path (the patchelf mark), and keeps
a stripped copy only when it is smaller. Measured: libpython 22 -> 5 MB, pylibjpeg's
_libjpeg 9 -> 2 MB, _openjpeg 6 -> 1 MB, the stdlib extension modules 12 -> 5 MB.

:func:`pack_extension` stores an extension module zlib-compressed; the runtime hook
``rthook_packed_extensions.py`` loads it from memory (Linux). SimpleITK: 272 -> 52 MB.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import zlib
from pathlib import Path

log = logging.getLogger(__name__)
MIN_GAIN = 64 * 1024
PACKED_SUFFIX = ".z"  # rthook_packed_extensions.PACKED_SUFFIX


def _is_elf(path: Path) -> bool:
    with path.open("rb") as f:
        return f.read(4) == b"\x7fELF"


def _patched(path: Path) -> bool:
    out = subprocess.run(["readelf", "-d", str(path)], capture_output=True, text=True).stdout
    return "$ORIGIN" in out


def strip_debug(bundle: Path) -> int:
    """Strip the safe ELF files under ``bundle`` in place; return the bytes saved."""
    strip = shutil.which("strip")
    if strip is None or shutil.which("readelf") is None:
        log.warning("binutils not found: the bundle is not stripped")
        return 0
    saved = 0
    for path in sorted(bundle.rglob("*")):
        if path.is_symlink() or not path.is_file() or any(p.endswith(".libs") for p in path.parts):
            continue
        if not _is_elf(path) or _patched(path):
            continue
        tmp = path.with_name(path.name + ".stripped")
        done = subprocess.run(
            [strip, "--strip-unneeded", "-o", str(tmp), str(path)], capture_output=True
        )
        before = path.stat().st_size
        if done.returncode == 0 and tmp.is_file() and before - tmp.stat().st_size >= MIN_GAIN:
            saved += before - tmp.stat().st_size
            shutil.copymode(path, tmp)
            os.replace(tmp, path)
        else:
            tmp.unlink(missing_ok=True)
    return saved


def pack_extension(path: Path, *, level: int = 6) -> int:
    """Replace the extension module ``path`` by ``<path>.z`` (zlib); return the bytes saved.

    Only for Linux bundles, whose runtime hook can load it back from memory. The packed file
    is written next to the original and renamed into place before the original is removed.
    """
    data = path.read_bytes()
    packed = path.with_name(path.name + PACKED_SUFFIX)
    tmp = packed.with_name(packed.name + ".tmp")
    tmp.write_bytes(zlib.compress(data, level))
    os.replace(tmp, packed)
    path.unlink()
    return len(data) - packed.stat().st_size
