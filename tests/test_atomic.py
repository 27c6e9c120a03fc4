"""Atomic writes: all or nothing, with ordinary file permissions."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from strokescope.atomic import FILE_MODE, atomic_write_bytes, atomic_write_with


def test_write_replaces_whole_file_with_umask_permissions(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "a.bin"
    atomic_write_bytes(target, b"old")
    atomic_write_bytes(target, b"new content")
    assert target.read_bytes() == b"new content"
    assert target.stat().st_mode & 0o777 == FILE_MODE
    assert FILE_MODE & 0o044  # readable by others under an ordinary umask (tests run as 022)
    assert [p.name for p in target.parent.iterdir()] == ["a.bin"]


def test_failure_mid_write_keeps_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    atomic_write_bytes(target, b"complete old result")

    def half_then_fail(fh: object) -> None:
        fh.write(b"partial")  # type: ignore[attr-defined]
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write_with(target, half_then_fail)
    assert target.read_bytes() == b"complete old result"
    assert os.listdir(tmp_path) == ["a.txt"]
