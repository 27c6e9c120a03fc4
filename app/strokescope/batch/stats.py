"""Cohort statistics of a batch folder: ``strokescope batch --summarize DIR``.

From the case records alone (:func:`strokescope.batch.record.read_records`):

* counts: cases, done, failed, occlusion classes, cases with warnings;
* distributions (n, median, IQR, range) of the total thrombus volume and of the headline
  thrombus' length, volume and diameter over the cases with a thrombus, of the HT volume,
  and of the seconds per case;
* where the cohort gave reference values, the agreement of :mod:`strokescope.evaluation`:
  Lin's CCC with its interval, bias and Bland-Altman limits (plotted to
  ``DIR/bland_altman_<quantity>.png``) for volume, length and HT volume; sensitivity and
  specificity of the occlusion call; the Dice coefficients against ``truth_mask``.

Everything is also written to ``DIR/cohort_stats.json``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from strokescope.atomic import atomic_write_bytes, atomic_write_text
from strokescope.batch.plot import bland_altman_png
from strokescope.batch.record import CaseRecord, read_records
from strokescope.batch.tables import NOTICE, headline
from strokescope.errors import InputError
from strokescope.evaluation import diagnostic_accuracy, lins_ccc, volume_errors

STATS_NAME = "cohort_stats.json"
Getter = Callable[[CaseRecord], float | None]


def _describe(values: Sequence[float]) -> dict[str, Any]:
    if not values:
        return {"n": 0}
    q1, median, q3 = np.percentile(values, [25, 50, 75])
    return {
        "n": len(values),
        "median": float(median),
        "q1": float(q1),
        "q3": float(q3),
        "min": float(min(values)),
        "max": float(max(values)),
    }


def _assessed(r: CaseRecord) -> bool:
    return r.done and r.thrombus is not None and bool(r.thrombus.get("assessed"))


def _top(field: str) -> Getter:
    def get(r: CaseRecord) -> float | None:
        top = headline(r.thrombus) if _assessed(r) else None
        value = None if top is None else top.get(field)
        return None if value is None else float(value)

    return get


def _total_volume(r: CaseRecord) -> float | None:
    return float(r.thrombus["total_volume_mm3"]) if r.thrombus and _assessed(r) else None


def _length_or_zero(r: CaseRecord) -> float | None:
    """Headline length, 0 for an assessed case without a thrombus (agreement with truth)."""
    return _top("length_mm")(r) or (0.0 if _assessed(r) else None)


def _ht_volume(r: CaseRecord) -> float | None:
    return None if r.hemorrhage is None else float(r.hemorrhage["volume_ml"])


DISTRIBUTIONS: dict[str, Getter] = {
    "total_volume_mm3": lambda r: v if (v := _total_volume(r)) else None,
    "thrombus_length_mm": _top("length_mm"),
    "thrombus_volume_mm3": _top("volume_mm3"),
    "thrombus_max_diameter_mm": _top("max_diameter_mm"),
    "ht_volume_ml": _ht_volume,
    "seconds": lambda r: r.seconds if r.done else None,
}
AGREEMENT: dict[str, tuple[Getter, str, str]] = {
    "volume_mm3": (_total_volume, "truth_volume_mm3", "thrombus volume (mm3)"),
    "length_mm": (_length_or_zero, "truth_length_mm", "thrombus length (mm)"),
    "ht_volume_ml": (_ht_volume, "truth_ht_ml", "HT volume (mL)"),
}


def _counts(records: Sequence[CaseRecord]) -> dict[str, Any]:
    classes: dict[str, int] = {}
    for r in records:
        if r.done and r.thrombus is not None:
            name = str(r.thrombus.get("occlusion_class"))
            classes[name] = classes.get(name, 0) + 1
    return {
        "cases": len(records),
        "done": sum(r.done for r in records),
        "failed": sum(not r.done for r in records),
        "occlusion_class": dict(sorted(classes.items())),
        "with_warnings": sum(bool(r.thrombus and r.thrombus.get("warnings")) for r in records),
        "model_versions": sorted({r.model_version for r in records if r.done}),
    }


def _pairs(records: Sequence[CaseRecord], get: Getter, column: str) -> tuple[list[float], ...]:
    pred, truth = [], []
    for r in records:
        value = get(r) if r.done else None
        if value is not None and r.truth.get(column):
            pred.append(value)
            truth.append(float(r.truth[column]))
    return pred, truth


def _agreement(records: Sequence[CaseRecord], out_dir: Path) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, (get, column, label) in AGREEMENT.items():
        pred, truth = _pairs(records, get, column)
        if not pred:
            continue
        entry: dict[str, Any] = {"n": len(pred), "errors": asdict(volume_errors(pred, truth))}
        if len(pred) >= 3:
            entry["ccc"] = asdict(lins_ccc(pred, truth))
        if len(pred) >= 2:
            plot = out_dir / f"bland_altman_{name}.png"
            atomic_write_bytes(plot, bland_altman_png(pred, truth, label=label))
            entry["plot"] = plot.name
        found[name] = entry
    calls = [
        (r.thrombus["occlusion_class"] in ("LVO", "MeVO"), r.truth["truth_occlusion_class"])
        for r in records
        if _assessed(r) and r.thrombus and r.truth.get("truth_occlusion_class")
    ]
    if calls:
        acc = diagnostic_accuracy([p for p, _ in calls], [t != "none" for _, t in calls])
        found["occlusion"] = asdict(acc)
    dice = [r.dice for r in records if r.done and r.dice is not None]
    if dice:
        found["dice"] = {**_describe(dice), "mean": float(np.mean(dice))}
    return found


def cohort_stats(records: Sequence[CaseRecord], out_dir: Path) -> dict[str, Any]:
    """Counts, distributions and agreement of ``records`` (plots go to ``out_dir``)."""
    distributions = {}
    for name, get in DISTRIBUTIONS.items():
        values = [v for v in (get(r) for r in records if r.done) if v is not None]
        distributions[name] = _describe(values)
    return {
        "research_use": NOTICE,
        "counts": _counts(records),
        "distributions": distributions,
        "agreement": _agreement(records, out_dir),
    }


def _plain(value: Any) -> Any:
    """``value`` with NaN as ``None`` (strict JSON) and tuples as lists."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _num(value: float) -> str:
    return "nan" if math.isnan(value) else f"{value:.4g}"


