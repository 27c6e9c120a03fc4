"""One case of a batch, start to end, through :mod:`strokescope.pipeline` only.

:func:`run_case` hashes the inputs, scans and loads the series, runs the thrombus analysis
(and the HT volumetry when the cohort gives ROIs or clicks), exports the results into
``OUT/cases/<case_id>/thrombus/results-001`` (``.../ht/results-001``) and writes the case
record. It never raises for a problem of the case: the failure becomes a ``failed`` record
with a one-line error, so one broken study does not stop the others.

The same function runs in-process or on a Dask worker. Each worker process keeps its ONNX
sessions between cases: :func:`strokescope.pipeline.analyze_thrombus` loads the models
through a per-process cache keyed by folder, device, threads and file stamps.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from strokescope import pipeline
from strokescope.batch.cohort import CohortCase
from strokescope.batch.fingerprint import case_inputs, content_hash, stat_signature
from strokescope.batch.ledger import options_key
from strokescope.batch.record import CaseRecord, write_record
from strokescope.errors import InputError, StrokeScopeError

if TYPE_CHECKING:
    from strokescope.hemorrhage.result import HemorrhageResult
    from strokescope.outcome.prediction import OutcomePrediction
    from strokescope.thrombus.result import ThrombusResult
    from strokescope.volume import Volume

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BatchSettings:
    """How every case of a batch is analysed (the same on every worker).

    ``models`` is the model folder (``None``: the installed one), ``device`` and
    ``threads`` go to :func:`strokescope.pipeline.analyze_thrombus`; ``model_version`` and
    ``model_key`` are what :func:`strokescope.pipeline.thrombus_model_version` gave (with
    the outcome model's digest when one runs). ``outcome_model`` is an installed outcome
    model folder run on every analysed case (``None``: none), ``outcome_line`` its card;
    ``arteries`` traces the labelled arterial tree on every case with a CTA
    (:func:`strokescope.pipeline.analyze_arteries`).
    """

    model_version: str
    model_key: str
    models: str | None = None
    device: str = "cpu"
    threads: int = 1
    outcome_model: str | None = None
    outcome_line: str = ""
    arteries: bool = False


@dataclass(frozen=True)
class _Images:
    ncct: Volume
    cta: Volume | None
    followup: Volume | None


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, StrokeScopeError):
        return str(exc)
    text = " ".join(str(exc).split()) or "no message"
    return f"{type(exc).__name__}: {text}"


def _images(case: CohortCase, need_followup: bool) -> _Images:
    """Load the case's series: by role from a study folder, or the folders given."""
    if "study" in case.inputs:
        # The thrombus analysis checks the roles itself (on its coarse grid).
        study = pipeline.open_study(
            case.inputs["study"],
            roles=("baseline", "cta", "followup") if need_followup else ("baseline", "cta"),
            check_vessels=False,
        )
        found = study.volumes.get("baseline")
        if found is None:
            raise InputError(f"{case.inputs['study']}: no NCCT series found")
        ncct, cta, followup = found, study.volumes.get("cta"), study.volumes.get("followup")
    else:
        ncct = pipeline.load(case.inputs["ncct"])
        cta = pipeline.load(case.inputs["cta"]) if "cta" in case.inputs else None
        fu_path = case.inputs.get("followup")
        followup = pipeline.load(fu_path) if fu_path is not None and need_followup else None
    return _Images(ncct, cta, followup)


def _hemorrhage(case: CohortCase, followup: Volume | None) -> tuple[HemorrhageResult, Volume]:
    """HT volumetry in the case's ROIs and clicks, with the follow-up NCCT it measured."""
    if followup is None:
        raise InputError(f"{case.case_id}: HT ROIs given but no follow-up NCCT found")
    result = pipeline.measure_hemorrhage_text(followup, rois=case.ht_rois, clicks=case.ht_clicks)
    return result, followup


def _dice(case: CohortCase, result: ThrombusResult) -> float | None:
    """Dice of the thrombus mask against the case's ``truth_mask`` (same grid), if given."""
    from strokescope.evaluation import dice

    path = case.truth.get("truth_mask")
    if not path or not result.assessed:
        return None
    truth = pipeline.load(path)
    if not truth.geometry.same_grid(result.mask.geometry):
        raise InputError(
            f"{path}: truth mask grid {truth.shape} is not the CTA grid "
            f"{result.mask.geometry.shape} (same voxels in space required)"
        )
    return dice(result.mask, truth.array > 0.5)


def _outcome(
    thrombus: ThrombusResult, images: _Images, settings: BatchSettings
) -> OutcomePrediction | None:
    """The outcome model's prediction for the case, if the batch runs one (a model that
    fails on the case gives the reason: :func:`strokescope.pipeline.outcome_or_reason`)."""
    if settings.outcome_model is None:
        return None
    return pipeline.outcome_or_reason(
        thrombus,
        model=settings.outcome_model,
        line=settings.outcome_line,
        ncct=images.ncct,
        cta=images.cta,
    )


def _analyse(
    case: CohortCase, out_dir: Path, settings: BatchSettings
) -> tuple[dict[str, Any], float | None, dict[str, str]]:
    """Thrombus (and HT) results as dicts, the Dice and the results folders."""
    images = _images(case, case.wants_ht)
    thrombus = pipeline.analyze_thrombus(
        images.ncct,
        images.cta,
        models=settings.models,
        device=settings.device,
        threads=settings.threads,
    )
    if settings.arteries and images.cta is not None:
        thrombus = pipeline.analyze_arteries(images.ncct, images.cta, thrombus)
    folder = out_dir / "cases" / case.case_id
    source = images.cta if images.cta is not None else images.ncct
    prediction = _outcome(thrombus, images, settings)
    manifest = pipeline.export_results(
        folder / "thrombus",
        source=source,
        thrombus=thrombus,
        outcome=prediction,
        ncct=images.ncct,
        overwrite=True,
    )
    results = {"thrombus": manifest.folder.relative_to(out_dir).as_posix()}
    out: dict[str, Any] = {"thrombus": thrombus.to_dict()}
    if prediction is not None:
        out["outcome"] = prediction.to_dict()
    if case.wants_ht:
        ht, followup = _hemorrhage(case, images.followup)
        manifest = pipeline.export_results(
            folder / "ht", source=followup, hemorrhage=ht, overwrite=True
        )
        results["ht"] = manifest.folder.relative_to(out_dir).as_posix()
        out["hemorrhage"] = ht.to_dict()
    return out, _dice(case, thrombus), results


def run_case(case: CohortCase, *, out_dir: Path, settings: BatchSettings) -> CaseRecord:
    """Run one case and write its record (see the module docstring); never raises for a
    problem of the case, only for :class:`~strokescope.errors.Cancelled` and interrupts."""
    start = time.perf_counter()
    paths = case_inputs(case.inputs, case.truth)
    base: dict[str, Any] = {
        "case_id": case.case_id,
        "inputs": {k: str(v) for k, v in paths.items()},
        "options_key": options_key(case),
        "model_version": settings.model_version,
        "model_key": settings.model_key,
        "worker": _worker_name(),
        "truth": dict(case.truth),
    }
    try:
        stat = stat_signature(paths)
        digest = content_hash(paths)
        found, dice, results = _analyse(case, out_dir, settings)
        record = CaseRecord(
            status="done",
            input_hash=digest,
            input_stat=stat,
            thrombus=found["thrombus"],
            hemorrhage=found.get("hemorrhage"),
            outcome=found.get("outcome"),
            dice=dice,
            results=results,
            seconds=round(time.perf_counter() - start, 3),
            finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
            **base,
        )
    except Exception as exc:  # a case's failure is recorded; the batch goes on
        log.debug("case %s failed", case.case_id, exc_info=True)
        record = CaseRecord(
            status="failed",
            error=_one_line(exc),
            seconds=round(time.perf_counter() - start, 3),
            finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
            **base,
        )
    write_record(out_dir, record)
    return record
