"""What each recanalization-related feature is: label, unit, one-line definition, sources.

The one place the features' words live: the JSON, CSV, DICOM SR, PDF report and the
viewer all take a feature's label, unit and definition from :data:`DEFINITIONS` (in the
field order of :class:`strokescope.outcome.features.OutcomeFeatures`). Sources are the
keys of ``docs/REFERENCES.md``.
"""

from __future__ import annotations

from dataclasses import dataclass

SECTION_TITLE = "Recanalization-related features"
"""The heading of the features in the PDF report and the viewer."""


@dataclass(frozen=True)
class FeatureDefinition:
    """One feature: its name, the label shown to a reader, the unit ("" for a text
    feature), the method in one line, the sources, and the decimals a value is shown with."""

    name: str
    label: str
    unit: str
    definition: str
    sources: tuple[str, ...] = ()
    decimals: int = 1

    def text(self) -> str:
        """The definition with its sources, e.g. "Mean NCCT HU in the clot [Moftakhar2013]"."""
        cited = f" [{', '.join(self.sources)}]" if self.sources else ""
        return f"{self.definition}{cited}"


DEFINITIONS: tuple[FeatureDefinition, ...] = (
    FeatureDefinition(
        "occlusion_site",
        "Occlusion site",
        "",
        "Vessel segment of the largest clot (ICA, M1, M2, A1/P1, basilar) by the centreline "
        "rule; proximal sites recanalise less often",
        ("Zhu2023", "Zhang2022"),
    ),
    FeatureDefinition(
        "occlusion_side", "Occlusion side", "", "Left, right or midline of the largest clot"
    ),
    FeatureDefinition(
        "clot_length_mm",
        "Clot length",
        "mm",
        "Length along the clot's 3-D skeleton, end to end; longer clots recanalise less often",
        ("Riedel2011",),
    ),
    FeatureDefinition(
        "clot_volume_mm3", "Clot volume", "mm3", "Volume of the segmented clot", ("Zhu2023",), 0
    ),
    FeatureDefinition(
        "ncct_density_hu",
        "Clot density (NCCT)",
        "HU",
        "Mean NCCT attenuation over the clot's core (its voxels with every neighbour in the "
        "clot: the rim shares the scanner's blur with the tissue round it); denser clots "
        "were retrieved more often",
        ("Moftakhar2013",),
    ),
    FeatureDefinition(
        "relative_attenuation",
        "Relative attenuation",
        "1",
        "Clot NCCT HU divided by the contralateral vessel's NCCT HU",
        ("Puig2012",),
        2,
    ),
    FeatureDefinition(
        "perviousness_hu",
        "Perviousness",
        "HU",
        "Mean CTA HU minus mean NCCT HU over the clot's core; pervious clots recanalise more often",
        ("Santos2016", "Mishra2014"),
    ),
    FeatureDefinition(
        "distance_ica_terminus_mm",
        "Distance from ICA terminus",
        "mm",
        "Distance along the artery from the ICA terminus to the clot's proximal end",
        ("Friedrich2015",),
    ),
    FeatureDefinition(
        "clot_burden_score",
        "Clot burden score",
        "points (0-10)",
        "Ten points less those of each segment without opacification on CTA",
        ("Puetz2008", "Tan2009"),
        0,
    ),
    FeatureDefinition(
        "collateral_grade",
        "Collateral grade",
        "grade (0-3)",
        "Contrast filling beyond an ICA or M1 clot over the mirrored MCA territory, graded",
        ("Tan2009",),
        0,
    ),
)
"""Every feature, in the field order of
:class:`~strokescope.outcome.features.OutcomeFeatures`."""

BY_NAME: dict[str, FeatureDefinition] = {d.name: d for d in DEFINITIONS}
