"""The whole thrombus analysis: registration, region, both stages, guardrails, measurements.

:func:`analyze` is what :func:`strokescope.pipeline.analyze_thrombus` calls; each
connected component of the final mask that may be a clot is measured by
:func:`strokescope.thrombus.clot_measures.measure_clot`.
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

from strokescope.preprocess import brain_mask
from strokescope.preprocess.brain_mask import implausible_mask
from strokescope.preprocess.index_box import index_mask, mask_box
from strokescope.preprocess.registration import (
    RegistrationResult,
    register_rigid,
    sample_registered,
)
from strokescope.thrombus import guardrails as gr
from strokescope.thrombus.anatomy import Plane, SegmentRule
from strokescope.thrombus.candidate_features import (
    CandidateRecord,
    ShellReading,
    candidate_features,
    candidate_lumen_through,
    shell_reading,
)
from strokescope.thrombus.candidate_mask import clean_mask, component_indices, parent_indices
from strokescope.thrombus.candidate_rules import (
    mimic_reason,
    no_occlusion_reason,
    parenchyma_hu,
)
from strokescope.thrombus.centerline import Centerline, centerline
from strokescope.thrombus.clot_boundary import outlined
from strokescope.thrombus.clot_extension import extend_along_axis
from strokescope.thrombus.clot_measures import measure_clot
from strokescope.thrombus.inference import (
    Sources,
    predict,
    probability_near_threshold,
)
from strokescope.thrombus.input_roles import check_roles, refuse_same_series
from strokescope.thrombus.model import ThrombusModels
from strokescope.thrombus.region import analysis_region
from strokescope.thrombus.result import Thrombus, ThrombusResult
from strokescope.thrombus.rules import Rules
from strokescope.thrombus.symmetry import symmetric_plane
from strokescope.thrombus.vessel_evidence import VesselEvidence, vessel_evidence
from strokescope.vessels.basilar_gap import basilar_gaps
from strokescope.volume import Geometry, Mask, Volume

log = logging.getLogger(__name__)

Progress = Callable[[float], None]
AUX_MM = 1.5
BASILAR_PROFILE = "basilar profile"
MAX_COMPONENT_MM3 = 5000.0
"""No intracranial clot is this large (a 40 mm ICA clot is ~700 mm3): such a component is
model failure, dropped with a warning rather than measured."""


def _aux_grid(cta: Geometry) -> Geometry:
    spacing = tuple(max(s, AUX_MM) for s in cta.spacing)
    shape = tuple(
        max(1, int(round((n - 1) * s / t)) + 1)
        for n, s, t in zip(cta.shape, cta.spacing, spacing, strict=True)
    )
    return Geometry(shape, spacing, cta.origin, cta.direction)  # type: ignore[arg-type]


@dataclass(frozen=True, eq=False)
class Inputs:
    """The pair being read, the motion between them, the decision rules and the brain's
    parenchyma HU (:func:`parenchyma_hu`; None: not known)."""

    ncct: Volume
    cta: Volume
    reg: RegistrationResult
    rules: Rules
    parenchyma: float | None = None


def _thrombi(
    mask: npt.NDArray[np.bool_],
    offset: npt.NDArray[np.int64],
    prob: npt.NDArray[np.float32],
    pair: Inputs,
    plane: Plane,
    warnings: list[str],
    scan_only: Callable[[npt.NDArray[np.float64]], bool],
    record: list[CandidateRecord] | None,
    parents: npt.NDArray[np.int32] | None = None,
) -> tuple[list[Thrombus], list[npt.NDArray[np.int64]]]:
    """The measured thrombi and their CTA-grid indices: components of ``mask`` that pass
    the size limits, whose attenuation does not rule out a clot (:func:`mimic_reason`),
    where the rules ask for it (every thrombus, or those that ``scan_only`` says only the
    scan proposed) whose CTA shows an occluded artery once the clot is followed
    (:func:`no_occlusion_reason`), and that the candidate model, where it judges them,
    keeps. Each candidate that reaches the candidate model is appended to ``record`` when
    given. ``parents`` labels the components before lumen removal (same box as ``mask``):
    a candidate that lost voxels to it has its CTA signs read on its component before."""
    ncct, cta, reg, rules = pair.ncct, pair.cta, pair.reg, pair.rules
    thrombi: list[Thrombus] = []
    kept: list[npt.NDArray[np.int64]] = []
    seg = segment_rule(rules)
    for index in component_indices(mask, offset):
        volume = len(index) * cta.geometry.voxel_volume_mm3
        if volume < rules.min_component_volume_mm3:
            continue
        if volume > MAX_COMPONENT_MM3:
            warnings.append(
                f"a {volume / 1000:.0f} mL component is too large for a thrombus and was "
                "ignored: the model output is unreliable on this input"
            )
            continue
        points = cta.geometry.index_to_lps(index.astype(float))
        ncct_hu = sample_registered(ncct, points, reg)
        reason = _attenuation_reason(index, ncct_hu, pair)
        if reason is not None:
            log.info("thrombus: %.0f mm3 candidate rejected: %s", volume, reason)
            continue
        line = centerline(index, cta.geometry)
        evidence = vessel_evidence(points, line, volume, plane, cta, ncct, reg)
        only_scan = scan_only(points)
        p = prob[tuple((index - offset).T)]  # the network's own voxels
        model = rules.candidate_model
        judge = model if model is not None and model.judges(only_scan) else None
        if judge is not None or record is not None:
            feats = candidate_features(index, ncct_hu, p, line, evidence, plane, cta, ncct, reg)
            if record is not None:
                record.append(CandidateRecord(index, feats, only_scan))
            if judge is not None and (score := judge.probability(feats)) < judge.threshold:
                log.info("thrombus: %.0f mm3 candidate rejected: model %.2f", volume, score)
                continue
        before = parent_indices(index, parents, offset)
        grown, line = _followed(index, line, pair)
        if before is not None:  # the signs read the artery the removed lumen belongs to
            evidence = _signs(*_followed(before, None, pair), pair, plane)
        elif len(grown) > len(index):
            evidence = _signs(grown, line, pair, plane)
        if len(grown) > len(index):
            index, volume = grown, len(grown) * cta.geometry.voxel_volume_mm3
            ncct_hu = sample_registered(ncct, cta.geometry.index_to_lps(index.astype(float)), reg)
        # the sign is read on the clot as followed, as the warning below reads it
        needs_sign = rules.uses_vessel_evidence or (rules.scan_needs_cta_sign and only_scan)
        if needs_sign and (reason := no_occlusion_reason(evidence, rules)):
            log.info("thrombus: %.0f mm3 candidate rejected: %s", volume, reason)
            continue
        if (rim := rules.half_maximum_min_contrast_hu) is not None:
            index, line, ncct_hu = outlined(index, line, ncct_hu, cta, ncct, reg, rim)
        kept.append(index)
        th = measure_clot(
            len(thrombi) + 1, index, ncct_hu, p, line, evidence, ncct, cta, reg, plane, seg
        )
        if th.occlusion_sign_missing():
            warnings.append(
                f"thrombus {th.label} ({th.side} {th.segment}) has no CTA sign of an occluded "
                f"artery ({th.cta_signs()}): check the CTA for a filling defect"
            )
        thrombi.append(th)
    return thrombi, kept


def _attenuation_reason(
    index: npt.NDArray[np.int64], ncct_hu: npt.NDArray[np.float32], pair: Inputs
) -> str | None:
    """:func:`mimic_reason` of a candidate; its surroundings and the lumen through it are
    read once, and only if a rule needs them."""

    @functools.cache
    def shell() -> ShellReading:
        return shell_reading(index, pair.cta, pair.ncct, pair.reg)

    cta_hu = pair.cta.array[tuple(index.T)]

    def through() -> float:
        return candidate_lumen_through(index, pair.cta, pair.ncct, pair.reg)

    return mimic_reason(ncct_hu, cta_hu, pair.rules, pair.parenchyma, shell, through)


def _followed(
    index: npt.NDArray[np.int64], line: Centerline | None, pair: Inputs
) -> tuple[npt.NDArray[np.int64], Centerline]:
    """A candidate followed along its axis through clot-like voxels
    (:func:`extend_along_axis`) and its centerline (computed when not given)."""
    geom = pair.cta.geometry
    line = centerline(index, geom) if line is None else line
    grown = extend_along_axis(index, line, pair.rules, pair.cta, pair.ncct, pair.reg)
    if len(grown) == len(index):
        return index, line
    log.info("thrombus: %d voxels followed along the clot's axis", len(grown) - len(index))
    return grown, centerline(grown, geom)


def _signs(
    index: npt.NDArray[np.int64], line: Centerline, pair: Inputs, plane: Plane
) -> VesselEvidence:
    """The CTA signs of occlusion of a candidate's voxels (:func:`vessel_evidence`)."""
    geom = pair.cta.geometry
    volume = len(index) * geom.voxel_volume_mm3
    points = geom.index_to_lps(index.astype(float))
    return vessel_evidence(points, line, volume, plane, pair.cta, pair.ncct, pair.reg)


