"""Results folders that are never half-written and never silently replaced.

An export writes every file into a hidden staging folder inside ``OUT`` and then renames
the folder into place, so a crash leaves either the old complete result or the new one:

* default: ``OUT/results-001``, then ``results-002``, ... (the next free number);
* ``overwrite=True``: the newest ``results-NNN`` is renamed aside to ``.old-results-NNN-*``,
  the staging folder renamed in, and only then the old folder deleted.

Exports into one parent may run at the same time (processes or threads). Each writes only
inside its own staging folder, and the parent's lock
(:func:`strokescope.outputs.locks.parent_locked`) serialises the short steps that touch
the parent: the clean-up and creation of a staging folder, and the renames of a publish.
Each staging folder holds an owner lock file (``.owner``) for as long as its export runs;
the operating system frees it when the process dies (kill -9, crash). So
:func:`recover`, run by every new export under the parent's lock, knows that what it finds
was left by a dead export: a staging folder whose owner lock is free (or missing) is
deleted, and a set-aside old result is renamed back when no new one took its place.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from pathlib import Path

from strokescope.errors import ExportError
from strokescope.outputs import locks

log = logging.getLogger(__name__)

PREFIX = "results-"
STAGING_PREFIX = ".staging-"
OLD_PREFIX = ".old-results-"
OWNER_NAME = ".owner"
"""The owner lock file inside a staging folder (removed just before the publish)."""
_VERSION = re.compile(rf"^{PREFIX}(\d{{3,}})$")
_OLD = re.compile(rf"^{re.escape(OLD_PREFIX)}(\d{{3,}})-")


def versions(out_dir: Path) -> list[int]:
    """Numbers of the existing ``results-NNN`` folders, ascending."""
    if not out_dir.is_dir():
        return []
    found = (_VERSION.match(p.name) for p in out_dir.iterdir() if p.is_dir())
    return sorted(int(m.group(1)) for m in found if m)


def folder_name(number: int) -> str:
    return f"{PREFIX}{number:03d}"


def check_out_dir(out_dir: str | Path) -> Path:
    """``out_dir`` as a path, if an export could create or write it: not empty, not a
    file, and its nearest existing folder writable. Cheap: call it before the analysis.

    Raises
    ------
    ExportError
        In one line, naming the path.
    """
    if not str(out_dir).strip():
        raise ExportError("results folder: the path is empty")
    path = Path(out_dir)
    if path.exists() and not path.is_dir():
        raise ExportError(f"{path}: is a file, not a folder for results")
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise ExportError(f"{path}: {existing} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ExportError(f"{path}: cannot write into {existing} (permission denied)")
    return path


def recover(out_dir: Path) -> None:
    """Finish what dead exports left in ``out_dir``: restore or delete set-aside old
    results, delete staging folders whose owner lock is free. Call it holding the
    parent's lock (:class:`Staging` does), so no live export is half-way through a
    publish."""
    if not out_dir.is_dir():
        return
    for path in out_dir.iterdir():
        m = _OLD.match(path.name)
        if m:
            target = out_dir / folder_name(int(m.group(1)))
            if target.exists():
                shutil.rmtree(path, ignore_errors=True)
            else:
                os.rename(path, target)
                log.warning("restored %s from an interrupted overwrite", target)
        elif path.name.startswith(STAGING_PREFIX) and not locks.is_held(path / OWNER_NAME):
            shutil.rmtree(path, ignore_errors=True)
            log.info("removed %s, left by an export that did not finish", path)


class Staging:
    """A new hidden staging folder in ``out_dir`` (created with its parents), owned by
    this export until :meth:`publish` or :meth:`discard`.

    Raises
    ------
    ExportError
        When ``out_dir`` cannot be created or written.
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir
        try:
            out_dir.mkdir(parents=True, exist_ok=True)
            with locks.parent_locked(out_dir):
                recover(out_dir)
                self.path = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out_dir))
                self._owner: int | None = locks.hold(self.path / OWNER_NAME)
        except OSError as exc:
            raise ExportError(
                f"{out_dir}: cannot create results folder ({os_message(exc)})"
            ) from exc

    def _release(self) -> None:
        if self._owner is not None:
            os.close(self._owner)
            self._owner = None

    def publish(self, *, overwrite: bool) -> tuple[Path, bool]:
        """Rename the staging folder into place; return (final folder, whether it
        replaced one)."""
        with locks.parent_locked(self.out_dir):
            self._release()
            (self.path / OWNER_NAME).unlink()
            return _publish(self.path, self.out_dir, overwrite=overwrite)

    def discard(self) -> None:
        """Delete the staging folder and everything in it."""
        self._release()
        shutil.rmtree(self.path, ignore_errors=True)


def _loosen(staging: Path) -> None:
    """Give the folder, its subfolders and files the umask's permissions (mkdtemp/mkstemp
    use 0700)."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(staging, 0o777 & ~umask)
    for path in staging.iterdir():
        if path.is_dir():
            _loosen(path)
        else:
            os.chmod(path, 0o666 & ~umask)


def _publish(staging: Path, out_dir: Path, *, overwrite: bool) -> tuple[Path, bool]:
    """The renames of :meth:`Staging.publish` (parent's lock held)."""
    _loosen(staging)
    existing = versions(out_dir)
    if overwrite and existing:
        target = out_dir / folder_name(existing[-1])
        aside = Path(tempfile.mkdtemp(prefix=f"{OLD_PREFIX}{existing[-1]:03d}-", dir=out_dir))
        os.rmdir(aside)
        os.rename(target, aside)
        try:
            os.rename(staging, target)
        except OSError:
            os.rename(aside, target)
            raise
        shutil.rmtree(aside, ignore_errors=True)
        return target, True
    number = (existing[-1] if existing else 0) + 1
    while (out_dir / folder_name(number)).exists():
        number += 1
    target = out_dir / folder_name(number)
    os.rename(staging, target)
    return target, False


def os_message(exc: BaseException) -> str:
    """One line for an ``OSError`` (e.g. ``No space left on device``), also when a library
    re-raised it with its traceback in the text (pydicom does): the ``strerror`` of the
    first error in the chain that has one."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.errno is not None:
            return seen.strerror or os.strerror(seen.errno)
        seen = seen.__cause__ or seen.__context__
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
