"""Read an HT result back from the results folder an export wrote.

The export (:func:`strokescope.pipeline.export_results`) writes ``results.json``, whose
``hemorrhage`` object is :meth:`HemorrhageResult.to_dict`, and the HT mask as NIfTI (named
in ``files.masks``). :func:`read_hemorrhage_result` turns both back into a
:class:`HemorrhageResult`, so a viewer shows what the DICOM node measured without
measuring again.

The document holds its numbers at its own precision (volumes to 0.001 mL, HU to 0.01,
areas to 0.01 mm2, lengths to 0.01 mm), so those fields equal the measured ones to that
precision; the mask is the same. The global 50-80 HU segment's mask is not exported:
``global_mask`` is ``None`` (its volume and ABC/2 are read back). Each box gets its click
back (``seed``) from schema 1.4 on; keys an older 1.x document lacks take their defaults:
no seed, nothing dropped, and ABC/2 measured on the whole mask (as it was then).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from strokescope.errors import InputError
from strokescope.hemorrhage.abc2 import Abc2
from strokescope.hemorrhage.result import HemorrhageResult, RoiResult, SliceArea
from strokescope.hemorrhage.roi import Roi, parse_roi
from strokescope.hemorrhage.rules import TABLE_1, ThresholdRule
from strokescope.outputs.read_back import RESULTS_JSON, read_document, read_named_mask
from strokescope.volume import Geometry

_RULES = {rule.label: rule for rule in TABLE_1}


def _abc2(record: dict[str, Any] | None, whole_ml: float) -> Abc2 | None:
    if record is None:
        return None
    return Abc2(
        a_mm=float(record["a_mm"]),
        b_mm=float(record["b_mm"]),
        c_mm=float(record["c_mm"]),
        slice_index=int(record["slice_index"]),
        slice_count=float(record["slice_count"]),
        volume_ml=float(record["volume_ml"]),
        lesion_ml=float(record.get("lesion_ml", whole_ml)),
    )


def _optional(value: Any) -> float | None:
    return None if value is None else float(value)


def _rule(label: str | None) -> ThresholdRule | None:
    if label is None:
        return None
    if label not in _RULES:
        raise ValueError(f"unknown Table 1 rule {label!r}")
    return _RULES[label]


def _roi(record: dict[str, Any], geometry: Geometry) -> RoiResult:
    box = parse_roi(str(record["roi"]), geometry)
    seed = record.get("seed")
    if seed is not None:
        k, j, i = (int(v) for v in seed)
        box = Roi(y=box.y, x=box.x, z=box.z, seed=(k, j, i))
    window = record["window_hu"]
    return RoiResult(
        roi=box,
        initial_voxel_count=int(record["initial_voxel_count"]),
        initial_mean_hu=_optional(record["initial_mean_hu"]),
        sd_hu=_optional(record["sd_hu"]),
        rule=_rule(record["rule"]),
        window_hu=None if window is None else (float(window[0]), float(window[1])),
        volume_ml=float(record["volume_ml"]),
        global_volume_ml=float(record["global_volume_ml"]),
        warnings=tuple(str(w) for w in record.get("warnings", ())),
        dropped_ml=float(record.get("dropped_ml", 0.0)),
        dropped_components=int(record.get("dropped_components", 0)),
        global_dropped_ml=float(record.get("global_dropped_ml", 0.0)),
    )


def _area(record: dict[str, Any]) -> SliceArea:
    return SliceArea(
        int(record["slice"]), float(record["area_mm2"]), float(record["global_area_mm2"])
    )


def read_hemorrhage_result(folder: str | Path) -> HemorrhageResult:
    """The HT result of the results folder ``folder`` (``results.json`` + mask).

    Raises
    ------
    InputError
        No or unreadable ``results.json``, an unknown schema major version, no HT result
        in it or an incomplete one, or its mask missing or unreadable (one line each).
    """
    folder = Path(folder)
    doc = read_document(folder)
    h = doc.get("hemorrhage")
    if not isinstance(h, dict):
        raise InputError(f"{folder}: the results hold no hemorrhage result")
    mask = read_named_mask(folder, doc, "hemorrhage")
    try:
        volume_ml = float(h["volume_ml"])
        global_ml = float(h["global_50_80_volume_ml"])
        result = HemorrhageResult(
            mask=mask,
            global_mask=None,
            volume_ml=volume_ml,
            global_volume_ml=global_ml,
            slice_areas=tuple(_area(a) for a in h.get("slice_areas_mm2", ())),
            rois=tuple(_roi(r, mask.geometry) for r in h["rois"]),
            abc2=_abc2(h["abc2"], volume_ml),
            global_abc2=_abc2(h.get("global_abc2"), global_ml),
            warnings=tuple(str(w) for w in h.get("warnings", ())),
            preprocess_seconds=float(h.get("preprocess_seconds", 0.0)),
            segment_seconds=float(h.get("segment_seconds", 0.0)),
        )
    except (KeyError, TypeError, ValueError, IndexError, InputError) as exc:
        raise InputError(f"{folder / RESULTS_JSON}: incomplete hemorrhage result ({exc})") from exc
    return result
