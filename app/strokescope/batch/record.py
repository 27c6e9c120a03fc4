"""The record of one finished (or failed) case: ``OUT/cases/<case_id>/case.json``.

The set of these files is the batch's ledger (:mod:`strokescope.batch.ledger`) and the
only source of the summary tables and the cohort statistics. Results are stored as the
JSON of :meth:`ThrombusResult.to_dict` and :meth:`HemorrhageResult.to_dict`, so a record
holds every measurement and warning of its case.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Literal

from strokescope.atomic import atomic_write_text

log = logging.getLogger(__name__)

RECORD_NAME = "case.json"
FORMAT_VERSION = 1
Status = Literal["done", "failed"]


@dataclass(frozen=True)
class CaseRecord:
    """What running one case gave.

    ``input_hash`` and ``input_stat`` are :func:`~strokescope.batch.fingerprint.content_hash`
    and :func:`~strokescope.batch.fingerprint.stat_signature` of the inputs (empty when
    they could not be computed); ``options_key`` digests the case's options (HT ROIs,
    clicks, reference values); ``model_key`` is the model checksum digest. ``results``
    maps ``"thrombus"``/``"ht"`` to the results folder, relative to the batch folder.
    """

    case_id: str
    status: Status
    error: str | None = None
    inputs: dict[str, str] = field(default_factory=dict)
    input_hash: str = ""
    input_stat: str = ""
    options_key: str = ""
    model_version: str = ""
    model_key: str = ""
    seconds: float = 0.0
    finished_at: str = ""
    worker: str = ""
    thrombus: dict[str, Any] | None = None
    hemorrhage: dict[str, Any] | None = None
    outcome: dict[str, Any] | None = None
    """The outcome model's prediction (``OutcomePrediction.to_dict``) when the batch ran one."""
    dice: float | None = None
    truth: dict[str, str] = field(default_factory=dict)
    results: dict[str, str] = field(default_factory=dict)
    format_version: int = FORMAT_VERSION

    @property
    def done(self) -> bool:
        return self.status == "done"

    def with_stat(self, input_stat: str) -> CaseRecord:
        return replace(self, input_stat=input_stat)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=2, allow_nan=True) + "\n"

    @classmethod
    def from_json(cls, text: str) -> CaseRecord:
        """Parse a record; raises ``ValueError`` (or ``TypeError``) when it is not one."""
        data = json.loads(text)
        if not isinstance(data, dict) or data.get("format_version") != FORMAT_VERSION:
            raise ValueError("not a case record of this format version")
        known = {f.name for f in fields(cls)}
        record = cls(**{k: v for k, v in data.items() if k in known})
        if record.status not in ("done", "failed") or not record.case_id:
            raise ValueError("record lacks a case id or a valid status")
        return record


def record_path(out_dir: Path, case_id: str) -> Path:
    return out_dir / "cases" / case_id / RECORD_NAME


def write_record(out_dir: Path, record: CaseRecord) -> Path:
    """Write ``record`` atomically to ``OUT/cases/<case_id>/case.json``."""
    path = record_path(out_dir, record.case_id)
    atomic_write_text(path, record.to_json())
    return path


def read_record(out_dir: Path, case_id: str) -> CaseRecord | None:
    """The stored record of ``case_id``; ``None`` when absent or unreadable (logged)."""
    path = record_path(out_dir, case_id)
    try:
        return CaseRecord.from_json(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError) as exc:
        log.warning("%s: ignoring an unreadable case record (%s)", path, exc)
        return None


def read_records(out_dir: Path) -> list[CaseRecord]:
    """Every readable record under ``OUT/cases/``, sorted by case id."""
    cases = out_dir / "cases"
    if not cases.is_dir():
        return []
    found = (read_record(out_dir, p.name) for p in sorted(cases.iterdir()) if p.is_dir())
    return [r for r in found if r is not None]
