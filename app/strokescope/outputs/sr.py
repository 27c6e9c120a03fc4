"""Comprehensive 3D SR following TID 1500 (Measurement Report), written with highdicom.

One TID 1411 volumetric measurement group per thrombus (volume, length, maximum diameter,
mean attenuation on the NCCT and on the CTA, each labelled by its measurement method,
perviousness) and one for the hemorrhage (volume by voxel sum and by
ABC/2). Each group references its SEG segment (thrombi: segment "Thrombus"; all thrombi of
a study share that segment and are told apart by their tracking identifier), and records
the algorithm (name, version, model SHA-256 as parameters, TID 4019). A finding whose mask
is empty (no SEG segment) becomes a TID 1501 group without a segment reference.

The finding itself is coded in every thrombus group as qualitative evaluations "Thrombus"
(present / absent / undetermined) and "Large vessel occlusion" (present / absent), so a
negative study ("Thrombus: absent") and one that could not be read ("Thrombus:
undetermined", e.g. no CTA) are results like any other; the group's tracking identifier
carries the impression line.

A thrombus analysis adds one TID 1501 group of the study's recanalization-related features
(:mod:`strokescope.outputs.sr_features`): numbers as measurements, absent features as "Not
assessed" with the reason, and an outcome model's probability when one ran.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import highdicom as hd
from pydicom.dataset import Dataset
from pydicom.sr.codedict import codes
from pydicom.sr.coding import Code

from strokescope import RESEARCH_ONLY
from strokescope.hemorrhage.result import HemorrhageResult
from strokescope.outcome.prediction import OutcomePrediction
from strokescope.outputs import codes as cc
from strokescope.outputs.codes import Algorithm
from strokescope.outputs.seg import MANUFACTURER, MODEL_NAME
from strokescope.outputs.sr_features import feature_group
from strokescope.outputs.sr_tree import tree_group
from strokescope.thrombus.result import Thrombus, ThrombusResult

Group = (
    hd.sr.VolumetricROIMeasurementsAndQualitativeEvaluations
    | hd.sr.MeasurementsAndQualitativeEvaluations
)


def _algorithm_id(alg: Algorithm) -> hd.sr.AlgorithmIdentification:
    params = [f"{k}={v}" for k, v in alg.parameters] or None
    return hd.sr.AlgorithmIdentification(name=alg.name, version=alg.version, parameters=params)


def _measurement(
    name: Code,
    value: float,
    unit: Code,
    alg: Algorithm,
    *,
    derivation: Code | None = None,
    method: Code | None = None,
) -> hd.sr.Measurement:
    return hd.sr.Measurement(
        name=name,
        value=float(value),
        unit=unit,
        derivation=derivation,
        method=method,
        algorithm_id=_algorithm_id(alg),
    )


def _group(
    *,
    identifier: str,
    finding: Code,
    site: hd.sr.FindingSite,
    alg: Algorithm,
    measurements: Sequence[hd.sr.Measurement],
    segment: hd.sr.ReferencedSegment | None,
    evaluations: Sequence[hd.sr.QualitativeEvaluation] = (),
) -> Group:
    common: dict[str, Any] = {
        "tracking_identifier": hd.sr.TrackingIdentifier(uid=hd.UID(), identifier=identifier),
        "finding_type": finding,
        "finding_sites": [site],
        "algorithm_id": _algorithm_id(alg),
        "measurements": list(measurements) or None,
        "qualitative_evaluations": list(evaluations) or None,
    }
    if segment is None:
        return hd.sr.MeasurementsAndQualitativeEvaluations(**common)
    return hd.sr.VolumetricROIMeasurementsAndQualitativeEvaluations(
        referenced_segment=segment, **common
    )


def _thrombus_evaluations(result: ThrombusResult) -> list[hd.sr.QualitativeEvaluation]:
    """The coded finding of the study: thrombus present/absent/undetermined, and LVO."""
    if not result.assessed:
        return [hd.sr.QualitativeEvaluation(cc.THROMBUS, cc.UNDETERMINED)]
    return [
        hd.sr.QualitativeEvaluation(cc.THROMBUS, cc.PRESENT if result.thrombi else cc.ABSENT),
        hd.sr.QualitativeEvaluation(
            cc.LARGE_VESSEL_OCCLUSION, cc.PRESENT if result.lvo else cc.ABSENT
        ),
    ]


def _thrombus_measurements(t: Thrombus, alg: Algorithm) -> list[hd.sr.Measurement]:
    return [
        _measurement(cc.VOLUME, t.volume_mm3, cc.UNIT_MM3, alg, method=cc.VOXEL_SUM_METHOD),
        _measurement(cc.LENGTH, t.length_mm, cc.UNIT_MM, alg),
        _measurement(cc.DIAMETER, t.max_diameter_mm, cc.UNIT_MM, alg, derivation=codes.SCT.Maximum),
        _measurement(
            cc.ATTENUATION,
            t.ncct_mean_hu,
            cc.UNIT_HU,
            alg,
            derivation=cc.MEAN,
            method=cc.ON_NCCT_METHOD,
        ),
        _measurement(
            cc.ATTENUATION,
            t.cta_mean_hu,
            cc.UNIT_HU,
            alg,
            derivation=cc.MEAN,
            method=cc.ON_CTA_METHOD,
        ),
        _measurement(cc.PERVIOUSNESS, t.perviousness_hu, cc.UNIT_HU, alg),
    ]


def _hemorrhage_measurements(h: HemorrhageResult, alg: Algorithm) -> list[hd.sr.Measurement]:
    out = [_measurement(cc.VOLUME, h.volume_ml, cc.UNIT_ML, alg, method=cc.VOXEL_SUM_METHOD)]
    if h.abc2 is not None:
        out.append(
            _measurement(cc.VOLUME, h.abc2.volume_ml, cc.UNIT_ML, alg, method=cc.ABC2_METHOD)
        )
    return out


def _thrombus_groups(
    thrombus: ThrombusResult,
    alg: Algorithm,
    segment: Callable[[], hd.sr.ReferencedSegment | None],
) -> list[Group]:
    """One group per thrombus, each with its own ``segment()`` reference, or one group
    without measurements when there is none."""
    evaluations = _thrombus_evaluations(thrombus)
    if not thrombus.thrombi:
        return [
            _group(
                identifier=f"Thrombus: {thrombus.impression()}",
                finding=cc.THROMBUS,
                site=hd.sr.FindingSite(anatomic_location=cc.CEREBRAL_ARTERY),
                alg=alg,
                measurements=(),
                segment=None,
                evaluations=evaluations,
            )
        ]
    return [
        _group(
            identifier=f"Thrombus {t.label} ({t.segment} {t.side}); impression: "
            f"{thrombus.impression()}",
            finding=cc.THROMBUS,
            site=hd.sr.FindingSite(
                anatomic_location=cc.site_code(t.segment), laterality=cc.SIDE_LATERALITY.get(t.side)
            ),
            alg=alg,
            measurements=_thrombus_measurements(t, alg),
            segment=segment(),
            evaluations=evaluations,
        )
        for t in thrombus.thrombi
    ]


def build_sr(
    headers: Sequence[Dataset],
    *,
    seg: Dataset | None,
    segment_numbers: dict[str, int],
    thrombus: ThrombusResult | None,
    hemorrhage: HemorrhageResult | None,
    outcome: OutcomePrediction | None = None,
    thrombus_algorithm: Algorithm,
    hemorrhage_algorithm: Algorithm,
    series_uid: str,
    sop_uid: str,
    device_uid: str,
    series_number: int = 902,
) -> hd.sr.Comprehensive3DSR:
    """A TID 1500 measurement report on the source series ``headers``.

    ``segment_numbers`` maps ``"thrombus"``/``"hemorrhage"`` to the SEG segment number of
    ``seg`` (missing: no segment, the group then has no segment reference); ``outcome``
    is the outcome model's prediction for ``thrombus`` when one ran.
    """
    source_series = hd.sr.SourceSeriesForSegmentation(str(headers[0].SeriesInstanceUID))

    def segment_ref(kind: str) -> hd.sr.ReferencedSegment | None:
        if seg is None or kind not in segment_numbers:
            return None
        return hd.sr.ReferencedSegment(
            sop_class_uid=seg.SOPClassUID,
            sop_instance_uid=seg.SOPInstanceUID,
            segment_number=segment_numbers[kind],
            source_series=source_series,
        )

    groups: list[Group] = []
    if thrombus is not None:
        groups += _thrombus_groups(thrombus, thrombus_algorithm, lambda: segment_ref("thrombus"))
        groups.append(feature_group(thrombus, _algorithm_id(thrombus_algorithm), outcome))
        if thrombus.arteries is not None:
            groups.append(tree_group(thrombus.arteries, _algorithm_id(thrombus_algorithm)))
    if hemorrhage is not None:
        groups.append(
            _group(
                identifier=f"Hemorrhage; impression: {hemorrhage.impression()}",
                finding=cc.HEMORRHAGE,
                site=hd.sr.FindingSite(anatomic_location=cc.BRAIN),
                alg=hemorrhage_algorithm,
                measurements=_hemorrhage_measurements(hemorrhage, hemorrhage_algorithm),
                segment=segment_ref("hemorrhage"),
            )
        )
    context = hd.sr.ObservationContext(
        observer_device_context=hd.sr.ObserverContext(
            observer_type=codes.DCM.Device,
            observer_identifying_attributes=hd.sr.DeviceObserverIdentifyingAttributes(
                uid=device_uid, name=MODEL_NAME, manufacturer_name=MANUFACTURER
            ),
        )
    )
    report = hd.sr.MeasurementReport(
        observation_context=context,
        procedure_reported=cc.CT_OF_HEAD,
        imaging_measurements=groups,
    )
    evidence = [*headers, *([seg] if seg is not None else [])]
    return hd.sr.Comprehensive3DSR(
        evidence=evidence,
        content=report[0],
        series_instance_uid=series_uid,
        series_number=series_number,
        sop_instance_uid=sop_uid,
        instance_number=1,
        manufacturer=MANUFACTURER,
        is_complete=True,
        is_final=False,
        is_verified=False,
        series_description=f"StrokeScope SR ({RESEARCH_ONLY.rstrip('.').lower()})"[:64],
    )
