"""The arterial tree in the DICOM SR: one TID 1501 measurement group, when it was traced.

Tracking identifier "Arterial tree" and the tree's caveat; the clot burden score [Puetz2008]
as a TID 300 measurement (local code ``clot-burden``, unit "{score}"); each labelled segment
a qualitative evaluation, its concept the segment on its side (local code, e.g. ``L-M1`` for
"left M1 segment") and its value opacified, not opacified or reduced; each thrombus's
distance from the ICA terminus to its proximal end along the tree, a measurement named
after its thrombus (local code ``dist-ica-t<label>``, "Thrombus <label>: distance from ICA
terminus"; the headline clot's also stands among the recanalization-related features). The
method is :mod:`strokescope.vessels`.
"""

from __future__ import annotations

import highdicom as hd
from pydicom.sr.coding import Code

from strokescope.outputs import codes as cc
from strokescope.vessels.reading import TREE_CAVEAT, TreeReading
from strokescope.vessels.result import NOT_OPACIFIED, OPACIFIED, REDUCED

ARTERIAL_TREE = Code("arterial-tree", cc.LOCAL_SCHEME, "Arterial tree")
STATUS = {
    OPACIFIED: Code("opacified", cc.LOCAL_SCHEME, "Opacified"),
    NOT_OPACIFIED: Code("not-opacified", cc.LOCAL_SCHEME, "Not opacified"),
    REDUCED: Code("reduced-opac", cc.LOCAL_SCHEME, "Reduced opacification"),
}
_SHORT = {
    "ICA infraclinoid": "ICAi",
    "ICA supraclinoid": "ICAs",
    "M2 superior": "M2s",
    "M2 inferior": "M2i",
}


def tree_segment_code(label: str, side: str) -> Code:
    """The labelled segment on its side, e.g. ``L-M1`` "left M1 segment" (values <= 16)."""
    prefix = {"left": "L-", "right": "R-"}.get(side, "")
    return Code(
        f"{prefix}{_SHORT.get(label, label)}"[:16], cc.LOCAL_SCHEME, f"{side} {label} segment"
    )


def tree_group(
    reading: TreeReading, algorithm: hd.sr.AlgorithmIdentification
) -> hd.sr.MeasurementsAndQualitativeEvaluations:
    """The tree's measurement group (see the module docstring)."""
    measurements = [
        hd.sr.Measurement(
            name=cc.CLOT_BURDEN_SCORE,
            value=float(reading.tree.clot_burden.score),
            unit=cc.UNIT_SCORE,
            algorithm_id=algorithm,
        )
    ]
    for clot in reading.clots:
        if clot.distance_mm is not None and clot.reference == "ICA terminus":
            measurements.append(
                hd.sr.Measurement(
                    name=Code(
                        f"dist-ica-t{clot.thrombus}"[:16],
                        cc.LOCAL_SCHEME,
                        f"Thrombus {clot.thrombus}: distance from ICA terminus",
                    ),
                    value=float(clot.distance_mm),
                    unit=cc.UNIT_MM,
                    algorithm_id=algorithm,
                )
            )
    evaluations = [
        hd.sr.QualitativeEvaluation(tree_segment_code(s.label, s.side), STATUS[s.status])
        for s in reading.tree.segments
    ]
    return hd.sr.MeasurementsAndQualitativeEvaluations(
        tracking_identifier=hd.sr.TrackingIdentifier(
            uid=hd.UID(), identifier=f"Arterial tree. {TREE_CAVEAT}"[:64]
        ),
        finding_type=ARTERIAL_TREE,
        finding_sites=[hd.sr.FindingSite(anatomic_location=cc.CEREBRAL_ARTERY)],
        algorithm_id=algorithm,
        measurements=measurements,
        qualitative_evaluations=evaluations,
    )
