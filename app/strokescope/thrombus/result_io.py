"""Read a thrombus result back from the results folder an export wrote.

The export (:func:`strokescope.pipeline.export_results`) writes ``results.json``, whose
``thrombus`` object is :meth:`ThrombusResult.to_dict`, and the thrombus mask as NIfTI
(named in ``files.masks``). :func:`read_thrombus_result` turns both back into a
:class:`ThrombusResult`, so a viewer shows what the DICOM node computed without running
the analysis again. The one thing the document does not hold is the CTA-to-NCCT motion
(``cta_to_ncct`` is ``None``): the viewer then shows no "NCCT on CTA grid" series.
"""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path
from typing import Any

from strokescope.errors import InputError, StrokeScopeError
from strokescope.thrombus.result import AxialProfile, Thrombus, ThrombusResult

RESULTS_JSON = "results.json"
"""The JSON document's name in a results folder (``strokescope.outputs.export``)."""
KNOWN_MAJOR = "1"
"""The schema major version this reader understands (``schema_version`` "1.x")."""

_THROMBUS_FIELDS = tuple(f.name for f in fields(Thrombus))


def _thrombus(record: dict[str, Any]) -> Thrombus:
    values = {name: record[name] for name in _THROMBUS_FIELDS if name in record}
    values["centroid_lps"] = tuple(float(v) for v in values["centroid_lps"])
    if values.get("axial_profile") is not None:
        values["axial_profile"] = AxialProfile.from_dict(values["axial_profile"])
    return Thrombus(**values)


def _document(folder: Path) -> dict[str, Any]:
    path = folder / RESULTS_JSON
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(f"{folder}: no {RESULTS_JSON} (not a results folder)") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: cannot read the results ({exc})") from exc
    version = str(doc.get("schema_version", "")) if isinstance(doc, dict) else ""
    if version.split(".")[0] != KNOWN_MAJOR:
        raise InputError(f"{path}: results schema {version or '?'} is not 1.x")
    return doc


def read_thrombus_result(folder: str | Path) -> ThrombusResult:
    """The thrombus result of the results folder ``folder`` (``results.json`` + mask).

    Raises
    ------
    InputError
        No or unreadable ``results.json``, an unknown schema major version, no thrombus
        result in it, or its mask missing or unreadable (one line each).
    """
    from strokescope.io.sitk_convert import read_mask

    folder = Path(folder)
    doc = _document(folder)
    t = doc.get("thrombus")
    if not isinstance(t, dict):
        raise InputError(f"{folder}: the results hold no thrombus result")
    masks = [m for m in doc.get("files", {}).get("masks", []) if m.startswith("thrombus")]
    if not masks:
        raise InputError(f"{folder}: the results name no thrombus mask")
    try:
        values: dict[str, Any] = {
            "thrombi": tuple(_thrombus(r) for r in t["thrombi"]),
            "occlusion": bool(t["occlusion"]),
            "lvo": bool(t["lvo"]),
            "occlusion_class": t["occlusion_class"],
            "cta_to_ncct": None,
            "registration_metric": t.get("registration_metric"),
            "model_version": str(t["model_version"]),
            "model_sha256": dict(t.get("model_sha256", {})),
            "decision_rule": str(t.get("decision_rule", "")),
            "seconds": {str(k): float(v) for k, v in t.get("seconds", {}).items()},
            "warnings": tuple(t.get("warnings", ())),
            "not_assessed_reason": t.get("not_assessed_reason"),
        }
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"{folder / RESULTS_JSON}: incomplete thrombus result ({exc})") from exc
    if "research_use" in t:
        values["research_use"] = str(t["research_use"])
    try:
        mask = read_mask(folder / masks[0], "thrombus")
    except (RuntimeError, OSError, StrokeScopeError) as exc:
        raise InputError(f"{folder / masks[0]}: cannot read the thrombus mask") from exc
    return ThrombusResult(mask=mask, **values)
