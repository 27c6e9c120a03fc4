"""Advisory file locks that the operating system releases when their process dies.

Two kinds are used by :mod:`strokescope.outputs.folders`: the results parent's lock,
held for the few renames of a publish (and the clean-up before a new staging folder), and
each staging folder's owner lock, held for the whole export, so a later export can tell a
staging folder left by a killed process (lock free) from one still being written (lock
held). POSIX uses ``flock`` (a parent folder is locked through its own descriptor, so
nothing is left behind); Windows locks the first byte of a lock file with ``msvcrt``.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from strokescope.errors import ExportError

PARENT_LOCK_NAME = ".strokescope-export.lock"
"""The parent's lock file (Windows only; POSIX locks the folder itself)."""
WAIT_SECONDS = 120.0


def _try_lock(fd: int) -> bool:
    """Take the exclusive lock on ``fd`` without waiting; False when another holds it."""
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _open(path: Path, *, folder: bool) -> int:
    if folder and sys.platform != "win32":
        return os.open(path, os.O_RDONLY)
    target = path / PARENT_LOCK_NAME if folder else path
    return os.open(target, os.O_RDWR | os.O_CREAT, 0o666)


@contextlib.contextmanager
def parent_locked(out_dir: Path, *, wait_s: float = WAIT_SECONDS) -> Iterator[None]:
    """Hold the exclusive lock of the results parent ``out_dir`` (which must exist).

    Raises
    ------
    ExportError
        When another export holds it for longer than ``wait_s`` seconds.
    """
    fd = _open(out_dir, folder=True)
    try:
        deadline = time.monotonic() + wait_s
        while not _try_lock(fd):
            if time.monotonic() > deadline:
                raise ExportError(
                    f"{out_dir}: another export has held this folder for over "
                    f"{wait_s:.0f} s; try again later"
                )
            time.sleep(0.01)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def hold(path: Path) -> int:
    """Create ``path`` and lock it for this process; return the descriptor to keep open."""
    fd = _open(path, folder=False)
    if not _try_lock(fd):
        os.close(fd)
        raise ExportError(f"{path}: lock is held by another process")
    return fd


def is_held(path: Path) -> bool:
    """True when a live process holds the lock of ``path`` (False: free or no file)."""
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return False
    try:
        return not _try_lock(fd)
    finally:
        os.close(fd)
