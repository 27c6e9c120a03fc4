"""The shipped thrombus models: manifest, checksums, onnxruntime sessions (built once).

``models_onnx/manifest.json`` (written by ``training.manifest``) lists both stages with their
input spec, grid spacing, patch size and size divisor, the intensity windows, the decision
rules and the sha256 of every file. :func:`load_models` refuses with :class:`ModelError` a
folder without a manifest, a file whose checksum differs, or a network whose input/output
names or channel count differ from its manifest entry. Sessions are cached per (folder,
device, threads), so the GUI and batch runs build them once.

Devices: ``"cpu"``; ``"cuda"`` (needs the ``gpu`` extra, onnxruntime-gpu); ``"dml"``
(DirectML on Windows); ``"auto"`` = CUDA when the installed onnxruntime provides it, else CPU.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from strokescope.errors import ModelError
from strokescope.resources import check_files, models_dir, onnx_session, read_manifest
from strokescope.thrombus.candidate_model import CandidateModel

log = logging.getLogger(__name__)

Device = Literal["auto", "cpu", "cuda", "dml"]
DEVICES: tuple[str, ...] = ("auto", "cpu", "cuda", "dml")
MANIFEST_NAME = "manifest.json"
DEFAULT_MODELS_DIR = models_dir()  # at import; the functions below look again (env override)
_PROVIDERS = {"cuda": "CUDAExecutionProvider", "dml": "DmlExecutionProvider"}


@dataclass(frozen=True)
class Window:
    """Clip to ``lo..hi`` HU, then map linearly to 0..1 (the manifest's normalisation)."""

    lo: float
    hi: float

    def apply(self, hu: npt.ArrayLike) -> npt.NDArray[np.float32]:
        x = np.clip(np.asarray(hu, dtype=np.float32), self.lo, self.hi)
        return ((x - self.lo) / (self.hi - self.lo)).astype(np.float32)


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
    min_inline_lumen: float | None = None
    """With either of these two set, a candidate must show a CTA sign of an occluded artery
    (:mod:`strokescope.thrombus.vessel_evidence`): opacified lumen in line beyond one end
    (fraction >= ``min_inline_lumen``) or a missing artery (contralateral minus own lumen
    fraction >= ``min_missing_artery``). None: that sign is not used."""
    min_missing_artery: float | None = None
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
    scan_needs_cta_sign: bool = False
    """A thrombus that only the scan proposed (no coarse candidate there) must show a CTA
    sign of an occluded artery, read with ``min_inline_lumen`` / ``min_missing_artery``:
    the scan reads tiles without the coarse network's context, so what it alone finds needs
    evidence from the attenuation physics."""
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
        return out

    def _above_brain(self) -> str:
        cut, local = self.min_ncct_p90_above_brain_hu, self.min_ncct_above_shell_hu
        out = "" if cut is None else f" or >= {cut:g} HU above the brain parenchyma"
        if local is not None:
            out += f", or NCCT mean >= {local:g} HU above its surroundings"
        return out

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
            f"{self.scan_max_tiles}, densest first)"
            if self.fine_scan
            else ""
        )
        cut = self.max_shell_opacified_fraction
        beside = "" if cut is None else f", < {cut:.0%} of its 2 mm surroundings opacified lumen"
        return (
            f"thrombus = fine probability >= {self.fine_probability_threshold:g} in coarse "
            f"candidates (coarse >= {self.coarse_candidate_threshold:g}{scan}), components >= "
            f"{self.min_component_volume_mm3:g} mm3, not calcified{self._no_lumen()}, "
            f"NCCT 90th percentile >= {self.min_ncct_p90_hu:g} HU{self._above_brain()}, "
            f"CTA mean <= {self.max_cta_mean_hu:g} HU, "
            f"perviousness <= {self.max_perviousness_hu:g} HU{beside}{self._evidence()}; "
            "occlusion = any thrombus; "
            f"LVO = a thrombus in {'/'.join(self.lvo_segments)}{extra}"
        )


