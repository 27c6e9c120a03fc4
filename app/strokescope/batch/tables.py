"""The batch's tables, rebuilt from the case records: ``summary.csv`` and ``thrombi.csv``.

``summary.csv`` has one row per case, failed and negative cases included: status and
error, the thrombus impression and occlusion class, the number of thrombi, the total volume
and every measurement of the headline (largest) thrombus as ``thrombus_<field>``, the HT
volume when measured, the outcome model's probability (or why there is none) and version
when the batch ran one, the warnings, the model version, the seconds, the reference values
and the Dice coefficient. ``thrombi.csv`` has one row per thrombus of every case, with
every field of :class:`~strokescope.thrombus.result.Thrombus`. Both are written atomically.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

from strokescope import PHANTOM_TRAINED, RESEARCH_ONLY
from strokescope.atomic import atomic_write_text
from strokescope.batch.cohort import TRUTH_COLUMNS
from strokescope.batch.record import CaseRecord
from strokescope.thrombus.result import Thrombus

NOTICE = f"{RESEARCH_ONLY} {PHANTOM_TRAINED}"
"""On every row: a table copied out of the batch folder keeps saying what it is."""
SUMMARY_NAME = "summary.csv"
THROMBI_NAME = "thrombi.csv"
THROMBUS_FIELDS = tuple(f.name for f in fields(Thrombus) if f.name != "axial_profile")
"""Per-thrombus columns: every scalar field (the axial profile, a series, stays in each
case's results.json)."""
HT_FIELDS = ("volume_ml", "global_50_80_volume_ml")
CASE_FIELDS = (
    "case_id",
    "status",
    "error",
    "impression",
    "occlusion_class",
    "assessed",
    "occlusion",
    "lvo",
    "not_assessed_reason",
    "n_thrombi",
    "total_volume_mm3",
)
TAIL_FIELDS = (
    "registration_metric",
    "warnings",
    "dice",
    *TRUTH_COLUMNS,
    "model_version",
    "seconds",
    "worker",
    "results_thrombus",
    "results_ht",
    "input_hash",
    "research_use",
)
SUMMARY_COLUMNS = (
    *CASE_FIELDS,
    *(f"thrombus_{name}" for name in THROMBUS_FIELDS),
    *(f"ht_{name}" for name in HT_FIELDS),
    "ht_impression",
    "outcome_probability",
    "outcome_reason",
    "outcome_model_version",
    "clot_burden_score",
    *TAIL_FIELDS,
)
THROMBI_COLUMNS = ("case_id", *THROMBUS_FIELDS)


def _cell(value: Any) -> str:
    """CSV text of a value: numbers as written, sequences space-separated, None empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return " ".join(_cell(v) for v in value)
    return str(value)


def headline(thrombus: dict[str, Any] | None) -> dict[str, Any] | None:
    """The largest thrombus of a stored thrombus result (``None`` without one)."""
    found = (thrombus or {}).get("thrombi") or []
    return max(found, key=lambda t: t.get("volume_mm3", 0.0), default=None)


def summary_row(record: CaseRecord) -> dict[str, Any]:
    """The ``summary.csv`` row of one record, as values (see :data:`SUMMARY_COLUMNS`)."""
    th = record.thrombus or {}
    ht = record.hemorrhage or {}
    row: dict[str, Any] = {
        "case_id": record.case_id,
        "status": record.status,
        "error": record.error,
        "n_thrombi": len(th["thrombi"]) if "thrombi" in th else None,
    }
    for name in CASE_FIELDS[3:]:
        if name in th:
            row[name] = th[name]
    top = headline(th) or {}
    row.update({f"thrombus_{name}": top.get(name) for name in THROMBUS_FIELDS})
    row.update({f"ht_{name}": ht.get(name) for name in HT_FIELDS})
    row["ht_impression"] = ht.get("impression")
    outcome = record.outcome or {}
    row["outcome_probability"] = outcome.get("probability")
    row["outcome_reason"] = outcome.get("reason")
    row["outcome_model_version"] = outcome.get("model_version")
    row["clot_burden_score"] = ((th.get("arteries") or {}).get("clot_burden_score") or {}).get(
        "score"
    )
    warnings = [*th.get("warnings", ()), *(f"HT: {w}" for w in ht.get("warnings", ()))]
    row.update(
        {
            "registration_metric": th.get("registration_metric"),
            "warnings": " | ".join(warnings),
            "dice": record.dice,
            **{name: record.truth.get(name) for name in TRUTH_COLUMNS},
            "model_version": record.model_version,
            "seconds": record.seconds,
            "worker": record.worker,
            "results_thrombus": record.results.get("thrombus"),
            "results_ht": record.results.get("ht"),
            "input_hash": record.input_hash,
            "research_use": NOTICE,
        }
    )
    return row


def _csv(columns: Sequence[str], rows: Iterable[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(c)) for c in columns])
    return buffer.getvalue()


def summary_csv(records: Sequence[CaseRecord]) -> str:
    return _csv(SUMMARY_COLUMNS, (summary_row(r) for r in records))


def thrombi_csv(records: Sequence[CaseRecord]) -> str:
    rows = (
        {"case_id": r.case_id, **t}
        for r in records
        for t in sorted((r.thrombus or {}).get("thrombi") or [], key=lambda t: t["label"])
    )
    return _csv(THROMBI_COLUMNS, rows)


def write_tables(out_dir: Path, records: Sequence[CaseRecord]) -> tuple[Path, Path]:
    """Write ``summary.csv`` and ``thrombi.csv`` for ``records`` (in the given order)."""
    summary, thrombi = out_dir / SUMMARY_NAME, out_dir / THROMBI_NAME
    atomic_write_text(summary, summary_csv(records))
    atomic_write_text(thrombi, thrombi_csv(records))
    return summary, thrombi
