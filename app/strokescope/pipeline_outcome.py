"""The pipeline's outcome-model functions, re-exported by
:mod:`strokescope.pipeline`.

Callers use them as ``strokescope.pipeline.<name>``: this module only keeps the pipeline
module small. Same rules: keyword-only options, an optional ``on_progress(fraction)``
callback, heavy imports inside the functions. Features of a study come from the thrombus
analysis run through this pipeline (:func:`analyze_thrombus` on the study's NCCT and CTA).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from strokescope.outcome import OutcomeFeatures
    from strokescope.outcome.cohort import CohortRow
    from strokescope.outcome.cohort_runs import EvaluationRun, ExtractorInfo, TrainingRun
    from strokescope.outcome.installed import OutcomeModel
    from strokescope.outcome.network_cohort import StackCohort
    from strokescope.outcome.prediction import OutcomePrediction
    from strokescope.pipeline import Progress
    from strokescope.thrombus import ThrombusResult
    from strokescope.volume import Volume


def outcome_features(result: ThrombusResult) -> OutcomeFeatures:
    """The recanalization-related features of one study from its thrombus result, each
    present or absent with the reason (:mod:`strokescope.outcome.features`)."""
    from strokescope.outcome.features import features_from_thrombus

    return features_from_thrombus(result)


def outcome_model_folder() -> Path | None:
    """The outcome model folder a run uses when none is given: ``$STROKESCOPE_OUTCOME_MODEL``
    (``None`` when unset or empty; no model ships). See :mod:`strokescope.resources`."""
    from strokescope.resources import outcome_model_dir

    return outcome_model_dir()


def check_outcome_model(model: str | Path) -> str:
    """Check the installed outcome model folder ``model`` before an analysis: its manifest,
    the sha256 of its files, and that every feature it needs is one a study gives, in the
    same unit. Returns the model card's line (cohort, size, cross-validated AUC).

    Raises
    ------
    strokescope.errors.ModelError
        One line naming the folder (or its file) and what is wrong.
    """
    return outcome_model_identity(model)[0]


def outcome_model_identity(model: str | Path) -> tuple[str, str]:
    """The outcome model's card line and the sha256 of its ONNX graph, from one load with
    the checks :func:`check_outcome_model` describes: what a batch shows and keys its
    finished cases on, so another model reruns them."""
    from strokescope.outcome.installed import ONNX_NAME, load_outcome_model
    from strokescope.outcome.prediction import check_study_model

    installed = load_outcome_model(model)
    check_study_model(installed)
    return installed.describe(), str(installed.manifest["files"][ONNX_NAME])


def predict_outcome(
    result: ThrombusResult,
    *,
    model: str | Path,
    ncct: Volume | None = None,
    cta: Volume | None = None,
) -> OutcomePrediction:
    """Run the installed outcome model folder ``model`` on the study: a feature model on
    its features, a network model on the NCCT + CTA stack around the clot (``ncct`` and
    ``cta``, the volumes ``result`` was computed from). The probability comes beside the
    model card's cohort and AUC, or no probability and the reason when an input is absent.
    ``ModelError`` for a missing or altered folder, or one whose features a study does not
    give (:func:`check_outcome_model`). Pass the result to
    :func:`strokescope.pipeline.export_results` (``outcome``)."""
    from strokescope.outcome.installed import load_outcome_model
    from strokescope.outcome.prediction import predict_network, predict_study

    installed = load_outcome_model(model)
    if installed.kind == "network":
        return predict_network(installed, result, ncct, cta)
    return predict_study(installed, outcome_features(result))


def outcome_or_reason(
    result: ThrombusResult,
    *,
    model: str | Path,
    line: str,
    ncct: Volume | None = None,
    cta: Volume | None = None,
) -> OutcomePrediction:
    """:func:`predict_outcome` for unattended runs (a batch, the DICOM node): a research
    model that fails on a study gives no probability, with the reason, instead of an error
    that would cost the study its thrombus results. ``line`` is the model card's line
    (:func:`check_outcome_model`, checked once before the run)."""
    import logging

    from strokescope.outcome.prediction import OutcomePrediction

    try:
        return predict_outcome(result, model=model, ncct=ncct, cta=cta)
    except Exception as exc:  # the thrombus results must still be written and sent
        text = " ".join(str(exc).split()) or "no message"
        reason = f"the outcome model failed: {type(exc).__name__}: {text}"
        logging.getLogger(__name__).warning("%s", reason)
        return OutcomePrediction(None, reason, line)


def _row_images(
    row: CohortRow, models: str | Path | None, threads: int
) -> tuple[Volume, Volume | None, ThrombusResult]:
    """A cohort row's NCCT and CTA (``None`` when absent) and their thrombus analysis."""
    from strokescope import pipeline
    from strokescope.errors import InputError

    if row.study is not None:
        study = pipeline.open_study(row.study, check_vessels=False)
        ncct, cta = study.volumes.get("baseline"), study.volumes.get("cta")
        if ncct is None:
            raise InputError(f"{row.study}: no NCCT series found")
    else:
        assert row.ncct is not None  # a row with images has a study or an ncct
        ncct = pipeline.load(row.ncct)
        cta = None if row.cta is None else pipeline.load(row.cta)
    result = pipeline.analyze_thrombus(ncct, cta, models=models, device="cpu", threads=threads)
    return ncct, cta, result


