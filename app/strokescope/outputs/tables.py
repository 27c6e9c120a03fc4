"""Measurement rows, method lines, the JSON results document and the one-row CSV, built
from results.

The JSON layout is described (and versioned) in :mod:`strokescope.outputs.schema`; the CSV
holds one header line and one row per study, with the columns of :data:`CSV_COLUMNS`, so
rows from many studies concatenate into a cohort spreadsheet.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Any

from strokescope import PHANTOM_TRAINED, RESEARCH_ONLY, __version__
from strokescope.hemorrhage.result import HemorrhageResult
from strokescope.outcome.definitions import BY_NAME
from strokescope.outcome.features import (
    NUMERIC_FEATURES,
    FeatureRow,
    features_from_thrombus,
)
from strokescope.outcome.prediction import OutcomePrediction
from strokescope.outputs import codes as cc
from strokescope.outputs.anonymize import AnonymizeOptions
from strokescope.outputs.schema import SCHEMA_VERSION
from strokescope.outputs.source_refs import StudyHeader
from strokescope.thrombus.result import ThrombusResult

CSV_COLUMNS = (
    "schema_version",
    "patient_id",
    "study_uid",
    "study_date",
    "series_uid",
    "impression",
    "hemorrhage_volume_ml",
    "hemorrhage_global_volume_ml",
    "hemorrhage_abc2_ml",
    "thrombus_count",
    "thrombus_total_volume_mm3",
    "thrombus_length_mm",
    "thrombus_ncct_mean_hu",
    "thrombus_perviousness_hu",
    "thrombus_segment",
    "thrombus_side",
    "occlusion",
    "lvo",
    "occlusion_class",
    "model_version",
    *NUMERIC_FEATURES,
    "outcome_probability",
    "outcome_absent",
    "warnings",
    "notice",
)


@dataclass(frozen=True)
class MeasurementRow:
    """One line of the report's measurement table (and of the JSON ``measurements``)."""

    finding: str
    name: str
    value: float
    unit: str
    method: str
    decimals: int = 1

    def value_text(self) -> str:
        return "n/a" if not math.isfinite(self.value) else f"{self.value:.{self.decimals}f}"


def impression_lines(
    thrombus: ThrombusResult | None, hemorrhage: HemorrhageResult | None
) -> list[str]:
    """The headline finding of each analysis, in report order (thrombus, hemorrhage)."""
    return [r.impression() for r in (thrombus, hemorrhage) if r is not None]


def measurement_rows(
    thrombus: ThrombusResult | None, hemorrhage: HemorrhageResult | None
) -> list[MeasurementRow]:
    """Every reported number, in report order (thrombi by label, then the hemorrhage)."""
    rows: list[MeasurementRow] = []
    if thrombus is not None:
        for t in thrombus.thrombi:
            f = f"Thrombus {t.label} ({t.segment}, {t.side})"
            rows += [
                MeasurementRow(f, "Volume", t.volume_mm3, "mm3", "voxel sum", 1),
                MeasurementRow(f, "Length", t.length_mm, "mm", "3-D skeleton path", 1),
                MeasurementRow(f, "Max. diameter", t.max_diameter_mm, "mm", "max inscribed", 1),
                MeasurementRow(f, "Mean NCCT", t.ncct_mean_hu, "HU", "mean in clot core", 1),
                MeasurementRow(f, "Mean CTA", t.cta_mean_hu, "HU", "mean in clot core", 1),
                MeasurementRow(f, "Perviousness", t.perviousness_hu, "HU", "CTA - NCCT mean", 1),
            ]
            if t.cta_lumen_in_line is not None and t.cta_missing_artery is not None:
                rows += [
                    MeasurementRow(
                        f, "CTA lumen in line", 100 * t.cta_lumen_in_line, "%", "beyond an end", 0
                    ),
                    MeasurementRow(
                        f, "CTA missing artery", 100 * t.cta_missing_artery, "%", "mirror - own", 0
                    ),
                ]
        rows += _tree_rows(thrombus)
    if hemorrhage is not None:
        f = "Hemorrhage"
        rows.append(
            MeasurementRow(f, "Volume", hemorrhage.volume_ml, "mL", "SD-rule, voxel sum", 2)
        )
        rows.append(
            MeasurementRow(
                f, "Volume 50-80 HU", hemorrhage.global_volume_ml, "mL", "fixed window", 2
            )
        )
        if hemorrhage.abc2 is not None:
            a = hemorrhage.abc2
            rows += [
                MeasurementRow(f, "ABC/2 volume", a.volume_ml, "mL", "ellipsoid estimate", 2),
                MeasurementRow(f, "ABC/2 A", a.a_mm, "mm", f"longest, slice {a.slice_index}", 1),
                MeasurementRow(f, "ABC/2 B", a.b_mm, "mm", "perpendicular to A", 1),
                MeasurementRow(f, "ABC/2 C", a.c_mm, "mm", f"{a.slice_count:g} weighted slices", 1),
            ]
    return rows