def _format_distribution(name: str, d: dict[str, Any]) -> str:
    if not d["n"]:
        return f"  {name}: none"
    return (
        f"  {name}: n={d['n']} median {_num(d['median'])} "
        f"(IQR {_num(d['q1'])}-{_num(d['q3'])}, range {_num(d['min'])}-{_num(d['max'])})"
    )


def _format_agreement(name: str, a: dict[str, Any]) -> str:
    if name == "occlusion":
        lo, hi = a["sensitivity_ci"]
        slo, shi = a["specificity_ci"]
        return (
            f"  occlusion call: sensitivity {_num(a['sensitivity'])} ({_num(lo)}-{_num(hi)}), "
            f"specificity {_num(a['specificity'])} ({_num(slo)}-{_num(shi)}); "
            f"TP {a['tp']} FN {a['fn']} TN {a['tn']} FP {a['fp']}"
        )
    if name == "dice":
        return f"  Dice: n={a['n']} mean {_num(a['mean'])} median {_num(a['median'])}"
    e = a["errors"]
    low, high = e["limits_of_agreement"]
    ccc = a.get("ccc")
    ccc_text = (
        f"CCC {_num(ccc['ccc'])} ({_num(ccc['ci_low'])}-{_num(ccc['ci_high'])}), " if ccc else ""
    )
    plot = f"; plot {a['plot']}" if "plot" in a else ""
    return (
        f"  {name}: n={a['n']} {ccc_text}bias {_num(e['mean_error'])}, limits of agreement "
        f"{_num(low)} to {_num(high)}, MAE {_num(e['mean_absolute_error'])}{plot}"
    )


def format_stats(stats: dict[str, Any]) -> str:
    """The text ``strokescope batch --summarize`` prints."""
    c = stats["counts"]
    classes = ", ".join(f"{k} {v}" for k, v in c["occlusion_class"].items()) or "none"
    lines = [
        NOTICE,
        f"cases: {c['cases']} ({c['done']} done, {c['failed']} failed); "
        f"models {', '.join(c['model_versions']) or '-'}",
        f"occlusion class: {classes}; {c['with_warnings']} with warnings",
        "distributions (cases with a finding):",
        *(_format_distribution(k, d) for k, d in stats["distributions"].items()),
    ]
    if stats["agreement"]:
        lines.append("agreement with the reference columns:")
        lines.extend(_format_agreement(k, a) for k, a in stats["agreement"].items())
    return "\n".join(lines)


def summarize(out_dir: str | Path) -> str:
    """Compute, write (``cohort_stats.json``, plots) and format the statistics of a batch.

    Raises
    ------
    InputError
        ``out_dir`` holds no case records.
    """
    folder = Path(out_dir)
    records = read_records(folder)
    if not records:
        raise InputError(f"{folder}: no batch case records (cases/*/case.json) found")
    stats = cohort_stats(records, folder)
    text = json.dumps(_plain(stats), indent=2, allow_nan=False) + "\n"
    atomic_write_text(folder / STATS_NAME, text)
    return format_stats(stats)