def _second_look(
    pair: Inputs,
    plane: Plane,
    warnings: list[str],
    thrombi: list[Thrombus],
    kept: list[npt.NDArray[np.int64]],
    seconds: dict[str, float],
    blood: bool,
) -> tuple[list[Thrombus], list[npt.NDArray[np.int64]]]:
    """``thrombi`` and ``kept``, plus, where the rules ask for it, the thrombi :func:`_thrombi`
    keeps of the basilar's gaps (:func:`basilar_gaps`) as scan-only ones: only without an
    LVO and with hyperdense ``blood`` outside the vessels (the blood warning), the networks'
    blind spot (a clot in blood; they find basilar clots without it)."""
    rules = pair.rules
    if not (rules.basilar_second_look and blood) or any(map(rules.is_lvo, thrombi)):
        return thrombi, kept
    t = time.perf_counter()
    taken = {tuple(v) for v in np.concatenate(kept)} if kept else set()
    found: list[Thrombus] = []
    out: list[npt.NDArray[np.int64]] = []
    for gap in basilar_gaps(pair.ncct, pair.cta, pair.reg, plane):
        index = np.array([v for v in gap.index if tuple(v) not in taken], np.int64).reshape(-1, 3)
        if len(index) == 0:
            continue
        lo, box = mask_box(index)
        prob = np.zeros(box.shape, np.float32)  # no network voxel
        more, voxels = _thrombi(box, lo, prob, pair, plane, warnings, lambda _: True, None)
        for th in more:
            th = replace(th, label=len(thrombi) + len(found) + 1, found_by=BASILAR_PROFILE)
            warnings.append(
                f"thrombus {th.label} ({th.segment}) was found by the second look at the "
                f"basilar artery, not by the networks: contrast does not fill it "
                f"{gap.below_tip_mm[0]:.0f}-{gap.below_tip_mm[1]:.0f} mm below its tip; "
                "its outline is the unfilled lumen, check it on the CTA"
            )
            found.append(th)
        out += voxels
    seconds["basilar_second_look"] = time.perf_counter() - t
    return thrombi + found, kept + out