@dataclass(frozen=True, eq=False)
class Stage:
    """One network and its manifest entry."""

    name: str
    path: Path
    session: Any  # onnxruntime.InferenceSession
    input_name: str
    output_name: str
    channels: tuple[str, ...]
    spacing_mm: tuple[float, float, float]
    patch_size: tuple[int, int, int]
    size_divisor: int

    def run(self, image: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """Probability (N, 1, z, y, x) of a normalised (N, C, z, y, x) batch."""
        out = self.session.run([self.output_name], {self.input_name: image})[0]
        return np.asarray(out, dtype=np.float32)


@dataclass(frozen=True, eq=False)
class ThrombusModels:
    """Both stages, the normalisation windows and decision rules of one model folder."""

    folder: Path
    version: str
    coarse: Stage
    fine: Stage
    windows: dict[str, Window]
    rules: Rules
    sha256: dict[str, str]
    device: str
    region_margin_mm: float = 10.0
    scan: Stage | None = None
    """The network of the ``fine_scan`` rule, where the manifest has one (else the fine
    stage scans): a fine-stage network trained to detect without a coarse prior."""


def providers_for(device: str) -> list[str]:
    """onnxruntime execution providers for ``device`` (see the module docstring)."""
    import onnxruntime as ort

    if device not in DEVICES:
        raise ModelError(f"--device {device!r} is not one of {', '.join(DEVICES)}")
    available = set(ort.get_available_providers())
    if device == "cpu" or (device == "auto" and _PROVIDERS["cuda"] not in available):
        return ["CPUExecutionProvider"]
    wanted = _PROVIDERS["cuda" if device == "auto" else device]
    if wanted not in available:
        raise ModelError(
            f"--device {device}: onnxruntime has no {wanted} here "
            "(install the gpu extra, onnxruntime-gpu, or use --device cpu)"
        )
    return [wanted, "CPUExecutionProvider"]


def _read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST_NAME
    manifest = read_manifest(path, "thrombus model not installed")
    for key in ("stages", "files", "normalisation", "decision", "version"):
        if key not in manifest:
            raise ModelError(f"{path}: manifest lacks {key!r}")
    return manifest


def _stage(
    folder: Path, entry: dict[str, Any], files: dict[str, str], providers: list[str], threads: int
) -> Stage:
    name = str(entry["stage"])
    path = folder / str(entry["file"])
    if path.name not in files:
        raise ModelError(f"{path}: {name} network has no checksum in the manifest")
    session = onnx_session(path, providers, threads, f"{name} network")
    spec_in, spec_out = entry["input"], entry["output"]
    channels = tuple(str(c) for c in spec_in["channels"])
    inputs, outputs = session.get_inputs(), session.get_outputs()
    if len(inputs) != 1 or inputs[0].name != spec_in["name"] or len(inputs[0].shape) != 5:
        raise ModelError(f"{path}: input does not match the manifest ({spec_in['name']!r}, 5-D)")
    if inputs[0].shape[1] != len(channels):
        raise ModelError(
            f"{path}: network takes {inputs[0].shape[1]} channels, manifest names "
            f"{len(channels)} ({', '.join(channels)})"
        )
    if not any(o.name == spec_out["name"] for o in outputs):
        raise ModelError(f"{path}: no output {spec_out['name']!r} as the manifest says")
    return Stage(
        name=name,
        path=path,
        session=session,
        input_name=str(spec_in["name"]),
        output_name=str(spec_out["name"]),
        channels=channels,
        spacing_mm=tuple(float(v) for v in entry["target_spacing_mm"]),  # type: ignore[arg-type]
        patch_size=tuple(int(v) for v in entry["patch_size"]),  # type: ignore[arg-type]
        size_divisor=int(entry["size_divisor"]),
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


@lru_cache(maxsize=4)
def _load_cached(
    folder: Path, device: str, threads: int, stamp: tuple[tuple[str, int, int], ...]
) -> ThrombusModels:
    manifest = _read_manifest(folder)
    files = dict(manifest["files"])
    check_files(folder, files)
    providers = providers_for(device)
    stages = {e["stage"]: _stage(folder, e, files, providers, threads) for e in manifest["stages"]}
    if not {"coarse", "fine"} <= set(stages) <= {"coarse", "fine", "scan"}:
        raise ModelError(
            f"{folder}: manifest needs a coarse and a fine stage (and may have a scan "
            f"stage), has {sorted(stages)}"
        )
    scan = stages.get("scan")
    fine = stages["fine"]
    if scan is not None and (scan.spacing_mm, scan.patch_size, scan.channels) != (
        fine.spacing_mm,
        fine.patch_size,
        fine.channels,
    ):
        raise ModelError(f"{folder}: the scan stage's grid, patch or channels differ from fine's")
    channels = manifest["normalisation"]["channels"]
    windows = {c: Window(*(float(v) for v in spec["clip_hu"])) for c, spec in channels.items()}
    if not {"NCCT", "CTA"} <= set(windows):
        raise ModelError(f"{folder}: manifest normalisation lacks the NCCT or CTA window")
    log.info("thrombus models %s loaded from %s (%s)", manifest["version"], folder, providers[0])
    return ThrombusModels(
        folder=folder,
        version=str(manifest["version"]),
        coarse=stages["coarse"],
        fine=fine,
        scan=scan,
        windows=windows,
        rules=rules_from_manifest(manifest["decision"]),
        sha256=files,
        device=providers[0],
    )


def load_models(
    folder: str | Path | None = None, *, device: str = "auto", threads: int = 2
) -> ThrombusModels:
    """Check and load the models in ``folder`` (default: the repository's ``models_onnx``).

    Raises
    ------
    ModelError
        No manifest, a checksum or input spec that differs, or an unavailable device.
    """
    if not 1 <= threads <= 64:
        raise ModelError(f"--threads must be 1-64, got {threads}")
    base = Path(folder) if folder is not None else models_dir()
    base = base.resolve()
    stamp = tuple(
        sorted(
            (p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in base.glob("*") if p.is_file()
        )
    )  # a changed file makes a new cache entry, so it is checked again
    return _load_cached(base, device, threads, stamp)


def models_installed(folder: str | Path | None = None) -> bool:
    """Whether ``folder`` (default ``models_onnx``) holds a manifest."""
    base = Path(folder) if folder is not None else models_dir()
    return (base / MANIFEST_NAME).is_file()
