"""The pieces every fuzz mutation is made of: :class:`Mutation`, the ``MUTATIONS`` registry
and the edits (one file, each file, set a text value, drop elements, flip a VR, ...).

The mutations themselves are registered, group by group, by the ``mutations_*`` modules;
:mod:`tests.fuzz.mutations` imports them all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from pydicom.dataset import Dataset
from tests.fuzz import dicom_edit as de

Expect = Literal["same", "warn_or_error", "error"]
Apply = Callable[[Path, np.random.Generator], None]
Edit = Callable[[Path], None]
GROUPS = ("header", "charset", "pixel", "geometry", "folder")


@dataclass(frozen=True)
class Mutation:
    """One fuzz case: ``apply(series_folder, rng)`` and what a correct outcome is."""

    name: str
    group: str
    expect: Expect
    doc: str
    apply: Apply
    unprivileged: bool = False
    """Run the commands as an unprivileged user (permission mutations mean nothing to root)."""


MUTATIONS: dict[str, Mutation] = {}


def add(name: str, group: str, expect: Expect, doc: str, apply: Apply, **kw: bool) -> None:
    assert group in GROUPS and name not in MUTATIONS, name
    MUTATIONS[name] = Mutation(name, group, expect, doc, apply, **kw)


def one(*edits: Edit) -> Apply:
    """Apply ``edits`` to one inner file chosen by the generator."""

    def apply(folder: Path, rng: np.random.Generator) -> None:
        path = de.inner_file(folder, rng)
        for fn in edits:
            fn(path)

    return apply


def each(*edits: Edit) -> Apply:
    def apply(folder: Path, rng: np.random.Generator) -> None:
        for path in de.series_files(folder):
            for fn in edits:
                fn(path)

    return apply


def last(fn: Edit) -> Apply:
    return lambda folder, rng: fn(de.series_files(folder)[-1])


def first(fn: Edit) -> Apply:
    return lambda folder, rng: fn(de.series_files(folder)[0])


def text(keyword: str, *values: str) -> Edit:
    return lambda path: de.set_text(path, keyword, *values)


def raw(keyword: str, value: bytes | str) -> Edit:
    return lambda path: de.set_raw(path, keyword, value)


def us(keyword: str, value: int) -> Edit:
    return lambda path: de.set_us(path, keyword, value)


def drop(*keywords: str) -> Edit:
    return lambda path: de.delete(path, *keywords)


def flip(keyword: str) -> Edit:
    return lambda path: de.flip_vr(path, keyword)


def set_sop_uid(path: Path, uid: str) -> None:
    def change(ds: Dataset) -> None:
        ds.SOPInstanceUID = uid
        ds.file_meta.MediaStorageSOPInstanceUID = uid

    de.edit(path, change)
