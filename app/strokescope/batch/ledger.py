"""Which cases of a cohort are finished: the resumable ledger of ``strokescope batch``.

The ledger is the set of ``OUT/cases/<case_id>/case.json`` records, each written
atomically when its case ends (:mod:`strokescope.batch.record`). A case is **finished**,
and skipped on a rerun, when its record

* says ``done`` (a failed case is tried again: its input may have been repaired),
* has the same model checksum digest (:func:`strokescope.pipeline.thrombus_model_version`),
* has the same options (HT ROIs and clicks), and
* has the same input content hash (:mod:`strokescope.batch.fingerprint`; the stat
  signature stands in for it while no file's size or mtime changed).

A run that was interrupted left no record for the cases it was running, so they run again;
the export's staging folders make their half-written results disappear. Reference values
(``truth_*``) do not make a case run again: a skipped case's record takes the cohort's
current values.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

from strokescope.batch.cohort import CohortCase
from strokescope.batch.fingerprint import case_inputs, content_hash, stat_signature
from strokescope.batch.record import CaseRecord, read_record, write_record
from strokescope.errors import InputError


def options_key(case: CohortCase) -> str:
    """A digest of the options that change a case's results (HT ROIs and clicks)."""
    text = json.dumps({"ht_roi": list(case.ht_rois), "ht_click": list(case.ht_clicks)})
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _same_input(out_dir: Path, case: CohortCase, record: CaseRecord) -> CaseRecord | None:
    """``record`` (its stat signature refreshed if needed) when the inputs are unchanged."""
    paths = case_inputs(case.inputs, case.truth)
    try:
        stat = stat_signature(paths)
        if stat == record.input_stat:
            return record
        if content_hash(paths) != record.input_hash:
            return None
    except InputError:
        return None
    return record.with_stat(stat)


def finished_record(out_dir: Path, case: CohortCase, model_key: str) -> CaseRecord | None:
    """The record of ``case`` if it is finished with these inputs, options and models
    (see the module docstring); ``None`` when the case has to run.

    A record whose stat signature or reference values are out of date is rewritten.
    """
    stored = read_record(out_dir, case.case_id)
    if (
        stored is None
        or not stored.done
        or stored.model_key != model_key
        or stored.options_key != options_key(case)
    ):
        return None
    record = _same_input(out_dir, case, stored)
    if record is None:
        return None
    truth = dict(case.truth)
    if record.truth != truth:
        record = replace(record, truth=truth)
    if record != stored:
        write_record(out_dir, record)
    return record


def split_cohort(
    out_dir: Path, cases: tuple[CohortCase, ...], model_key: str
) -> tuple[list[CaseRecord], list[CohortCase]]:
    """The records of the finished cases and the cases still to run, in cohort order."""
    done: list[CaseRecord] = []
    pending: list[CohortCase] = []
    for case in cases:
        record = finished_record(out_dir, case, model_key)
        if record is None:
            pending.append(case)
        else:
            done.append(record)
    return done, pending
