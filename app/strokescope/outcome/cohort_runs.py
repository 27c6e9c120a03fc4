"""The cohort runs behind ``strokescope outcome train`` and ``evaluate``.

Features are computed once per study and cached in ``OUT/features/<id>-<key>.json``
(atomic writes; the key hashes the image paths and the thrombus models' digest, so a rerun
resumes where it stopped and a new model recomputes). The image work itself is passed in
as ``extract`` by :mod:`strokescope.pipeline_outcome`, which runs it through the pipeline.

Outputs of ``train`` (in OUT): ``fit.json`` (model, cross-validated metrics, coefficients,
out-of-fold predictions), ``calibration.png``, ``roc.png``. Of ``evaluate``:
``evaluation.json`` (Table 1 metrics with intervals, predictions), ``roc.png``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from strokescope.atomic import atomic_write_bytes, atomic_write_text
from strokescope.errors import InputError, StrokeScopeError
from strokescope.outcome.cohort import CohortRow, FeatureTable, feature_table, read_cohort
from strokescope.outcome.features import Feature, OutcomeFeatures
from strokescope.outcome.metrics import Classification, calibration_bins, classify, roc_curve
from strokescope.outcome.plot import calibration_png, roc_png
from strokescope.outcome.report_text import calibration_words
from strokescope.outcome.train import TrainedOutcome, train_feature_model

Extract = Callable[[CohortRow], OutcomeFeatures]
Progress = Callable[[float], None]


@dataclass(frozen=True)
class ExtractorInfo:
    """How features are computed from images: ``extract`` and the digest of the models it
    uses (part of the cache key)."""

    extract: Extract
    digest: str


def _cache_path(out: Path, row: CohortRow, digest: str) -> Path:
    text = "\n".join(str(p) for p in (row.study, row.ncct, row.cta, digest))
    key = hashlib.sha256(text.encode()).hexdigest()[:12]
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", row.id)[:40]
    return out / "features" / f"{safe}-{key}.json"


def _image_features(
    row: CohortRow, out: Path, extractor: Callable[[], ExtractorInfo], source: Path
) -> OutcomeFeatures:
    info = extractor()
    path = _cache_path(out, row, info.digest)
    if path.is_file():
        return OutcomeFeatures.from_dict(json.loads(path.read_text(encoding="utf-8"))["features"])
    try:
        found = info.extract(row)
    except StrokeScopeError as exc:
        raise type(exc)(f"{row.where(source)}: {exc}") from None
    record: dict[str, Any] = {
        "id": row.id,
        "study": str(row.study),
        "ncct": str(row.ncct),
        "cta": str(row.cta),
    }
    record |= {"models": info.digest, "features": found.to_dict()}
    atomic_write_text(path, json.dumps(record, indent=2) + "\n")
    return found


def cohort_features(
    source: Path,
    rows: Sequence[CohortRow],
    out: Path,
    extractor: Callable[[], ExtractorInfo],
    on_progress: Progress | None = None,
) -> list[dict[str, Feature]]:
    """Per row: the image features (cached), replaced by the row's own feature columns.
    ``extractor`` is called only when a row has images and returns the extraction."""
    found: list[dict[str, Feature]] = []
    for i, row in enumerate(rows):
        features: dict[str, Feature] = {}
        if row.has_images:
            image = _image_features(row, out, extractor, source)
            features = {n: getattr(image, n) for n in image.numbers()}
        found.append(features | row.columns)
        if on_progress is not None:
            on_progress((i + 1) / len(rows))
    return found


@dataclass(frozen=True)
class TrainingRun:
    """What ``outcome train`` did: the trained model, the rows left out, files written."""

    trained: TrainedOutcome
    table: FeatureTable
    paths: tuple[Path, ...]


def train_cohort(
    cohort_csv: str | Path,
    out: str | Path,
    extractor: Callable[[], ExtractorInfo],
    *,
    names: Sequence[str] | None = None,
    folds: int = 5,
    l2: float = 1.0,
    seed: int = 0,
    repeats: int = 200,
    on_progress: Progress | None = None,
) -> TrainingRun:
    """Read the cohort, compute or read its features, fit and cross-validate, write OUT."""
    source, folder = Path(cohort_csv), Path(out)
    rows = read_cohort(source)
    features = cohort_features(source, rows, folder, extractor, on_progress)
    try:
        table = feature_table(rows, features, names)
        trained = train_feature_model(
            table.x,
            table.y,
            table.names,
            ids=table.ids,
            folds=folds,
            l2=l2,
            seed=seed,
            repeats=repeats,
        )
    except InputError as exc:
        raise InputError(f"{source}: {exc}") from None
    record = trained.to_dict() | {"cohort_file": str(source), "excluded": list(table.excluded)}
    cv = trained.cv
    title = f"{folds}-fold CV, n={trained.n}"
    fpr, tpr = roc_curve(trained.cv_probability, trained.outcomes)
    files: dict[str, bytes] = {
        "fit.json": (json.dumps(record, indent=2) + "\n").encode(),
        "calibration.png": calibration_png(
            calibration_bins(trained.cv_probability, trained.outcomes),
            title=f"Calibration, {title}: {calibration_words(cv)}",
        ),
        "roc.png": roc_png(fpr, tpr, title=f"ROC, {title}: AUC {cv.auc:.2f}"),
    }
    for name, data in files.items():
        atomic_write_bytes(folder / name, data)
    return TrainingRun(trained, table, tuple(folder / n for n in files))


@dataclass(frozen=True)
class EvaluationRun:
    """What ``outcome evaluate`` did: the metrics, the rows left out, files written."""

    metrics: Classification
    inputs: tuple[str, ...]
    """The model's features, or the network's input channels."""
    excluded: tuple[str, ...]
    model: str
    paths: tuple[Path, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "metrics": self.metrics.to_dict(),
            "model": self.model,
            "inputs": list(self.inputs),
            "excluded": list(self.excluded),
        }


def evaluate_cohort(
    cohort_csv: str | Path,
    out: str | Path,
    extractor: Callable[[], ExtractorInfo],
    *,
    names: Sequence[str],
    predict: Callable[[npt.NDArray[np.float64]], npt.ArrayLike],
    model: str,
    threshold: float = 0.5,
    on_progress: Progress | None = None,
) -> EvaluationRun:
    """Predict each usable row with ``predict`` (features in ``names`` order), score."""
    source, folder = Path(cohort_csv), Path(out)
    rows = read_cohort(source)
    features = cohort_features(source, rows, folder, extractor, on_progress)
    try:
        table = feature_table(rows, features, names)
    except InputError as exc:
        raise InputError(f"{source}: {exc}") from None
    scored = Scored(table.ids, table.y, predict(table.x), table.names, table.excluded)
    return write_evaluation(source, folder, scored, model=model, threshold=threshold)


@dataclass(frozen=True)
class Scored:
    """A held-out cohort's patients with their outcome and a model's probability."""

    ids: Sequence[str]
    y: npt.ArrayLike
    probability: npt.ArrayLike
    inputs: tuple[str, ...]
    excluded: tuple[str, ...]


def write_evaluation(
    source: Path, folder: Path, scored: Scored, *, model: str, threshold: float
) -> EvaluationRun:
    """Score ``scored`` (the seed's Table 1 columns with 95 % intervals) and write
    ``evaluation.json`` and ``roc.png`` into ``folder``. ``InputError`` naming ``source``
    when the usable patients do not hold both outcomes (no AUC, sensitivity or
    specificity exists then)."""
    p = [float(v) for v in np.asarray(scored.probability, dtype=float).reshape(-1)]
    y = np.asarray(scored.y, dtype=np.int64)
    if len(set(y.tolist())) < 2:
        raise InputError(
            f"{source}: the held-out cohort needs patients of both outcomes with images "
            f"({len(y)} usable)"
        )
    metrics = classify(p, y, threshold=threshold)
    run = EvaluationRun(metrics, scored.inputs, scored.excluded, model, ())
    record = run.to_dict() | {
        "cohort_file": str(source),
        "patients": [
            {"id": str(i), "outcome": int(t), "probability": q}
            for i, t, q in zip(scored.ids, y, p, strict=True)
        ],
    }
    fpr, tpr = roc_curve(p, y)
    title = f"ROC, held-out n={metrics.n}: AUC {metrics.auc:.2f}"
    atomic_write_text(folder / "evaluation.json", json.dumps(record, indent=2) + "\n")
    atomic_write_bytes(folder / "roc.png", roc_png(fpr, tpr, title=title))
    paths = (folder / "evaluation.json", folder / "roc.png")
    return EvaluationRun(metrics, scored.inputs, scored.excluded, model, paths)
