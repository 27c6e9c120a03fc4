"""The decision rules of a model folder's manifest: what turns the networks' probability into
thrombi, occlusion and LVO calls (:class:`Rules`, ``decision`` in ``manifest.json``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from strokescope.errors import ModelError
from strokescope.thrombus.candidate_model import CandidateModel

if TYPE_CHECKING:
    from strokescope.thrombus.result import Thrombus


@dataclass(frozen=True)
class Rules:
    """Decision rules from the manifest (``decision``), applied to the network outputs."""

    coarse_candidate_threshold: float = 0.3
    fine_probability_threshold: float = 0.5
    min_component_volume_mm3: float = 10.0
    lvo_segments: tuple[str, ...] = ("ICA", "M1", "basilar")
    lvo_min_volume_mm3: float | None = None
    lvo_min_length_mm: float | None = None
    min_ncct_p90_hu: float = 50.0
    """A thrombus is hyperdense: the 90th percentile of its NCCT HU reaches the acute-clot
    range (CLINICAL_VALUES: 50-80 HU). Candidates below are parenchyma or vessel wall."""
    min_ncct_p90_above_brain_hu: float | None = None
    """The same check read against the brain instead of a fixed HU value: a candidate whose
    NCCT 90th percentile is this far above the brain's parenchyma (median NCCT of the brain
    mask between 10 and 60 HU) is hyperdense too. A scanner's calibration offset moves clot
    and brain together, so this reading does not move with it. None: not used."""
    min_ncct_above_shell_hu: float | None = None
    """Hyperdensity read against the candidate's surroundings: a candidate whose mean NCCT
    is this far above the median NCCT of the non-opacified tissue within 2 mm of it is
    hyperdense too. Thick slices average a thin artery's clot with the tissue around it and
    lower its HU, and its surroundings (CSF in a fissure, brain) with it less. None: not
    used."""
    max_shell_opacified_fraction: float | None = None
    """A candidate whose surroundings (the voxels within 2 mm of it) are this much or more
    opacified lumen lies round or against a patent artery: subarachnoid blood in a cistern
    or fissure, whose artery runs on through it. A clot fills its artery, and lumen touches
    it only at its ends. None: not used."""
    beside_min_lumen_through: float | None = None
    """With ``max_shell_opacified_fraction``: a candidate with that much lumen round it is
    dropped only where the artery also runs on through it, opacified lumen crossing this
    fraction or more of its cross-sections
    (:func:`strokescope.thrombus.candidate_features.lumen_through_fraction`). A sleeve of
    blood has its artery in every cross-section; a clot at a bifurcation has the lumen
    before it and the opacified branches beside its end in its surroundings, but no artery
    through it. None: the surroundings alone decide."""
    a1p1_max_medial_mm: float | None = None
    a1p1_min_basilar_mm3: float | None = None
    """A clot that is not an ICA clot, whose medial end lies ``a1p1_max_medial_mm`` near the
    midline (its lateral end within 15 mm) and, where ``a1p1_min_basilar_mm3`` is set, has
    that much opacified midline lumen below it (a basilar), is an A1/P1 clot, not an M1
    (:mod:`strokescope.thrombus.anatomy`, :mod:`strokescope.thrombus.basilar_lumen`)."""
    max_cta_mean_hu: float = 130.0
    """A thrombus is a filling defect (CTA 40-100 HU): a brighter candidate is patent lumen."""
    max_perviousness_hu: float = 50.0
    """Contrast inside a clot is 0-30 HU above its NCCT value; far more is opacified vessel."""
    max_voxel_contrast_hu: float | None = None
    """A voxel enhanced this much or more (CTA minus registered NCCT) is lumen, not clot, and
    leaves the mask before the components are read; None: none is removed."""
    lumen_end_stretch_mm: float | None = None
    """Stretches of this length at a candidate's ends whose mean enhancement exceeds
    ``max_perviousness_hu`` are lumen and leave the mask before the components are read
    (:mod:`strokescope.thrombus.lumen_ends`); None: none is trimmed."""
    lumen_end_above_least_hu: float | None = None
    """With ``lumen_end_stretch_mm``, an end stretch enhanced this much more than the
    candidate's least enhanced stretch is lumen too; None: only the perviousness limit."""
    min_inline_lumen: float | None = None
    """With either of these two set, a candidate must show a CTA sign of an occluded artery
    (:mod:`strokescope.thrombus.vessel_evidence`): opacified lumen in line beyond one end
    (fraction >= ``min_inline_lumen``) or a missing artery (contralateral minus own lumen
    fraction >= ``min_missing_artery``). None: that sign is not used."""
    min_missing_artery: float | None = None
    half_maximum_min_contrast_hu: float | None = None
    """Move each thrombus's outline out by one voxel layer to its half-maximum NCCT
    boundary, halfway from its median HU to that of its surroundings
    (:mod:`strokescope.thrombus.clot_boundary`), where it stands this far above them and
    both scans are sampled at 1 mm or finer; None: the outline is the network's."""
    extend_along_axis_mm: float = 0.0
    """Follow each thrombus along its axis through the rest of its clot, up to this far from
    each end (:mod:`strokescope.thrombus.clot_extension`); 0: off."""
    fine_scan: bool = False
    """Also run the scan network (the ``scan`` stage, else the fine one) without a coarse
    prior over the tiles richest in opacified vessel
    (:func:`strokescope.thrombus.inference.scan`); away from the coarse candidates its
    probability is thresholded like the fine stage's."""
    scan_min_vessel_voxels: int = 20
    scan_max_tiles: int = 16
    scan_deep_vessel_mm: float | None = None
    """Take the scan's tiles in turn by opacified vessel at least this deep inside the
    brain mask and by all opacified vessel (:func:`strokescope.thrombus.tiles.vessel_tiles`):
    the dural sinuses against the inner table are the densest lumen of many CTAs and took
    the tiles of the arteries where M1 and M2 clots lodge; None: by all opacified vessel."""
    scan_needs_cta_sign: bool = False
    """A thrombus that only the scan proposed (no coarse candidate there) must show a CTA
    sign of an occluded artery, read with ``min_inline_lumen`` / ``min_missing_artery``:
    the scan reads tiles without the coarse network's context, so what it alone finds needs
    evidence from the attenuation physics."""
    basilar_second_look: bool = False
    """Where no LVO was found and the NCCT holds hyperdense blood outside the vessels (the
    blood warning: a clot in blood is the networks' blind spot), read the basilar artery's
    CTA profile (:mod:`strokescope.vessels.basilar_gap`): each stretch that contrast does
    not fill is a candidate under the rules above, read as one only the scan proposed (so
    it needs the CTA sign wherever the rules ask it of those); what it keeps is marked
    ``found_by`` "basilar profile"."""
    candidate_model: CandidateModel | None = None
    """A logistic regression over each candidate's attenuation features that a candidate it
    judges (those only the scan proposed, or all) must pass
    (:mod:`strokescope.thrombus.candidate_model`); None: not used."""

    def __post_init__(self) -> None:
        no_sign = self.min_inline_lumen is None and self.min_missing_artery is None
        if self.scan_needs_cta_sign and (no_sign or not self.fine_scan):
            raise ValueError(
                "scan_needs_cta_sign needs fine_scan and min_inline_lumen or min_missing_artery"
            )
        model = self.candidate_model
        if model is not None and model.scope == "scan_only" and not self.fine_scan:
            raise ValueError("a candidate_model with scope scan_only needs fine_scan")

    def is_lvo(self, th: Thrombus) -> bool:
        """Whether ``th`` makes the study an LVO: its segment is one of ``lvo_segments`` and it
        meets the volume and length minimums that are set."""
        return (
            th.segment in self.lvo_segments
            and (self.lvo_min_volume_mm3 is None or th.volume_mm3 >= self.lvo_min_volume_mm3)
            and (self.lvo_min_length_mm is None or th.length_mm >= self.lvo_min_length_mm)
        )

    @property
    def uses_vessel_evidence(self) -> bool:
        """Every thrombus must show a CTA sign (the scan-only rule aside)."""
        has_sign = self.min_inline_lumen is not None or self.min_missing_artery is not None
        return has_sign and not (self.fine_scan and self.scan_needs_cta_sign)

    def _evidence(self) -> str:
        signs = [
            f"{text} >= {value:g}"
            for text, value in (
                ("opacified lumen in line beyond an end", self.min_inline_lumen),
                ("contralateral minus own lumen", self.min_missing_artery),
            )
            if value is not None
        ]
        who = "a thrombus only the scan proposed shows " if not self.uses_vessel_evidence else ""
        out = f", {who}a CTA sign of occlusion ({' or '.join(signs)})" if signs else ""
        if self.candidate_model is not None:
            out += f"; {self.candidate_model.describe()}"
        if self.extend_along_axis_mm > 0:
            out += (
                f"; each thrombus followed along its axis through clot-like voxels up to "
                f"{self.extend_along_axis_mm:g} mm beyond its ends"
            )
        return out

    def _no_lumen(self) -> str:
        cut, stretch = self.max_voxel_contrast_hu, self.lumen_end_stretch_mm
        out = "" if cut is None else f", voxels enhanced >= {cut:g} HU removed as lumen"
        if stretch is not None:
            out += (
                f", {stretch:g} mm end stretches enhanced > {self.max_perviousness_hu:g} HU "
                "on average removed as lumen"
            )
            if (least := self.lumen_end_above_least_hu) is not None:
                out += f" (or > {least:g} HU above the candidate's least enhanced stretch)"
        return out

    def _above_brain(self) -> str:
        cut, local = self.min_ncct_p90_above_brain_hu, self.min_ncct_above_shell_hu
        out = "" if cut is None else f" or >= {cut:g} HU above the brain parenchyma"
        if local is not None:
            out += f", or NCCT mean >= {local:g} HU above its surroundings"
        return out

    def _deep(self) -> str:
        mm = self.scan_deep_vessel_mm
        return "" if mm is None else f", in turn with those densest >= {mm:g} mm inside the brain"

    def describe(self) -> str:
        extra = "".join(
            f" and {name} >= {value:g}"
            for name, value in (
                ("volume_mm3", self.lvo_min_volume_mm3),
                ("length_mm", self.lvo_min_length_mm),
            )
            if value is not None
        )
        scan = (
            f"; away from them, the scan network without a coarse prior, in tiles with "
            f">= {self.scan_min_vessel_voxels} opacified-vessel voxels (at most "
            f"{self.scan_max_tiles}, densest first{self._deep()})"
            if self.fine_scan
            else ""
        )
        cut = self.max_shell_opacified_fraction
        beside = "" if cut is None else f", < {cut:.0%} of its 2 mm surroundings opacified lumen"
        if cut is not None and (through := self.beside_min_lumen_through) is not None:
            beside += f" or lumen through < {through:.0%} of its cross-sections"
        return (
            f"thrombus = fine probability >= {self.fine_probability_threshold:g} in coarse "
            f"candidates (coarse >= {self.coarse_candidate_threshold:g}{scan}), components >= "
            f"{self.min_component_volume_mm3:g} mm3, not calcified{self._no_lumen()}, "
            f"NCCT 90th percentile >= {self.min_ncct_p90_hu:g} HU{self._above_brain()}, "
            f"CTA mean <= {self.max_cta_mean_hu:g} HU, "
            f"perviousness <= {self.max_perviousness_hu:g} HU{beside}{self._evidence()}"
            f"{self._rim()}; "
            "occlusion = any thrombus; "
            f"LVO = a thrombus in {'/'.join(self.lvo_segments)}{extra}{self._second_look()}"
        )

    def _rim(self) -> str:
        hu = self.half_maximum_min_contrast_hu
        if hu is None:
            return ""
        return f", outlined at half-maximum NCCT where >= {hu:g} HU above its surroundings"

    def _second_look(self) -> str:
        if not self.basilar_second_look:
            return ""
        from strokescope.vessels.basilar_gap import GAP_MIN_MM, REACH_MM

        return (
            f"; without an LVO and with hyperdense blood outside the vessels, each stretch "
            f">= {GAP_MIN_MM:g} mm of the traced basilar "
            f"artery within {REACH_MM:g} mm of its tip that contrast does not fill is read "
            "as a candidate under the same rules"
        )


def rule_values(decision: dict[str, Any]) -> dict[str, Any]:
    """The :class:`Rules` fields of a manifest's ``decision`` in their Python types (JSON
    lists as tuples, the candidate model as :class:`CandidateModel`); ``ValueError`` when
    the candidate model is malformed."""
    known = Rules.__dataclass_fields__
    values = {k: v for k, v in decision.items() if k in known}
    if "lvo_segments" in values:
        values["lvo_segments"] = tuple(values["lvo_segments"])
    if values.get("candidate_model") is not None:
        values["candidate_model"] = CandidateModel.from_dict(values["candidate_model"])
    return values


def rules_from_manifest(decision: dict[str, Any]) -> Rules:
    try:
        return Rules(**rule_values(decision))
    except ValueError as exc:
        raise ModelError(f"manifest decision: {exc}") from None
