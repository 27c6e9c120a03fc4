"""Fuzz mutations of the folder around a series (permissions, DICOMDIR, symlinks, stray and odd
files, deep trees)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
from tests.fuzz import dicom_edit as de
from tests.fuzz.mutation_kit import (
    Apply,
    add,
)


def _unreadable_series(folder: Path, rng: np.random.Generator) -> None:
    sub = folder / "locked"
    sub.mkdir()
    for path in de.series_files(folder):
        path.rename(sub / path.name)
    sub.chmod(0)


def _unreadable_extra(folder: Path, rng: np.random.Generator) -> None:
    extra = folder / "locked"
    extra.mkdir()
    for path in de.series_files(de.sibling_series(folder))[:5]:
        shutil.copy2(path, extra / path.name)
    extra.chmod(0)


def _unreadable_file(folder: Path, rng: np.random.Generator) -> None:
    de.inner_file(folder, rng).chmod(0)


def _dicomdir(kind: str) -> Apply:
    def apply(folder: Path, rng: np.random.Generator) -> None:
        own = de.series_files(folder)
        other = de.series_files(de.sibling_series(folder))
        up = other[0].parent.name
        mine = [(p.name, p) for p in own]
        parent: list[de.FileRef] = [(["..", up, p.name], p) for p in other]
        refs: dict[str, list[de.FileRef]] = {
            "valid": list(mine),
            "parent": parent,
            "absolute": [(str(p.resolve()), p) for p in other],
            "mixed": mine + parent,
            "missing": mine + [(f"GONE{k:04d}", own[0]) for k in range(3)],
            "subset": mine[: len(mine) // 2],
        }
        de.write_dicomdir(folder, refs[kind])

    return apply


def _symlink(name: str, target: str) -> Apply:
    return lambda folder, rng: os.symlink(target, folder / name)


def _symlink_loop_pair(folder: Path, rng: np.random.Generator) -> None:
    (folder / "a").mkdir()
    (folder / "b").mkdir()
    os.symlink("../b", folder / "a" / "to_b")
    os.symlink("../a", folder / "b" / "to_a")


def _symlink_outside_file(folder: Path, rng: np.random.Generator) -> None:
    other = de.series_files(de.sibling_series(folder))[0]
    os.symlink(os.path.relpath(other, folder), folder / "LINKED.dcm")


def _write(name: str, data: bytes) -> Apply:
    return lambda folder, rng: (folder / name).write_bytes(data) and None


def _random_bytes(name: str, size: int) -> Apply:
    def apply(folder: Path, rng: np.random.Generator) -> None:
        (folder / name).write_bytes(rng.integers(0, 256, size, dtype=np.uint8).tobytes())

    return apply


def _truncated_header(folder: Path, rng: np.random.Generator) -> None:
    path = de.inner_file(folder, rng)
    path.write_bytes(path.read_bytes()[:300])


def _hidden_files(folder: Path, rng: np.random.Generator) -> None:
    (folder / ".DS_Store").write_bytes(b"\0\0\0\1Bud1" * 50)
    (folder / "._IM00001.dcm").write_bytes(b"\0\5\x16\7" + b"\0" * 200)


def _nested_copy(folder: Path, rng: np.random.Generator) -> None:
    shutil.copytree(folder, folder / "copy" / "again", ignore=shutil.ignore_patterns("copy"))


def _foreign_files(folder: Path, rng: np.random.Generator) -> None:
    for path in de.series_files(de.sibling_series(folder))[:3]:
        shutil.copy2(path, folder / f"X_{path.name}")


def _deep_tree(folder: Path, rng: np.random.Generator) -> None:
    deep = folder.joinpath(*[f"d{k}" for k in range(60)])
    deep.mkdir(parents=True)
    for path in de.series_files(folder):
        path.rename(deep / path.name)


def _odd_names(folder: Path, rng: np.random.Generator) -> None:
    for k, path in enumerate(de.series_files(folder)):
        path.rename(folder / f"slice {k:03d}\n\t'\"$(x)é.dcm")


def _fifo(folder: Path, rng: np.random.Generator) -> None:
    os.mkfifo(folder / "PIPE.dcm")


def _sparse_huge(folder: Path, rng: np.random.Generator) -> None:
    with (folder / "HUGE.dcm").open("wb") as f:
        f.write(b"\0" * 128 + b"DICM")
        f.truncate(16 * 2**30)  # sparse: 16 GiB on paper, nothing on disk


def _empty_folder(folder: Path, rng: np.random.Generator) -> None:
    for path in de.series_files(folder):
        path.unlink()


# fmt: off
add("unreadable_series_subfolder", "folder", "error",
     "all files in a subfolder without read permission", _unreadable_series, unprivileged=True)
add("unreadable_extra_subfolder", "folder", "warn_or_error",
     "an extra unreadable subfolder (holding other files)", _unreadable_extra, unprivileged=True)
add("unreadable_file", "folder", "warn_or_error", "one slice without read permission",
     _unreadable_file, unprivileged=True)
add("dicomdir_valid", "folder", "same", "a valid DICOMDIR listing the folder's files",
     _dicomdir("valid"))
add("dicomdir_parent_refs", "folder", "warn_or_error",
     "a DICOMDIR listing only ../<sibling>/ files (another series)", _dicomdir("parent"))
add("dicomdir_absolute_refs", "folder", "warn_or_error",
     "a DICOMDIR listing the sibling series by absolute paths", _dicomdir("absolute"))
add("dicomdir_mixed_refs", "folder", "warn_or_error",
     "a DICOMDIR listing the folder's files and ../ files of another series", _dicomdir("mixed"))
add("dicomdir_missing_refs", "folder", "warn_or_error",
     "a DICOMDIR listing the folder's files and three that do not exist", _dicomdir("missing"))
add("dicomdir_subset", "folder", "warn_or_error",
     "a DICOMDIR listing only half of the folder's files", _dicomdir("subset"))
add("dicomdir_garbage", "folder", "warn_or_error", "a DICOMDIR of 4096 random bytes",
     _random_bytes("DICOMDIR", 4096))
add("symlink_loop_self", "folder", "warn_or_error", "a symlink 'loop' -> '.' in the folder",
     _symlink("loop", "."))
add("symlink_to_parent", "folder", "warn_or_error",
     "a symlink 'up' -> '..' (reaches the sibling series)", _symlink("up", ".."))
add("symlink_loop_pair", "folder", "warn_or_error", "subfolders a/ and b/ linking each other",
     _symlink_loop_pair)
add("symlink_outside_file", "folder", "warn_or_error",
     "a symlinked .dcm file of the sibling series", _symlink_outside_file)
add("symlink_dev_zero", "folder", "warn_or_error", "ZERO.dcm -> /dev/zero",
     _symlink("ZERO.dcm", "/dev/zero"))
add("fifo_dcm", "folder", "warn_or_error", "a named pipe PIPE.dcm (a read blocks)", _fifo)
add("sparse_16gib_dcm", "folder", "warn_or_error",
     "a sparse 16 GiB HUGE.dcm behind a DICM preamble", _sparse_huge)
add("non_dicom_dcm", "folder", "same", "RANDOM.dcm of 30000 random bytes",
     _random_bytes("RANDOM.dcm", 30000))
add("empty_file", "folder", "same", "a zero-byte EMPTY.dcm", _write("EMPTY.dcm", b""))
add("preamble_only", "folder", "same", "ONLY.dcm: 128 zero bytes and 'DICM', nothing else",
     _write("ONLY.dcm", b"\0" * 128 + b"DICM"))
add("truncated_header", "folder", "warn_or_error", "one slice cut after 300 bytes",
     _truncated_header)
add("hidden_files", "folder", "same", "a .DS_Store and an AppleDouble ._IM00001.dcm",
     _hidden_files)
add("nested_duplicate_series", "folder", "warn_or_error",
     "a full copy of the series in copy/again/", _nested_copy)
add("foreign_files_mixed_in", "folder", "warn_or_error",
     "three files of the sibling series copied in (two series in one folder)", _foreign_files)
add("deep_tree", "folder", "same", "the files 60 subfolders deep", _deep_tree)
add("odd_file_names", "folder", "same", "file names with space, newline, tab, quotes, $( )",
     _odd_names)
add("empty_folder", "folder", "error", "every file deleted", _empty_folder)
# fmt: on