def analyze(
    ncct: Volume,
    cta: Volume | None,
    models: ThrombusModels,
    *,
    strict: bool = False,
    on_progress: Progress | None = None,
    record: list[CandidateRecord] | None = None,
) -> ThrombusResult:
    """Thrombus analysis of an NCCT + CTA pair (see ``pipeline.analyze_thrombus``);
    ``record`` receives the candidates that reached the candidate model (:func:`_thrombi`)."""

    def progress(f: float) -> None:
        if on_progress is not None:
            on_progress(f)

    seconds: dict[str, float] = {}
    start = time.perf_counter()
    progress(0.0)
    warnings = list(ncct.meta.warnings) + ([] if cta is None else list(cta.meta.warnings))
    warnings += gr.input_warnings(ncct, cta, gr.noise_sd(ncct))
    rules = models.rules
    if cta is None:
        return _no_cta(ncct, models, warnings, seconds)
    refuse_same_series(ncct, cta)
    t = time.perf_counter()
    reg = register_rigid(cta, ncct)
    warnings += reg.warnings
    seconds["registration"] = time.perf_counter() - t
    progress(0.15)
    t = time.perf_counter()
    sources = Sources(ncct, cta, reg)
    aux = _aux_grid(cta.geometry)
    aux_hu = sources.hu_on(aux)
    brain = brain_mask(Volume(aux_hu[0], aux))
    if failed := implausible_mask(brain):
        warnings.append(failed)
    roles = check_roles(Volume(aux_hu[0], aux), Volume(aux_hu[1], aux), brain, strict=strict)
    warnings += roles.warnings
    if roles.not_assessed is not None:
        return _empty(cta.geometry, models, warnings, seconds, roles.not_assessed)
    region = analysis_region(brain, cta.geometry, ncct.geometry, reg, models.region_margin_mm)
    seconds["brain_mask"] = time.perf_counter() - t
    progress(0.25)
    pred = predict(models, sources, region, brain, on_progress=lambda f: progress(0.25 + 0.5 * f))
    del sources  # its SimpleITK copies of both volumes (0.67 GB at 512 x 512 x 320)
    seconds.update(pred.seconds)
    t = time.perf_counter()
    # Below, work in the box round the voxels above threshold (full grids cost seconds).
    threshold = rules.fine_probability_threshold
    offset, prob = probability_near_threshold(pred, cta.geometry, threshold)
    mask, notes, parents = clean_mask(prob >= threshold, offset, ncct, cta, reg, rules)
    warnings += notes
    plane = symmetric_plane(Volume(aux_hu[0], aux), brain)
    pair = Inputs(ncct, cta, reg, rules, parenchyma_hu(aux_hu[0], brain.array))
    only = pred.proposed_by_scan_only
    thrombi, kept = _thrombi(mask, offset, prob, pair, plane, warnings, only, record, parents)
    seconds["measurements"] = time.perf_counter() - t
    t = time.perf_counter()
    blood = gr.blood_warning(kept, cta.geometry, aux, aux_hu, brain)
    seconds["guardrails"] = time.perf_counter() - t
    thrombi, kept = _second_look(pair, plane, warnings, thrombi, kept, seconds, bool(blood))
    warnings += blood
    lvo = any(map(rules.is_lvo, thrombi))
    seconds["total"] = time.perf_counter() - start
    progress(1.0)
    return ThrombusResult(
        thrombi=tuple(thrombi),
        occlusion=bool(thrombi),
        lvo=lvo,
        occlusion_class="LVO" if lvo else ("MeVO" if thrombi else "none"),
        mask=Mask(index_mask(kept, cta.shape), cta.geometry, "thrombus"),
        cta_to_ncct=reg.cta_to_ncct,
        registration_metric=reg.metric,
        model_version=models.version,
        model_sha256=dict(models.sha256),
        decision_rule=f"{rules.describe()}; segment: {segment_rule(rules).describe()}",
        seconds={k: round(v, 3) for k, v in seconds.items()},
        warnings=tuple(dict.fromkeys(warnings)),
    )