def _tree_rows(thrombus: ThrombusResult) -> list[MeasurementRow]:
    """The arterial tree's numbers when it was traced: each clot's distance from the ICA
    terminus, then the clot burden score."""
    reading = thrombus.arteries
    if reading is None:
        return []
    rows = []
    on_tree = {c.thrombus: c for c in reading.clots}
    for t in thrombus.thrombi:
        c = on_tree.get(t.label)
        if c is not None and c.distance_mm is not None and c.reference == "ICA terminus":
            f = f"Thrombus {t.label} ({t.segment}, {t.side})"
            rows.append(
                MeasurementRow(f, "From ICA terminus", c.distance_mm, "mm", "along the tree", 1)
            )
    score = reading.tree.clot_burden.score
    rows.append(
        MeasurementRow("Arterial tree", "Clot burden score", score, "points", "Puetz 2008", 0)
    )
    return rows


def _scrub(value: Any, scrub: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return scrub(value)
    if isinstance(value, dict):
        return {k: _scrub(v, scrub) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(v, scrub) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def results_document(
    header: StudyHeader,
    *,
    thrombus: ThrombusResult | None,
    hemorrhage: HemorrhageResult | None,
    files: dict[str, Any],
    dicom_uids: dict[str, str | None],
    warnings: list[str],
    anonymized: bool,
    created: str | None,
    scrub: Callable[[str], str] = lambda s: s,
    outcome: OutcomePrediction | None = None,
) -> dict[str, Any]:
    """The JSON results document (see :data:`strokescope.outputs.schema.RESULTS_SCHEMA`);
    ``outcome`` is the outcome model's prediction when one was run."""
    doc = {
        "schema_version": SCHEMA_VERSION,
        "notice": RESEARCH_ONLY,
        "impression": impression_lines(thrombus, hemorrhage),
        "software": {"name": "StrokeScope", "version": __version__},
        "created": created,
        "anonymized": anonymized,
        "study": asdict(header),
        "thrombus": None if thrombus is None else thrombus.to_dict(),
        "hemorrhage": None if hemorrhage is None else hemorrhage.to_dict(),
        "outcome": None if thrombus is None else outcome_entry(thrombus, outcome),
        "measurements": [
            {k: v for k, v in asdict(r).items() if k != "decimals"}
            for r in measurement_rows(thrombus, hemorrhage)
        ],
        "files": files,
        "dicom": dicom_uids,
        "warnings": warnings,
    }
    out: dict[str, Any] = _scrub(doc, scrub)
    return out


def outcome_entry(thrombus: ThrombusResult, prediction: OutcomePrediction | None) -> dict[str, Any]:
    """The ``outcome`` object: each feature's value, unit and reason for absence, and the
    outcome model's prediction (``None``: no model was run)."""
    features = {
        name: {"value": f.value, "unit": BY_NAME[name].unit, "reason": f.reason}
        for name, f in features_from_thrombus(thrombus).items()
    }
    return {
        "features": features,
        "prediction": None if prediction is None else prediction.to_dict(),
    }


def report_features(
    thrombus: ThrombusResult | None, scrub: Callable[[str], str] = lambda s: s
) -> list[FeatureRow]:
    """The report's feature rows (none without a thrombus analysis), reasons scrubbed."""
    if thrombus is None:
        return []
    rows = features_from_thrombus(thrombus).rows()
    return [r if r.reason is None else replace(r, reason=scrub(r.reason)) for r in rows]


def _outcome_columns(outcome: dict[str, Any] | None) -> dict[str, Any]:
    """The numeric features, the probability and the absent features grouped by reason."""
    features = (outcome or {}).get("features", {})
    absent: dict[str, list[str]] = {}
    for name, f in features.items():
        if f["reason"] is not None:
            absent.setdefault(f["reason"], []).append(name)
    prediction = (outcome or {}).get("prediction") or {}
    return {
        **{name: features.get(name, {}).get("value") for name in NUMERIC_FEATURES},
        "outcome_probability": prediction.get("probability"),
        "outcome_absent": " | ".join(f"{', '.join(n)}: {r}" for r, n in absent.items()),
    }


def csv_text(doc: dict[str, Any]) -> str:
    """Header line plus one row for the study of ``doc`` (a :func:`results_document`)."""
    study = doc["study"]
    h = doc["hemorrhage"] or {}
    t = doc["thrombus"] or {}
    thrombi = sorted(t.get("thrombi", []), key=lambda r: -r["volume_mm3"])
    big = thrombi[0] if thrombi else {}
    row = {
        "schema_version": doc["schema_version"],
        "patient_id": study["patient_id"],
        "study_uid": study["study_uid"],
        "study_date": study["study_date"],
        "series_uid": study["series_uid"],
        "impression": " | ".join(doc["impression"]),
        "hemorrhage_volume_ml": h.get("volume_ml"),
        "hemorrhage_global_volume_ml": h.get("global_50_80_volume_ml"),
        "hemorrhage_abc2_ml": (h.get("abc2") or {}).get("volume_ml"),
        "thrombus_count": len(thrombi) if t else None,
        "thrombus_total_volume_mm3": t.get("total_volume_mm3"),
        "thrombus_length_mm": big.get("length_mm"),
        "thrombus_ncct_mean_hu": big.get("ncct_mean_hu"),
        "thrombus_perviousness_hu": big.get("perviousness_hu"),
        "thrombus_segment": big.get("segment"),
        "thrombus_side": big.get("side"),
        "occlusion": t.get("occlusion"),
        "lvo": t.get("lvo"),
        "occlusion_class": t.get("occlusion_class"),
        "model_version": t.get("model_version"),
        **_outcome_columns(doc.get("outcome")),
        "warnings": " | ".join(doc["warnings"]),
        "notice": doc["notice"],
    }
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return buf.getvalue()


def method_lines(
    thrombus: ThrombusResult | None,
    hemorrhage: HemorrhageResult | None,
    options: AnonymizeOptions | None,
) -> list[str]:
    """The report's method and provenance lines: algorithms, model checksums, decision
    rule, registration, timings, export formats and the de-identification used."""
    lines = []
    if thrombus is not None:
        alg = cc.thrombus_algorithm(thrombus.model_version, thrombus.model_sha256)
        lines.append(
            f"Thrombus: {alg.name} {alg.version}; segmentation by ONNX network on NCCT + CTA. "
            f"Decision rule: {thrombus.decision_rule}"
        )
        lines += [f"Model SHA-256 ({k}): {v}" for k, v in sorted(thrombus.model_sha256.items())]
        if thrombus.registration_metric is not None:
            lines.append(
                f"Registration of the NCCT onto the CTA: Mattes mutual information "
                f"{thrombus.registration_metric:.3f} (lower is better)"
            )
        if thrombus.seconds:
            lines.append(
                "Seconds per stage: "
                + ", ".join(f"{k} {v:.2f}" for k, v in thrombus.seconds.items())
            )
        if thrombus.arteries is not None:
            lines.append(
                "Arterial tree: classical (opacified lumen, minimal paths between landmarks, "
                "TopCoW labels), contrast profiles, clot burden score (Puetz 2008); "
                f"{thrombus.arteries.tree.seconds:.1f} s."
            )
    if hemorrhage is not None:
        alg = cc.hemorrhage_algorithm()
        lines.append(
            f"Hemorrhage: {alg.name} {alg.version}; SD-rule adaptive thresholding with a "
            f"50-80 HU initial window inside the reader's ROIs; volume by voxel sum, ABC/2 "
            f"(Kothari 1996) beside it."
        )
    lines.append(
        "Exports: DICOM SEG and TID 1500 SR (highdicom), Encapsulated PDF, JSON (schema "
        f"{SCHEMA_VERSION}), CSV, NIfTI masks."
    )
    if options is not None:
        kept = [name for name, on in vars(options).items() if name.startswith("retain") and on]
        lines.append(
            "De-identified: DICOM PS3.15 Annex E Basic Profile"
            + (f" with {', '.join(kept)}." if kept else ".")
        )
    lines.append(RESEARCH_ONLY)
    if thrombus is not None:
        lines.append(PHANTOM_TRAINED)
    return lines