def _extractor(models: str | Path | None, threads: int) -> ExtractorInfo:
    """Features from a cohort row's images through the pipeline; the thrombus models are
    checked (and their digest read) on the first row that has images."""
    from strokescope import pipeline
    from strokescope.outcome.cohort_runs import ExtractorInfo

    def extract(row: CohortRow) -> OutcomeFeatures:
        return outcome_features(_row_images(row, models, threads)[2])

    return ExtractorInfo(extract, pipeline.thrombus_model_version(models)[1])


def outcome_stacks(
    cohort_csv: str | Path,
    out: str | Path,
    *,
    models: str | Path | None = None,
    threads: int = 2,
    on_progress: Progress | None = None,
) -> StackCohort:
    """The outcome network's training data from a cohort file: each row's NCCT + CTA stack
    around its clot, built as at run time, cached in ``out/stacks/`` (a rerun resumes) and
    gathered in ``out/stacks.npz`` for ``python -m training.scanet_train``
    (:mod:`strokescope.outcome.network_cohort`). ``models`` and ``threads`` are the
    thrombus analysis' options."""
    from strokescope import pipeline
    from strokescope.outcome.network_cohort import build_stacks

    return build_stacks(
        cohort_csv,
        out,
        lambda row: _row_images(row, models, threads),
        models_digest=pipeline.thrombus_model_version(models)[1],
        on_progress=on_progress,
    )


def train_outcome_model(
    cohort_csv: str | Path,
    out: str | Path,
    *,
    models: str | Path | None = None,
    threads: int = 2,
    features: Sequence[str] | None = None,
    folds: int = 5,
    l2: float = 1.0,
    seed: int = 0,
    bootstrap: int = 200,
    on_progress: Progress | None = None,
) -> TrainingRun:
    """Train the feature outcome model on a site's cohort file (see
    :mod:`strokescope.outcome.cohort` for its columns) and write ``fit.json``, the ROC and
    calibration plots into ``out`` (features cached there: a rerun resumes). ``models``
    and ``threads`` are the thrombus analysis' options; ``features`` picks the model's
    features (default: those present in at least half of the rows)."""
    from strokescope.outcome.cohort_runs import train_cohort

    return train_cohort(
        cohort_csv,
        out,
        cache(lambda: _extractor(models, threads)),
        names=features,
        folds=folds,
        l2=l2,
        seed=seed,
        repeats=bootstrap,
        on_progress=on_progress,
    )


def evaluate_outcome_model(
    model: str | Path,
    cohort_csv: str | Path,
    out: str | Path,
    *,
    models: str | Path | None = None,
    threads: int = 2,
    threshold: float = 0.5,
    on_progress: Progress | None = None,
) -> EvaluationRun:
    """Run an installed outcome model folder on a held-out cohort file: AUC, accuracy,
    sensitivity, specificity and precision with 95 % intervals, ``evaluation.json`` and
    ``roc.png`` in ``out``. A feature model reads each row's features, a network model
    each row's NCCT + CTA stack (both cached in ``out``: a rerun resumes).
    ``ModelError`` for a missing or altered model folder."""
    from strokescope.outcome.cohort_runs import evaluate_cohort
    from strokescope.outcome.installed import load_outcome_model

    installed = load_outcome_model(model)
    if installed.kind == "network":
        return _evaluate_network(
            installed, cohort_csv, out, models, threads, threshold, on_progress
        )
    return evaluate_cohort(
        cohort_csv,
        out,
        cache(lambda: _extractor(models, threads)),
        names=installed.names,
        predict=installed.predict,
        model=f"{installed.folder}: {installed.describe()}",
        threshold=threshold,
        on_progress=on_progress,
    )


def _evaluate_network(
    installed: OutcomeModel,
    cohort_csv: str | Path,
    out: str | Path,
    models: str | Path | None,
    threads: int,
    threshold: float,
    on_progress: Progress | None,
) -> EvaluationRun:
    """The network model on each row's stack around its clot, built as at run time."""
    import numpy as np

    from strokescope.outcome.cohort_runs import Scored, write_evaluation

    stacks = outcome_stacks(
        cohort_csv, out, models=models, threads=threads, on_progress=on_progress
    )
    with np.load(stacks.path) as data:
        x, y = data["x"], data["y"]
    batches = (installed.predict(x[i : i + 8]) for i in range(0, len(x), 8))
    p = np.concatenate([np.zeros(0), *batches])  # none usable: write_evaluation refuses
    scored = Scored(stacks.ids, y, p, installed.names, stacks.excluded)
    model = f"{installed.folder}: {installed.describe()}"
    return write_evaluation(Path(cohort_csv), Path(out), scored, model=model, threshold=threshold)


def format_outcome_training(run: TrainingRun) -> str:
    """What ``strokescope outcome train`` prints."""
    from strokescope.outcome.report_text import format_training

    return format_training(run)


def format_outcome_evaluation(run: EvaluationRun) -> str:
    """What ``strokescope outcome evaluate`` prints."""
    from strokescope.outcome.report_text import format_evaluation

    return format_evaluation(run)