def segment_rule(rules: Rules) -> SegmentRule:
    """The segment rule with the manifest's setting of its lateral A1/P1 branch."""
    return SegmentRule(
        lateral_branch_max_medial_mm=rules.a1p1_max_medial_mm,
        lateral_branch_min_basilar_mm3=rules.a1p1_min_basilar_mm3,
    )


NO_CTA = "no CTA series (the analysis needs NCCT + CTA)"


def _no_cta(
    ncct: Volume, models: ThrombusModels, warnings: list[str], seconds: dict[str, float]
) -> ThrombusResult:
    """The "not assessed: no CTA" result, with the NCCT-only screening where the folder holds
    the arterial map (:mod:`strokescope.vessels.hyperdense`)."""
    from strokescope.vessels.hyperdense import screen_ncct
    from strokescope.vessels.ncct_map import artery_map_installed, load_artery_map

    screening = None
    if artery_map_installed(models.folder):
        _, screening = screen_ncct(ncct, load_artery_map(models.folder))
        seconds["ncct_screening"] = screening.seconds
    empty = _empty(ncct.geometry, models, warnings, seconds, NO_CTA)
    return replace(empty, ncct_screening=screening)


def _empty(
    grid: Geometry,
    models: ThrombusModels,
    warnings: list[str],
    seconds: dict[str, float],
    reason: str,
) -> ThrombusResult:
    return ThrombusResult(
        thrombi=(),
        occlusion=False,
        lvo=False,
        occlusion_class="not assessed",
        mask=Mask(np.zeros(grid.shape, dtype=bool), grid, "thrombus"),  # the export's source
        cta_to_ncct=None,
        registration_metric=None,
        model_version=models.version,
        model_sha256=dict(models.sha256),
        decision_rule=models.rules.describe(),
        seconds=seconds,
        warnings=tuple(dict.fromkeys(warnings)),
        not_assessed_reason=reason,
    )
