"""The cohort file of ``strokescope batch``: one case per row of a CSV file.

Columns (a header row is required; names are case-insensitive, unknown names are refused so
a typo is not silently ignored):

``case_id``
    Optional. Names the case's results folder ``OUT/cases/<case_id>/``; letters, digits,
    ``.``, ``_`` and ``-``. Default: the name of the study (or NCCT) folder.
``study``
    A study folder holding the series; roles (baseline NCCT, CTA, follow-up NCCT) are
    picked by :func:`strokescope.pipeline.assign_roles`. Or, instead:
``ncct``, ``cta``, ``followup``
    Series folders (or NIfTI/NRRD/MHA files) given one by one; ``ncct`` is required then.
``ht_roi``, ``ht_click``
    Optional haemorrhage volumetry on the follow-up NCCT: ROI boxes and clicks in the syntax
    of ``strokescope ht --roi/--click``, several separated by ``;``.
``truth_volume_mm3``, ``truth_length_mm``, ``truth_occlusion_class``, ``truth_ht_ml``,
``truth_mask``
    Optional reference values for ``strokescope batch --summarize`` (``truth_mask`` is a
    thrombus mask file on the CTA grid, for the Dice coefficient).

Rows are counted as records with the header as row 1 (blank rows count, are skipped).
Relative paths are taken from the cohort file's folder. Paths are not checked here: a
missing folder is a failed case at run time, not a refused cohort.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from strokescope.errors import InputError

INPUT_COLUMNS = ("study", "ncct", "cta", "followup")
HT_COLUMNS = ("ht_roi", "ht_click")
TRUTH_NUMBERS = ("truth_volume_mm3", "truth_length_mm", "truth_ht_ml")
TRUTH_COLUMNS = (*TRUTH_NUMBERS, "truth_occlusion_class", "truth_mask")
COLUMNS = ("case_id", *INPUT_COLUMNS, *HT_COLUMNS, *TRUTH_COLUMNS)
OCCLUSION_CLASSES = ("LVO", "MeVO", "none")
_CASE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


@dataclass(frozen=True)
class CohortCase:
    """One row of the cohort: where its images are and what is known about it.

    ``inputs`` maps ``study`` or ``ncct``/``cta``/``followup`` to absolute paths;
    ``truth`` maps the ``truth_*`` columns given for this row to their text.
    """

    case_id: str
    row: int
    inputs: Mapping[str, Path]
    ht_rois: tuple[str, ...] = ()
    ht_clicks: tuple[str, ...] = ()
    truth: Mapping[str, str] = field(default_factory=dict)

    @property
    def wants_ht(self) -> bool:
        return bool(self.ht_rois or self.ht_clicks)


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(";") if part.strip())


def _header(path: Path, names: list[str] | None) -> list[str]:
    if not names:
        raise InputError(f"{path}: empty cohort file (a header row naming the columns is needed)")
    header = [n.strip().lower() for n in names]
    unknown = [n for n in header if n not in COLUMNS]
    if unknown:
        raise InputError(
            f"{path} row 1: unknown column(s) {', '.join(repr(n) for n in unknown)}; "
            f"known: {', '.join(COLUMNS)}"
        )
    repeated = sorted({n for n in header if header.count(n) > 1})
    if repeated:
        raise InputError(f"{path} row 1: column(s) given twice: {', '.join(repeated)}")
    if "study" not in header and "ncct" not in header:
        raise InputError(f"{path} row 1: needs a 'study' column or an 'ncct' column")
    return header


def _check_truth(where: str, values: dict[str, str]) -> dict[str, str]:
    truth: dict[str, str] = {}
    for name in TRUTH_COLUMNS:
        text = values.get(name, "")
        if not text:
            continue
        if name in TRUTH_NUMBERS:
            try:
                number = float(text)
            except ValueError:
                raise InputError(f"{where}: {name} {text!r} is not a number") from None
            if not number >= 0:
                raise InputError(f"{where}: {name} must be >= 0, got {text}")
        if name == "truth_occlusion_class" and text not in OCCLUSION_CLASSES:
            raise InputError(
                f"{where}: truth_occlusion_class {text!r} is not one of "
                f"{', '.join(OCCLUSION_CLASSES)}"
            )
        truth[name] = text
    return truth


def _case(path: Path, row: int, values: dict[str, str]) -> CohortCase:
    where = f"{path} row {row}"
    given = {k: values[k] for k in INPUT_COLUMNS if values.get(k)}
    if "study" in given and len(given) > 1:
        others = ", ".join(k for k in given if k != "study")
        raise InputError(f"{where}: give a study folder or {others}, not both")
    if "study" not in given and "ncct" not in given:
        raise InputError(f"{where}: no study folder and no ncct given")
    inputs = {k: (path.parent / v).resolve() for k, v in given.items()}
    case_id = values.get("case_id") or inputs.get("study", inputs.get("ncct", path)).name
    if not _CASE_ID.match(case_id):
        raise InputError(
            f"{where}: case_id {case_id!r} is not a folder name (letters, digits, . _ -; "
            "give a case_id column)"
        )
    truth = _check_truth(where, values)
    if "truth_mask" in truth:
        truth["truth_mask"] = str((path.parent / truth["truth_mask"]).resolve())
    return CohortCase(
        case_id=case_id,
        row=row,
        inputs=inputs,
        ht_rois=_split(values.get("ht_roi", "")),
        ht_clicks=_split(values.get("ht_click", "")),
        truth=truth,
    )


def read_cohort(path: str | Path) -> tuple[CohortCase, ...]:
    """The cases of a cohort CSV file, in file order (see the module docstring).

    Raises
    ------
    InputError
        The file cannot be read, or a row is inconsistent; the one-line message names the
        file and the row (the header is row 1).
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read the cohort file ({exc})") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
    header = _header(path, next(reader, None))
    cases: list[CohortCase] = []
    first_row: dict[str, int] = {}
    for row, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) > len(header):
            raise InputError(f"{path} row {row}: {len(cells)} cells, header has {len(header)}")
        values = {name: cell.strip() for name, cell in zip(header, cells, strict=False)}
        case = _case(path, row, values)
        if case.case_id in first_row:
            raise InputError(
                f"{path} row {row}: case_id {case.case_id!r} already used in row "
                f"{first_row[case.case_id]}"
            )
        first_row[case.case_id] = row
        cases.append(case)
    if not cases:
        raise InputError(f"{path}: no cases (only a header)")
    return tuple(cases)
