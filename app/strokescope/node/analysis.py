"""Analyse one complete study of the store, through :mod:`strokescope.pipeline` only.

The study folder is scanned and its series get their roles by the header rules of
:mod:`strokescope.series_roles` (:func:`strokescope.pipeline.assign_roles`). With a
baseline NCCT and a CTA the thrombus analysis runs and its results are exported into
``STORAGE/results/<study>/thrombus/results-NNN``; the DICOM files among them (SEG, SR,
Encapsulated PDF) are what the node sends back. A negative study, or a result "not
assessed" (e.g. a CTA without opacified arteries), is a result like any other and is
sent the same way. Without an NCCT or a CTA the study is "not analysed" with the reason.
With ``[analysis] outcome_model`` the outcome model's probability (or why there is none)
goes into every export; a model that fails on a study gives the reason and never blocks
the thrombus results (:func:`strokescope.pipeline.outcome_or_reason`).

HT volumetry needs a click on the bleed, so it runs only on request
(:mod:`strokescope.node.ht_request`): :func:`measure_ht` measures one request on the
study's follow-up NCCT and exports into ``STORAGE/results/<study>/ht-NNN/results-001``
(NNN: the request number), whose SEG, SR and Encapsulated PDF are sent the same way.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path

from strokescope import pipeline
from strokescope.errors import Cancelled, StrokeScopeError
from strokescope.node.config import NodeConfig
from strokescope.node.ht_queue import HtRequest
from strokescope.node.ht_request import load_followup
from strokescope.pipeline import Progress

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    """What became of a study: its new state, a one-line detail, the results folder
    (relative to the storage folder) and the DICOM files to send as (SOP Instance UID,
    path relative to the storage folder)."""

    state: str
    detail: str
    results: str = ""
    files: tuple[tuple[str, str], ...] = ()
    error: BaseException | None = None


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, StrokeScopeError):
        return str(exc)
    text = " ".join(str(exc).split()) or "no message"
    return f"{type(exc).__name__}: {text}"


def _sop_uid(path: Path) -> str:
    """(0008,0018) SOP Instance UID of a DICOM file."""
    import pydicom

    ds = pydicom.dcmread(path, stop_before_pixels=True, specific_tags=["SOPInstanceUID"])
    return str(ds.SOPInstanceUID)


def analyse_study(
    config: NodeConfig, folder: str, study_id: int, *, on_progress: Progress | None = None
) -> Outcome:
    """Analyse the stored study in ``STORAGE/folder`` (see the module docstring). Never
    raises for a problem of the study: the error becomes a ``failed`` outcome; only
    :class:`~strokescope.errors.Cancelled` from ``on_progress`` propagates."""
    start = time.perf_counter()
    root = config.storage / folder
    try:
        roles = pipeline.assign_roles(pipeline.scan(root))
        if roles.baseline is None or roles.cta is None:
            missing = "no baseline NCCT" if roles.baseline is None else "no CTA"
            return Outcome("not analysed", f"not analysed: {missing} series in the study")
        ncct = pipeline.load(roles.baseline)
        cta = pipeline.load(roles.cta)
        result = pipeline.analyze_thrombus(
            ncct,
            cta,
            models=config.models,
            device=config.device,
            threads=config.threads,
            on_progress=on_progress,
        )
        out = config.storage / "results" / Path(folder).name / "thrombus"
        prediction = None
        if config.outcome_model is not None:  # checked when the node started
            prediction = pipeline.outcome_or_reason(
                result,
                model=config.outcome_model,
                line=f"outcome model {config.outcome_model}",
                ncct=ncct,
                cta=cta,
            )
        manifest = pipeline.export_results(
            out, source=cta, thrombus=result, outcome=prediction, ncct=ncct, overwrite=True
        )
    except Cancelled:
        raise
    except Exception as exc:  # recorded with the study; the node goes on
        log.debug("analysis of study %d failed", study_id, exc_info=True)
        return Outcome("failed", f"analysis failed: {_one_line(exc)}", error=exc)
    files = _sent_files(config, manifest.seg, manifest.sr, manifest.pdf_dicom)
    detail = result.impression()  # no patient identifier: side, segment, size
    log.info(
        "study %d: %s in %.1f s; %d DICOM result files",
        study_id,
        detail,
        time.perf_counter() - start,
        len(files),
    )
    return Outcome(
        "analysed", detail, manifest.folder.relative_to(config.storage).as_posix(), files
    )


def _sent_files(config: NodeConfig, *paths: Path | None) -> tuple[tuple[str, str], ...]:
    """(SOP Instance UID, path relative to the storage folder) of the DICOM results."""
    return tuple(
        (_sop_uid(p), p.relative_to(config.storage).as_posix()) for p in paths if p is not None
    )


def measure_ht(
    config: NodeConfig, request: HtRequest, *, on_progress: Progress | None = None
) -> Outcome:
    """Measure one HT request (see the module docstring): a ``done`` outcome with the
    impression, or ``failed`` with the one-line error. Never raises for a problem of the
    request; only :class:`~strokescope.errors.Cancelled` from ``on_progress`` propagates."""
    start = time.perf_counter()
    name = f"study {request.study_id}"
    try:
        followup, _ = load_followup(config.storage / request.folder, request.series_key, name=name)
        result = pipeline.measure_hemorrhage_text(
            followup, rois=request.rois, clicks=request.clicks, on_progress=on_progress
        )
        out = config.storage / "results" / Path(request.folder).name / f"ht-{request.id:03d}"
        manifest = pipeline.export_results(out, source=followup, hemorrhage=result, overwrite=True)
    except Cancelled:
        raise
    except Exception as exc:  # recorded with the request; the node goes on
        log.debug("HT request %d failed", request.id, exc_info=True)
        return Outcome("failed", f"HT failed: {_one_line(exc)}", error=exc)
    files = _sent_files(config, manifest.seg, manifest.sr, manifest.pdf_dicom)
    detail = result.impression()  # no patient identifier: the volume
    log.info(
        "HT request %d (%s): %s in %.1f s; %d DICOM result files",
        request.id,
        name,
        detail,
        time.perf_counter() - start,
        len(files),
    )
    results = manifest.folder.relative_to(config.storage).as_posix()
    return Outcome("done", detail, results, files)
