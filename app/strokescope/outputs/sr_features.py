"""The recanalization-related features of a study as one TID 1501 measurement group.

One group per thrombus analysis (tracking identifier "Recanalization-related features"),
after the thrombus groups: each present numeric feature a TID 300 measurement with the
codes the thrombus groups use where a standard concept exists (length, volume, mean NCCT
attenuation, perviousness) and local ``99STRKSCP`` codes otherwise; occlusion site and side
as qualitative evaluations; each absent feature a qualitative evaluation "Not assessed"
(under the concept its measurement would have) with the reason as a TEXT property. Labels
and units come from :mod:`strokescope.outcome.definitions` via
:mod:`strokescope.outputs.codes`.

When an outcome model ran, its probability P(mTICI >= 2c) joins the group as one more
measurement (local code ``outcome-probability``, UCUM unit "1") with its own TID 4019
algorithm identification: the model's name and version, and as parameters the model
card's line (training cohort, its size, cross-validated AUC) and its input features. A
model that could not run on this study (an input absent) gives "Not assessed" with the
reason and the model card's line.
"""

from __future__ import annotations

from dataclasses import dataclass

import highdicom as hd
from pydicom.sr.coding import Code

from strokescope.outcome.definitions import SECTION_TITLE
from strokescope.outcome.features import Feature, features_from_thrombus
from strokescope.outcome.prediction import OutcomePrediction
from strokescope.outputs import codes as cc
from strokescope.thrombus.result import ThrombusResult

SIDES = {**cc.SIDE_LATERALITY, "midline": cc.MIDLINE}


@dataclass(frozen=True)
class Concept:
    """How one feature is coded: its concept name, and for a number its unit and the
    derivation and method that tell it apart from other measurements of that concept."""

    name: Code
    unit: Code | None = None
    derivation: Code | None = None
    method: Code | None = None


CONCEPTS: dict[str, Concept] = {
    "occlusion_site": Concept(cc.OCCLUSION_SITE),
    "occlusion_side": Concept(cc.LATERALITY),
    "clot_length_mm": Concept(cc.LENGTH, cc.UNIT_MM),
    "clot_volume_mm3": Concept(cc.VOLUME, cc.UNIT_MM3, method=cc.VOXEL_SUM_METHOD),
    "ncct_density_hu": Concept(
        cc.ATTENUATION, cc.UNIT_HU, derivation=cc.MEAN, method=cc.ON_NCCT_METHOD
    ),
    "relative_attenuation": Concept(cc.RELATIVE_ATTENUATION, cc.UNIT_RATIO),
    "perviousness_hu": Concept(cc.PERVIOUSNESS, cc.UNIT_HU),
    "distance_ica_terminus_mm": Concept(cc.DISTANCE_ICA_TERMINUS, cc.UNIT_MM),
    "clot_burden_score": Concept(cc.CLOT_BURDEN_SCORE, cc.UNIT_SCORE),
    "collateral_grade": Concept(cc.COLLATERAL_GRADE, cc.UNIT_GRADE),
}


def not_assessed(name: Code, reason: str) -> hd.sr.QualitativeEvaluation:
    """``name``: "Not assessed", with the reason as a TEXT property of that item."""
    evaluation = hd.sr.QualitativeEvaluation(name, cc.NOT_ASSESSED)
    evaluation[0].ContentSequence = [
        hd.sr.TextContentItem(
            name=cc.REASON_NOT_ASSESSED,
            value=reason[:1024],  # UT is unbounded; a reason is one line
            relationship_type=hd.sr.RelationshipTypeValues.HAS_PROPERTIES,
        )
    ]
    return evaluation


def _text_value(name: str, feature: Feature) -> Code:
    value = str(feature.value)
    return SIDES[value] if name == "occlusion_side" else cc.segment_code(value)


def outcome_model_id(outcome: OutcomePrediction) -> hd.sr.AlgorithmIdentification:
    """TID 4019 of the outcome model: name, version, and the model card's line (cohort,
    its size, cross-validated AUC) and input features as parameters."""
    return hd.sr.AlgorithmIdentification(
        name=outcome.model_name or "outcome model",
        version=outcome.model_version or "unknown",
        parameters=[f"model card: {outcome.model}", f"features: {', '.join(outcome.features)}"],
    )


def _outcome_items(
    outcome: OutcomePrediction,
) -> tuple[list[hd.sr.Measurement], list[hd.sr.QualitativeEvaluation]]:
    """The probability as a measurement, or "Not assessed" with the reason."""
    if outcome.probability is None:
        reason = f"{outcome.reason}; outcome model: {outcome.model}"
        return [], [not_assessed(cc.OUTCOME_PROBABILITY, reason)]
    probability = hd.sr.Measurement(
        name=cc.OUTCOME_PROBABILITY,
        value=outcome.probability,
        unit=cc.UNIT_RATIO,
        algorithm_id=outcome_model_id(outcome),
    )
    return [probability], []


def feature_group(
    thrombus: ThrombusResult,
    algorithm: hd.sr.AlgorithmIdentification,
    outcome: OutcomePrediction | None = None,
) -> hd.sr.MeasurementsAndQualitativeEvaluations:
    """The features of ``thrombus``'s study (its largest clot) as one measurement group,
    with ``outcome``'s probability when an outcome model ran."""
    measurements: list[hd.sr.Measurement] = []
    evaluations: list[hd.sr.QualitativeEvaluation] = []
    for name, feature in features_from_thrombus(thrombus).items():
        c = CONCEPTS[name]
        number = feature.number()
        if feature.reason is not None:
            evaluations.append(not_assessed(c.name, feature.reason))
        elif c.unit is None:
            evaluations.append(hd.sr.QualitativeEvaluation(c.name, _text_value(name, feature)))
        elif number is not None:
            measurements.append(
                hd.sr.Measurement(
                    name=c.name,
                    value=number,
                    unit=c.unit,
                    derivation=c.derivation,
                    method=c.method,
                    algorithm_id=algorithm,
                )
            )
    if outcome is not None:
        more, evaluated = _outcome_items(outcome)
        measurements += more
        evaluations += evaluated
    clot = thrombus.headline()
    site = hd.sr.FindingSite(
        anatomic_location=cc.CEREBRAL_ARTERY if clot is None else cc.site_code(clot.segment),
        laterality=None if clot is None else cc.SIDE_LATERALITY.get(clot.side),
    )
    return hd.sr.MeasurementsAndQualitativeEvaluations(
        tracking_identifier=hd.sr.TrackingIdentifier(uid=hd.UID(), identifier=SECTION_TITLE),
        finding_type=cc.THROMBUS,
        finding_sites=[site],
        algorithm_id=algorithm,
        measurements=measurements or None,
        qualitative_evaluations=evaluations or None,
    )
