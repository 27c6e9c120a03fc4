"""Coded concepts used in the DICOM objects, and how the algorithms identify themselves.

SNOMED CT (``SCT``) and DICOM (``DCM``) codes come from pydicom's code dictionary;
measurements without a standard concept (perviousness, the recanalization-related features
of :mod:`strokescope.outcome.definitions` that are not a length, volume or attenuation) use
the local coding scheme ``99STRKSCP`` (a "99" private designator as PS3.16 8.2 allows), with
the feature's label as the code meaning.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydicom.sr.codedict import codes
from pydicom.sr.coding import Code

from strokescope import __version__
from strokescope.outcome.definitions import BY_NAME
from strokescope.outcome.prediction import OUTCOME

LOCAL_SCHEME = "99STRKSCP"

MORPHOLOGICALLY_ALTERED = Code("49755003", "SCT", "Morphologically Altered Structure")
ANATOMICAL_STRUCTURE = codes.SCT.AnatomicalStructure
THROMBUS = codes.SCT.Thrombus
HEMORRHAGE = codes.SCT.Hemorrhage
BRAIN = codes.SCT.Brain
MIDDLE_CEREBRAL_ARTERY = codes.SCT.MiddleCerebralArtery
INTERNAL_CAROTID_ARTERY = Code("86117002", "SCT", "Internal carotid artery")
ANTERIOR_CEREBRAL_ARTERY = Code("60176003", "SCT", "Anterior cerebral artery")
CEREBRAL_ARTERY = Code("88556005", "SCT", "Cerebral artery")
BASILAR_ARTERY = Code("59011009", "SCT", "Basilar artery")
CT_OF_HEAD = codes.SCT.ComputedTomographyOfHead

VOLUME = codes.SCT.Volume
LENGTH = codes.SCT.Length
DIAMETER = codes.SCT.Diameter
MEAN = codes.SCT.Mean
ATTENUATION = codes.DCM.AttenuationCoefficient
PERVIOUSNESS = Code("perviousness", LOCAL_SCHEME, "Thrombus perviousness (CTA - NCCT)")
ABC2_METHOD = Code("abc2", LOCAL_SCHEME, "ABC/2 ellipsoid estimate")
VOXEL_SUM_METHOD = Code("126030", "DCM", "Sum of segmented voxel volumes")
ON_NCCT_METHOD = Code("on-ncct", LOCAL_SCHEME, "Mean over the clot core on the registered NCCT")
ON_CTA_METHOD = Code("on-cta", LOCAL_SCHEME, "Mean over the clot core on the CTA")
LARGE_VESSEL_OCCLUSION = Code("lvo", LOCAL_SCHEME, "Large vessel occlusion")
RELATIVE_ATTENUATION = Code("rel-attenuation", LOCAL_SCHEME, BY_NAME["relative_attenuation"].label)
DISTANCE_ICA_TERMINUS = Code(
    "dist-ica-term", LOCAL_SCHEME, BY_NAME["distance_ica_terminus_mm"].label
)
CLOT_BURDEN_SCORE = Code("clot-burden", LOCAL_SCHEME, BY_NAME["clot_burden_score"].label)
COLLATERAL_GRADE = Code("collateral-grade", LOCAL_SCHEME, BY_NAME["collateral_grade"].label)
OUTCOME_PROBABILITY = Code("outcome-probability", LOCAL_SCHEME, OUTCOME)
OCCLUSION_SITE = Code("occlusion-site", LOCAL_SCHEME, BY_NAME["occlusion_site"].label)
LATERALITY = codes.SCT.Laterality
MIDLINE = codes.SCT.Midline
SIDE_LATERALITY = {"left": codes.SCT.Left, "right": codes.SCT.Right}
"""Laterality of a finding on a side (a midline one has none)."""
NOT_ASSESSED = Code("not-assessed", LOCAL_SCHEME, "Not assessed")
REASON_NOT_ASSESSED = Code("reason-absent", LOCAL_SCHEME, "Reason not assessed")
PRESENT = codes.SCT.Present
ABSENT = codes.SCT.Absent
UNDETERMINED = codes.SCT.Undetermined  # not assessed: no reading was possible

UNIT_MM = Code("mm", "UCUM", "millimeter")
UNIT_MM3 = Code("mm3", "UCUM", "cubic millimeter")
UNIT_ML = Code("mL", "UCUM", "milliliter")
UNIT_HU = Code("[hnsf'U]", "UCUM", "Hounsfield unit")
UNIT_RATIO = Code("1", "UCUM", "no units")
UNIT_SCORE = Code("{score}", "UCUM", "score")
UNIT_GRADE = Code("{grade}", "UCUM", "grade")

SEGMENT_SITES = {
    "ICA": INTERNAL_CAROTID_ARTERY,
    "M1": MIDDLE_CEREBRAL_ARTERY,
    "M2": MIDDLE_CEREBRAL_ARTERY,
    "A1": ANTERIOR_CEREBRAL_ARTERY,
    "basilar": BASILAR_ARTERY,
}


def segment_code(segment: str) -> Code:
    """The vessel segment itself ("M1", "A1/P1", ...: local codes; SNOMED has no M1)."""
    return Code(segment[:16], LOCAL_SCHEME, f"{segment} segment")


def site_code(segment: str) -> Code:
    """Anatomic site of a vessel segment name ("M1", "ICA", ...; else cerebral artery)."""
    return SEGMENT_SITES.get(segment, CEREBRAL_ARTERY)


@dataclass(frozen=True)
class Algorithm:
    """Name, version and parameters recorded in SEG segments and SR measurement groups.

    ``version`` is short (DICOM LO, 64 characters); model checksums go to ``parameters``.
    """

    name: str
    version: str
    parameters: tuple[tuple[str, str], ...] = ()
    automatic: bool = True

    def parameter_text(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.parameters)


def thrombus_algorithm(model_version: str, model_sha256: dict[str, str]) -> Algorithm:
    params = tuple((f"sha256:{name}", digest) for name, digest in sorted(model_sha256.items()))
    return Algorithm(
        "StrokeScope thrombus",
        f"{__version__} model {model_version}"[:64],
        params,
        automatic=True,
    )


def tree_algorithm() -> Algorithm:
    return Algorithm(
        "StrokeScope arterial tree",
        __version__,
        (("method", "opacified lumen, minimal paths between landmarks, TopCoW labels"),),
        automatic=True,
    )


def hemorrhage_algorithm() -> Algorithm:
    return Algorithm(
        "StrokeScope HT SD-rule",
        __version__,
        (("method", "SD-rule adaptive thresholding, 50-80 HU initial window, user ROIs"),),
        automatic=False,
    )
