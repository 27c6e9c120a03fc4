"""Results folders that are never half-written and never silently replaced.

An export writes every file into a hidden staging folder inside ``OUT`` and then renames
the folder into place, so a crash leaves either the old complete result or the new one:

* default: ``OUT/results-001``, then ``results-002``, ... (the next free number);
* ``overwrite=True``: the newest ``results-NNN`` is renamed aside to ``.old-results-NNN-*``,
  the staging folder renamed in, and only then the old folder deleted. A crash between
  the two renames is repaired by :func:`recover` on the next export (the old folder is
  renamed back when no new one took its place).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
import time
from pathlib import Path

from strokescope.errors import ExportError

log = logging.getLogger(__name__)

PREFIX = "results-"
STAGING_PREFIX = ".staging-"
OLD_PREFIX = ".old-results-"
STALE_STAGING_SECONDS = 24 * 3600
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


def recover(out_dir: Path) -> None:
    """Finish what an interrupted export left: restore or delete set-aside old results,
    delete staging folders older than a day."""
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
        elif (
            path.name.startswith(STAGING_PREFIX)
            and time.time() - path.stat().st_mtime > STALE_STAGING_SECONDS
        ):
            shutil.rmtree(path, ignore_errors=True)


def make_staging(out_dir: Path) -> Path:
    """A new empty hidden folder inside ``out_dir`` (created with its parents)."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out_dir))
    except OSError as exc:
        raise ExportError(f"{out_dir}: cannot create results folder ({exc.strerror})") from exc


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


def publish(staging: Path, out_dir: Path, *, overwrite: bool) -> tuple[Path, bool]:
    """Rename ``staging`` into place; return (final folder, whether it replaced one)."""
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
    while True:
        target = out_dir / folder_name(number)
        try:
            os.mkdir(target)  # reserve the name; fails if another export took it
        except FileExistsError:
            number += 1
            continue
        os.replace(staging, target)  # POSIX: a directory may replace an empty directory
        return target, False
