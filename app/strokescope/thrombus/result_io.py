"""Read a thrombus result back from the results folder an export wrote.

The export (:func:`strokescope.pipeline.export_results`) writes ``results.json``, whose
``thrombus`` object is :meth:`ThrombusResult.to_dict`, and the thrombus mask as NIfTI
(named in ``files.masks``). :func:`read_thrombus_result` turns both back into a
:class:`ThrombusResult`, so a viewer shows what the DICOM node computed without running
the analysis again. The CTA-to-NCCT motion (``cta_to_ncct``, a 4x4 LPS matrix) is in the
document since schema 1.4, so the viewer can show the NCCT on the CTA grid; a document
written before has none (``None``: no "NCCT on CTA grid" series).
"""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from strokescope.errors import InputError
from strokescope.outputs.read_back import RESULTS_JSON, read_document, read_named_mask
from strokescope.thrombus.result import AxialProfile, Thrombus, ThrombusResult

_THROMBUS_FIELDS = tuple(f.name for f in fields(Thrombus))


def _thrombus(record: dict[str, Any]) -> Thrombus:
    values = {name: record[name] for name in _THROMBUS_FIELDS if name in record}
    values["centroid_lps"] = tuple(float(v) for v in values["centroid_lps"])
    if values.get("axial_profile") is not None:
        values["axial_profile"] = AxialProfile.from_dict(values["axial_profile"])
    return Thrombus(**values)


def _motion(value: Any) -> npt.NDArray[np.float64] | None:
    """The 4x4 CTA-to-NCCT matrix of the document (``None``: not registered, or a document
    from before schema 1.4)."""
    if value is None:
        return None
    matrix = np.asarray(value, dtype=np.float64)
    if matrix.shape != (4, 4) or not np.isfinite(matrix).all():
        raise ValueError(f"cta_to_ncct is not a finite 4x4 matrix (shape {matrix.shape})")
    return matrix


def read_thrombus_result(folder: str | Path) -> ThrombusResult:
    """The thrombus result of the results folder ``folder`` (``results.json`` + mask).

    Raises
    ------
    InputError
        No or unreadable ``results.json``, an unknown schema major version, no thrombus
        result in it, or its mask missing or unreadable (one line each).
    """
    folder = Path(folder)
    doc = read_document(folder)
    t = doc.get("thrombus")
    if not isinstance(t, dict):
        raise InputError(f"{folder}: the results hold no thrombus result")
    try:
        values: dict[str, Any] = {
            "thrombi": tuple(_thrombus(r) for r in t["thrombi"]),
            "occlusion": bool(t["occlusion"]),
            "lvo": bool(t["lvo"]),
            "occlusion_class": t["occlusion_class"],
            "cta_to_ncct": _motion(t.get("cta_to_ncct")),
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
    if t.get("ncct_screening") is not None:
        from strokescope.vessels.hyperdense import NcctScreening

        try:
            values["ncct_screening"] = NcctScreening.from_dict(t["ncct_screening"])
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"{folder / RESULTS_JSON}: unreadable NCCT screening ({exc})") from exc
    if t.get("arteries") is not None:
        from strokescope.vessels.reading import TreeReading

        try:
            values["arteries"] = TreeReading.from_dict(t["arteries"])
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(f"{folder / RESULTS_JSON}: unreadable arterial tree ({exc})") from exc
    return ThrombusResult(mask=read_named_mask(folder, doc, "thrombus"), **values)
