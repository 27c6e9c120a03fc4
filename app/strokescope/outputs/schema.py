"""The JSON results document (``results.json``), versioned by ``schema_version``.

Version history
---------------
1.0
    First release.
1.1
    ``impression`` (top level, and in ``thrombus`` and ``hemorrhage``) and
    ``thrombus.not_assessed_reason``; readers of 1.0 can ignore them.
1.2
    ``files.source``: the de-identified source images of an anonymised export.
1.3
    ``cta_lumen_in_line`` and ``cta_missing_artery`` per thrombus (the CTA signs of an
    occluded artery, :mod:`strokescope.thrombus.vessel_evidence`); absent in older files.
1.4
    ``thrombus.cta_to_ncct``: the rigid CTA-to-NCCT motion the analysis registered (4x4
    LPS matrix as a list of rows, ``null`` when not assessed), so a reader can show the
    NCCT on the CTA grid; and ``seed`` per ``hemorrhage.rois`` record (the voxel [k, j, i]
    clicked to propose the box, ``null`` for a drawn or typed box), so a reader can
    measure the same boxes again. Both absent in older files. Also ``axial_profile`` per
    thrombus (distance_mm, cta_hu, ncct_hu along its axis and 10 mm beyond its ends,
    :mod:`strokescope.thrombus.axial_profile`).
1.5
    ``outcome``: the study's recanalization-related features and the outcome model's
    prediction (absent in older files).
1.6
    ``outcome.prediction.model_name`` and ``model_version``: which installed outcome model
    gave the probability (absent in older files).
1.7
    ``collateral_ratio`` per thrombus (:mod:`strokescope.thrombus.collaterals`; ``null``
    when not graded) and, from it, the ``collateral_grade`` feature (absent in older files).
1.8
    ``thrombus.ncct_screening``: without a CTA, the hyperdense arteries found along the
    NCCT's arterial map (``flagged``, ``stretches`` with side, estimated segment, length_mm,
    mean_hu, contralateral_hu, ratio, centroid_lps; ``blood_ml`` outside the map and
    ``withheld``, true when that blood withheld the stretches; ``map_version``, ``rule``,
    ``notice``: possible occlusion, CTA needed, never a thrombus measurement); ``null``
    when it did not run (a CTA was given, or no arterial map is installed); absent in older
    files.
1.9
    ``found_by`` per thrombus: ``"network"``, or ``"basilar profile"`` when the second look
    at the basilar artery's CTA profile found it where the networks found nothing
    (:mod:`strokescope.vessels.basilar_gap`); absent in older files.
1.10
    ``thrombus.arteries``: the labelled arterial tree when asked for (``strokescope thrombus
    --arteries``; :mod:`strokescope.vessels.reading`): ``caveat``, ``clot_burden_score``
    (score, side, occluded_parts), ``segments`` (label, side, status, drop_mm, length_mm,
    points_lps, radius_mm, ``profile``: reference, distance_mm, cta_hu, enhancement_hu,
    opacified), ``termini_lps``, ``basilar_tip_lps``, ``edges``, ``thrombi`` (per
    thrombus: segment, side, distance_mm from the reference to its proximal end,
    not_opacified_fraction, profile_agrees), ``warnings`` (network and profile disagree),
    ``tree_warnings``, ``seconds``; ``null`` when not asked for; absent in older files.

Layout (all lengths mm, volumes as named: ``*_mm3`` or ``*_ml``, attenuation HU)
--------------------------------------------------------------------------------
``schema_version``
    ``"1.10"`` (see the history above); a reader should refuse a major version it does not
    know.
``notice``
    Always "Research use only, not for diagnosis."
``impression``
    The headline finding(s), one line per analysis, in report order (e.g. "Left M1
    occlusion (LVO): thrombus 18 mm, 92 mm3", "No occlusion found on NCCT + CTA",
    "Thrombus not assessed: no CTA series ...", "Hemorrhage 23.6 mL (ABC/2 25.1 mL)").
``software``
    ``{"name": "StrokeScope", "version": ...}``.
``created``
    ISO 8601 local time of the export, or ``null`` when de-identified.
``anonymized``
    Whether the PS3.15 Basic Profile was applied (then ``study`` holds the pseudonym and
    new UIDs, which match the exported DICOM objects).
``study``
    Patient and study attributes of the analysed series (name, ID, birth date, sex,
    study date and description, accession number, study/series/frame-of-reference UIDs).
``thrombus``
    ``null`` or :meth:`strokescope.thrombus.result.ThrombusResult.to_dict`: ``thrombi``
    (one record per clot: label, volume_mm3, length_mm, max_diameter_mm, ncct_mean_hu,
    ncct_sd_hu, cta_mean_hu, perviousness_hu, relative_attenuation, side,
    centroid_lps, segment, probability_mean, cta_lumen_in_line, cta_missing_artery,
    axial_profile, collateral_ratio, found_by),
    occlusion, lvo, occlusion_class, total_volume_mm3, registration_metric, cta_to_ncct,
    model_version, model_sha256, decision_rule, ncct_screening, arteries, ...
``hemorrhage``
    ``null`` or :meth:`strokescope.hemorrhage.result.HemorrhageResult.to_dict`: volume_ml,
    global_50_80_volume_ml, abc2 (a_mm, b_mm, c_mm, slice_index, slice_count,
    volume_ml, lesion_ml), rois (the box as ROI text, its seed, the Table 1 rule and
    volumes), slice_areas_mm2, warnings, timings.
``outcome``
    ``null`` without a thrombus analysis, else ``features``: one object per feature of
    :mod:`strokescope.outcome.definitions` (``value``: a number or text, ``unit``,
    ``reason``: why it is absent, ``null`` when present; never 0 for unknown), and
    ``prediction``: ``null`` when no outcome model was run (none ships), else
    ``probability`` (P(mTICI >= 2c), ``null`` with a ``reason`` when one of the model's
    features is absent), ``model`` (the model card's cohort, size and cross-validated
    AUC), ``features`` (the model's inputs), ``model_name`` and ``model_version`` (the
    model folder's manifest).
``measurements``
    The report's table: finding, name, value, unit, method (value ``null`` if unknown).
``files``
    File names inside the results folder: seg, sr, pdf, pdf_dicom (``null`` when not
    written), csv and masks (NIfTI file names); in an anonymised export also ``source``,
    the de-identified source images the SEG and SR reference (``source/IM0001.dcm``, ...).
``dicom``
    SOP Instance UIDs of the SEG, SR and Encapsulated PDF (``null`` when not written).
``warnings``
    Every warning of the loader, the analyses and the export, one line each.
"""

