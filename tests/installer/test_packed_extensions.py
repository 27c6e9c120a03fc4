"""installer/slim.pack_extension + rthook_packed_extensions: a compressed module imports."""

from __future__ import annotations

import importlib
import os
import runpy
import shutil
import sys
from pathlib import Path

import pytest

INSTALLER = Path(__file__).resolve().parents[2] / "installer"
sys.path.insert(0, str(INSTALLER))
import slim  # noqa: E402


def test_packed_extension_module_loads_from_memory(tmp_path: Path) -> None:
    import _bisect

    source = getattr(_bisect, "__file__", None)
    if source is None or not hasattr(os, "memfd_create"):
        pytest.skip("needs a shared-library _bisect and memfd_create (Linux)")
    package = tmp_path / "packedpkg"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    ext = package / Path(source).name
    shutil.copyfile(source, ext)
    size = ext.stat().st_size
    saved = slim.pack_extension(ext)
    packed = ext.with_name(ext.name + ".z")
    assert not ext.exists() and packed.is_file()
    assert saved == size - packed.stat().st_size > 0

    hook = runpy.run_path(str(INSTALLER / "rthook_packed_extensions.py"))
    finder_type = hook["PackedExtensionFinder"]
    sys.path.insert(0, str(tmp_path))
    try:
        assert importlib.util.find_spec("packedpkg._bisect") is not None
        module = importlib.import_module("packedpkg._bisect")
        assert module.__file__.startswith("/proc/self/fd/")
        assert module.bisect_left([1, 3, 5, 7], 5) == 2
        assert importlib.util.find_spec("packedpkg.absent") is None
    finally:
        sys.path.remove(str(tmp_path))
        sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, finder_type)]
        for name in ("packedpkg._bisect", "packedpkg"):
            sys.modules.pop(name, None)
