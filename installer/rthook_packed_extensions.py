"""PyInstaller runtime hook: import extension modules that the build stored compressed.

On Linux the build (:func:`slim.pack_extension`) replaces SimpleITK's extension module
(272 MB of machine code, most of the bundle) by a zlib stream ``<module file>.z`` of 52 MB.
This hook puts a finder first on ``sys.meta_path``: importing such a module decompresses it
into an anonymous in-memory file (``memfd_create``) and loads it from ``/proc/self/fd/N``,
as UPX does for executables. Cost, paid once per process at the first import: about 0.5 s
and the module's size in RAM (the uncompressed file would be paged in from disk anyway).
The memory file is kept open for the life of the process; it is not inherited by children.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import importlib.util
import os
import sys
import zlib
from collections.abc import Sequence
from importlib.machinery import ModuleSpec
from types import ModuleType

PACKED_SUFFIX = ".z"
CHUNK = 1 << 22


def _memory_file(packed: str) -> str:
    """Decompress ``packed`` into a memfd; return its /proc path."""
    name = os.path.basename(packed[: -len(PACKED_SUFFIX)])
    fd = os.memfd_create(name, os.MFD_CLOEXEC)
    inflate = zlib.decompressobj()
    with open(packed, "rb") as src, os.fdopen(os.dup(fd), "wb") as dst:
        while chunk := src.read(CHUNK):
            dst.write(inflate.decompress(chunk))
        dst.write(inflate.flush())
    return f"/proc/self/fd/{fd}"


class PackedExtensionFinder(importlib.abc.MetaPathFinder):
    """Finds ``<package>/<leaf><extension suffix>.z`` for submodules of packages."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        if not path:
            return None
        leaf = fullname.rpartition(".")[2]
        for folder in path:
            for suffix in importlib.machinery.EXTENSION_SUFFIXES:
                packed = os.path.join(folder, leaf + suffix + PACKED_SUFFIX)
                if os.path.isfile(packed):
                    location = _memory_file(packed)
                    loader = importlib.machinery.ExtensionFileLoader(fullname, location)
                    return importlib.util.spec_from_file_location(fullname, location, loader=loader)
        return None


def install() -> None:
    if hasattr(os, "memfd_create") and not any(
        isinstance(f, PackedExtensionFinder) for f in sys.meta_path
    ):
        sys.meta_path.insert(0, PackedExtensionFinder())


install()