from __future__ import annotations

from typing import Any

SCHEMA_VERSION = "1.10"

_NUM = {"type": ["number", "null"]}
_STR_OR_NULL = {"type": ["string", "null"]}


def _objects(*required: str) -> dict[str, Any]:
    """An array of objects, each with the ``required`` keys."""
    return {"type": "array", "items": {"type": "object", "required": list(required)}}


RESULTS_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://strokescope.invalid/schema/results-1.0.json",
    "title": "StrokeScope results",
    "type": "object",
    "required": [
        "schema_version",
        "notice",
        "impression",
        "software",
        "created",
        "anonymized",
        "study",
        "thrombus",
        "hemorrhage",
        "outcome",
        "measurements",
        "files",
        "dicom",
        "warnings",
    ],
    "properties": {
        "schema_version": {"type": "string", "const": SCHEMA_VERSION},
        "notice": {"type": "string"},
        "impression": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        "software": {
            "type": "object",
            "required": ["name", "version"],
            "properties": {"name": {"type": "string"}, "version": {"type": "string"}},
        },
        "created": _STR_OR_NULL,
        "anonymized": {"type": "boolean"},
        "study": {
            "type": "object",
            "required": [
                "patient_name",
                "patient_id",
                "patient_birth_date",
                "patient_sex",
                "study_date",
                "study_description",
                "accession_number",
                "study_uid",
                "series_uid",
                "series_description",
                "frame_of_reference_uid",
            ],
            "additionalProperties": {"type": "string"},
        },
        "thrombus": {
            "type": ["object", "null"],
            "required": ["thrombi", "occlusion", "lvo", "occlusion_class", "model_version"],
            "properties": {
                "thrombi": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "required": [
                            "label",
                            "volume_mm3",
                            "length_mm",
                            "ncct_mean_hu",
                            "perviousness_hu",
                            "side",
                            "segment",
                        ],
                        "properties": {
                            "found_by": {"type": "string", "enum": ["network", "basilar profile"]}
                        },
                    },
                },
                "occlusion": {"type": "boolean"},
                "lvo": {"type": "boolean"},
                "occlusion_class": {
                    "type": "string",
                    "enum": ["LVO", "MeVO", "none", "not assessed"],
                },
                "assessed": {"type": "boolean"},
                "impression": {"type": "string"},
                "not_assessed_reason": _STR_OR_NULL,
                "cta_to_ncct": {
                    "type": ["array", "null"],
                    "minItems": 4,
                    "maxItems": 4,
                    "items": {
                        "type": "array",
                        "minItems": 4,
                        "maxItems": 4,
                        "items": {"type": "number"},
                    },
                },
                "model_version": {"type": "string"},
                "arteries": {
                    "type": ["object", "null"],
                    "required": ["caveat", "clot_burden_score", "segments", "thrombi", "warnings"],
                    "properties": {
                        "clot_burden_score": {
                            "type": "object",
                            "required": ["score", "side", "occluded_parts"],
                            "properties": {
                                "score": {"type": "integer", "minimum": 0, "maximum": 10}
                            },
                        },
                        "segments": _objects("label", "side", "status", "profile", "points_lps"),
                        "thrombi": _objects("thrombus", "segment", "distance_mm", "profile_agrees"),
                    },
                },
                "ncct_screening": {
                    "type": ["object", "null"],
                    "required": ["flagged", "stretches", "map_version", "rule", "notice"],
                    "properties": {
                        "flagged": {"type": "boolean"},
                        "stretches": _objects("side", "segment", "length_mm", "mean_hu"),
                    },
                },
            },
        },
        "hemorrhage": {
            "type": ["object", "null"],
            "required": ["volume_ml", "global_50_80_volume_ml", "abc2", "rois", "warnings"],
            "properties": {"volume_ml": {"type": "number"}, "abc2": {"type": ["object", "null"]}},
        },
        "outcome": {
            "type": ["object", "null"],
            "required": ["features", "prediction"],
            "properties": {
                "features": {
                    "type": "object",
                    "additionalProperties": {
                        "type": "object",
                        "required": ["value", "unit", "reason"],
                        "properties": {
                            "value": {"type": ["number", "string", "null"]},
                            "unit": {"type": "string"},
                            "reason": _STR_OR_NULL,
                        },
                    },
                },
                "prediction": {
                    "type": ["object", "null"],
                    "required": ["probability", "reason", "model", "features"],
                    "properties": {
                        "probability": {"type": ["number", "null"], "minimum": 0, "maximum": 1},
                        "reason": _STR_OR_NULL,
                        "model": {"type": "string"},
                        "model_name": {"type": "string"},
                        "model_version": {"type": "string"},
                    },
                },
            },
        },
        "measurements": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["finding", "name", "value", "unit", "method"],
                "properties": {
                    "finding": {"type": "string"},
                    "name": {"type": "string"},
                    "value": _NUM,
                    "unit": {"type": "string"},
                    "method": {"type": "string"},
                },
            },
        },
        "files": {
            "type": "object",
            "required": ["seg", "sr", "pdf", "pdf_dicom", "csv", "masks"],
            "properties": {
                "seg": _STR_OR_NULL,
                "sr": _STR_OR_NULL,
                "pdf": {"type": "string"},
                "pdf_dicom": _STR_OR_NULL,
                "csv": {"type": "string"},
                "masks": {"type": "array", "items": {"type": "string"}},
                "source": {"type": "array", "items": {"type": "string"}},
            },
        },
        "dicom": {
            "type": "object",
            "required": ["seg_sop_instance_uid", "sr_sop_instance_uid", "pdf_sop_instance_uid"],
            "additionalProperties": _STR_OR_NULL,
        },
        "warnings": {"type": "array", "items": {"type": "string"}},
    },
}
