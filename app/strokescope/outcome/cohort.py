"""The cohort file of ``strokescope outcome train`` and ``evaluate``, and its feature table.

COHORT.csv has a header row and one row per patient:

- ``id`` (optional): the patient's name in the outputs (default: the row's line number);
- the images (optional): ``study`` (a folder holding the NCCT and the CTA) or ``ncct`` and
  ``cta`` (folders or NIfTI/NRRD/MHA files); relative paths are read from the CSV's folder;
- the outcome: ``outcome`` as 0/1 (1 = successful recanalization) or as an mTICI grade
  written with its name ("mTICI 2b"), or ``mtici`` as a bare grade (0, 1, 2a, 2b, 2c, 3);
  mTICI >= 2c counts as success (the definition of [Zhang2022]);
- any other column is a precomputed feature (a number; empty or "NA" = absent). A value
  given here replaces the one computed from the images, so a core lab can add a feature
  the software does not measure yet (e.g. ``collateral_grade``) or test the statistics
  without images.

Every error names the file and the CSV line: ``cohort.csv line 7: outcome 'yes' is not 0/1
or an mTICI grade``.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from strokescope.errors import InputError
from strokescope.outcome.features import NUMERIC_FEATURES, Feature

IMAGE_COLUMNS = ("study", "ncct", "cta")
KNOWN_COLUMNS = ("id", *IMAGE_COLUMNS, "outcome", "mtici")
MTICI_GRADES = ("0", "1", "2a", "2b", "2c", "3")
SUCCESS_GRADES = ("2c", "3")
EMPTY = ("", "na", "nan", "absent")
EMPTY_REASON = "empty in the cohort file"
MIN_PRESENT = 0.5
"""A feature is used by default when present in at least this fraction of the rows."""


@dataclass(frozen=True)
class CohortRow:
    """One patient: where its images are (if anywhere), its outcome (1 = success) and
    the feature columns of its row."""

    id: str
    line: int
    study: Path | None
    ncct: Path | None
    cta: Path | None
    outcome: int
    columns: dict[str, Feature]

    @property
    def has_images(self) -> bool:
        return self.study is not None or self.ncct is not None

    def where(self, source: Path) -> str:
        return f"{source} line {self.line} ({self.id})"


def parse_outcome(text: str, *, bare_grade: bool) -> int:
    """1 for success, 0 for failure: 0/1, or an mTICI grade (>= 2c is success). A bare
    grade ("2b") is read only from the ``mtici`` column (``bare_grade``)."""
    value = text.strip().lower()
    if not bare_grade and value in ("0", "1"):
        return int(value)
    match = re.fullmatch(r"(?:m?tici\s*)?(0|1|2a|2b|2c|3)", value)
    if match is None or (not bare_grade and not value.startswith(("tici", "mtici"))):
        kind = "an mTICI grade (0, 1, 2a, 2b, 2c, 3)" if bare_grade else "0/1 or 'mTICI <grade>'"
        raise ValueError(f"{text.strip()!r} is not {kind}")
    return int(match.group(1) in SUCCESS_GRADES)


def _feature(text: str) -> Feature:
    if text.strip().lower() in EMPTY:
        return Feature.absent(EMPTY_REASON)
    try:
        return Feature(float(text))
    except ValueError:
        raise ValueError(f"{text.strip()!r} is not a number") from None


def _path(text: str | None, base: Path) -> Path | None:
    if text is None or not text.strip():
        return None
    path = Path(text.strip()).expanduser()
    return path if path.is_absolute() else base / path


def _row(record: dict[str, str], line: int, base: Path, outcome_column: str) -> CohortRow:
    row_id = (record.get("id") or "").strip() or f"row{line}"
    try:
        outcome = parse_outcome(
            record.get(outcome_column) or "", bare_grade=outcome_column == "mtici"
        )
    except ValueError as exc:
        raise ValueError(f"{outcome_column} {exc}") from None
    columns = {}
    for name, text in record.items():
        if name not in KNOWN_COLUMNS:
            try:
                columns[name] = _feature(text or "")
            except ValueError as exc:
                raise ValueError(f"column {name}: {exc}") from None
    study, ncct, cta = (_path(record.get(c), base) for c in IMAGE_COLUMNS)
    if study is not None and (ncct is not None or cta is not None):
        raise ValueError("give a study folder or ncct/cta, not both")
    if ncct is None and cta is not None:
        raise ValueError("a cta without its ncct")
    if study is None and ncct is None and not columns:
        raise ValueError("no images (study or ncct/cta) and no feature columns")
    return CohortRow(row_id, line, study, ncct, cta, outcome, columns)


def read_cohort(path: str | Path) -> tuple[CohortRow, ...]:
    """The rows of a cohort file (see the module docstring); ``InputError`` naming the file
    and line for anything it cannot read."""
    source = Path(path)
    try:
        text = source.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{source}: cannot read the cohort file ({exc})") from None
    reader = csv.DictReader(text.splitlines())
    header = [h.strip() for h in reader.fieldnames or ()]
    reader.fieldnames = header
    has = [c for c in ("outcome", "mtici") if c in header]
    if len(has) != 1:
        raise InputError(f"{source}: the header needs one outcome column, 'outcome' or 'mtici'")
    if len(set(header)) != len(header) or "" in header:
        raise InputError(f"{source}: the header has an empty or repeated column name")
    rows, ids = [], set()
    for record in reader:
        line = reader.line_num
        if None in record:
            raise InputError(f"{source} line {line}: more cells than header columns")
        try:
            row = _row(record, line, source.parent, has[0])
        except ValueError as exc:
            raise InputError(f"{source} line {line}: {exc}") from None
        if row.id in ids:
            raise InputError(f"{source} line {line}: id {row.id!r} repeats an earlier row")
        ids.add(row.id)
        rows.append(row)
    if not rows:
        raise InputError(f"{source}: no patient rows below the header")
    return tuple(rows)


@dataclass(frozen=True)
class FeatureTable:
    """The rows a model can use: ``x`` (n, k) in ``names`` order, outcomes ``y``, their
    ``ids``, and each left-out row with the reason."""

    names: tuple[str, ...]
    x: npt.NDArray[np.float64]
    y: npt.NDArray[np.int64]
    ids: tuple[str, ...]
    excluded: tuple[str, ...]


def default_names(features: Sequence[dict[str, Feature]]) -> tuple[str, ...]:
    """Numeric features present in at least :data:`MIN_PRESENT` of the rows: the image
    features first (:data:`NUMERIC_FEATURES` order), then the cohort file's columns."""
    seen = [n for n in NUMERIC_FEATURES if any(n in f for f in features)]
    seen += sorted({n for f in features for n in f} - set(NUMERIC_FEATURES))
    count = len(features)
    return tuple(
        n
        for n in seen
        if sum(n in f and f[n].number() is not None for f in features) >= MIN_PRESENT * count
    )


def feature_table(
    rows: Sequence[CohortRow],
    features: Sequence[dict[str, Feature]],
    names: Sequence[str] | None = None,
) -> FeatureTable:
    """Complete cases for ``names`` (default :func:`default_names`); ``InputError`` when no
    feature or no row is left."""
    chosen = tuple(names) if names is not None else default_names(features)
    if not chosen:
        raise InputError("no feature is present in at least half of the cohort's rows")
    keep, excluded = [], []
    for row, found in zip(rows, features, strict=True):
        missing = [
            f"{n} ({found[n].reason if n in found and found[n].reason else 'not measured'})"
            for n in chosen
            if n not in found or found[n].number() is None
        ]
        if missing:
            excluded.append(f"{row.id}: absent {', '.join(missing)}")
        else:
            keep.append((row, [float(found[n].number() or 0.0) for n in chosen]))
    if not keep:
        raise InputError(f"no row of the cohort has all of {', '.join(chosen)}")
    return FeatureTable(
        names=chosen,
        x=np.array([v for _, v in keep], dtype=float),
        y=np.array([r.outcome for r, _ in keep], dtype=np.int64),
        ids=tuple(r.id for r, _ in keep),
        excluded=tuple(excluded),
    )
