"""Settings of the two thrombus stages: grids, intensity normalisation, patches, decisions.

Everything here goes verbatim into ``models_onnx/manifest.json`` so that the app's
inference reproduces the preprocessing the networks were trained with.

Intensity normalisation (per channel, HU): ``(clip(x, lo, hi) - lo) / (hi - lo)``, so
``lo`` maps to 0 and ``hi`` to 1; padding outside the image uses 0 (air).

* NCCT window -20..180 HU: keeps CSF (0-15), brain (20-45), hyperdense thrombus (50-80)
  and calcification (> 130) apart; bone saturates at 1. A 0-100 HU window would make
  calcification look like a hyperdense clot, the mimic [Tortora2023] worries about most.
* CTA window -100..600 HU: opacified arteries (250-500) stay below saturation, so a filling
  defect (40-100 HU) inside an opacified vessel keeps its full contrast.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from strokescope.thrombus.model import Window
from strokescope.thrombus.rules import Rules
from training.network import NetworkConfig

CHANNELS_COARSE = ("NCCT", "CTA")
CHANNELS_FINE = ("NCCT", "CTA", "coarse_probability")


@dataclass(frozen=True)
class IntensityWindow(Window):
    """The app's window (:class:`strokescope.thrombus.model.Window`: clip to ``[lo, hi]`` HU,
    then map linearly to ``[0, 1]``), named by its channel and checked."""

    channel: str = ""

    def __post_init__(self) -> None:
        if not -1100.0 <= self.lo < self.hi <= 3000.0:
            raise ValueError(f"{self.channel}: window needs -1100 <= lo < hi <= 3000 HU")


NCCT_WINDOW = IntensityWindow(lo=-20.0, hi=180.0, channel="NCCT")
CTA_WINDOW = IntensityWindow(lo=-100.0, hi=600.0, channel="CTA")
WINDOWS = (NCCT_WINDOW, CTA_WINDOW)
PAD_VALUE = 0.0


def normalise(ncct_hu: npt.ArrayLike, cta_hu: npt.ArrayLike) -> npt.NDArray[np.float32]:
    """Stack the two HU arrays (z, y, x) into the normalised (2, z, y, x) network input."""
    return np.stack([NCCT_WINDOW.apply(ncct_hu), CTA_WINDOW.apply(cta_hu)])


@dataclass(frozen=True)
class StageConfig:
    """One stage: its grid spacing (mm, z y x), training patch and network."""

    name: str
    spacing_mm: tuple[float, float, float]
    patch_size: tuple[int, int, int]
    batch_size: int
    network: NetworkConfig
    channels: tuple[str, ...]
    train_patch_size: tuple[int, int, int] | None = None
    """Training crop when it differs from ``patch_size`` (the inference tile); None = same."""

    @property
    def training_patch(self) -> tuple[int, int, int]:
        return self.train_patch_size or self.patch_size

    def __post_init__(self) -> None:
        if self.name not in ("coarse", "fine", "arteries"):
            raise ValueError(f"stage must be 'coarse', 'fine' or 'arteries', got {self.name!r}")
        if min(self.spacing_mm) < 0.2 or max(self.spacing_mm) > 5.0:
            raise ValueError(f"{self.name}: spacing must be 0.2-5 mm, got {self.spacing_mm}")
        div = self.network.size_divisor
        for patch in (self.patch_size, self.training_patch):
            if any(p < div or p % div for p in patch):
                raise ValueError(f"{self.name}: patch {patch} must be multiples of {div}")
        if not 1 <= self.batch_size <= 16:
            raise ValueError(f"{self.name}: batch size must be 1-16, got {self.batch_size}")
        if len(self.channels) != self.network.in_channels:
            raise ValueError(
                f"{self.name}: {len(self.channels)} channels named, network takes "
                f"{self.network.in_channels}"
            )

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "spacing_mm": list(self.spacing_mm),
            "patch_size": list(self.patch_size),
            "batch_size": self.batch_size,
            "channels": list(self.channels),
            "network": self.network.to_dict(),
        }


COARSE_TRAIN_PATCH = (32, 48, 48)
"""Coarse training crop (48 x 72 x 72 mm), smaller than the 64 x 80 x 80 inference tile.

A 64 x 80 x 80 crop at 1.5 mm is nearly the whole brain region, so "foreground
oversampling" does nothing (88 % of such crops already hold thrombus) and thrombus is only
~1.7e-4 of the voxels (median 78 of 409,600). The loss then settles at the constant-prior
minimum (logit ~ -9 everywhere: loss 1.0019, the plateau of the failed 24-minute run) where
the Dice gradient per thrombus voxel is ~2e-6. Smaller crops give ~6x the thrombus fraction
and ~5x faster iterations. Measured on 4 held-out cases (8 thrombus-centred 64 x 80 x 80
patches), Adam 1e-3, head bias -4, 1 thread: 64 x 80 x 80 crops after 314 s (60
iterations) mean probability on thrombus 0.01, hard Dice 0.00; 32 x 48 x 48 crops after
185 s (180 iterations) 0.79 and 0.15, after 343 s (300 iterations) 0.82 and 0.27.
Pass ``train_patch=None`` for the paper's crop.
"""


def default_coarse(
    *,
    base_channels: int = 8,
    train_patch: tuple[int, int, int] | None = COARSE_TRAIN_PATCH,
) -> StageConfig:
    """Whole brain region at 1.5 mm, ~ (96-104, 112-136, 96-112) voxels.

    onnxruntime, 2 threads: 0.6 s on (96, 112, 96); 1.6-1.9 s on (104, 136, 112) while the
    shared machine was loaded ~3 (``benchmarks/bench_thrombus_network.py``). Trained on
    ``train_patch`` crops (see :data:`COARSE_TRAIN_PATCH`).
    """
    return StageConfig(
        name="coarse",
        spacing_mm=(1.5, 1.5, 1.5),
        patch_size=(64, 80, 80),
        batch_size=2,
        network=NetworkConfig(in_channels=2, base_channels=base_channels),
        channels=CHANNELS_COARSE,
        train_patch_size=train_patch,
    )


FINE_TRAIN_PATCH = (48, 48, 48)
"""Fine training crop (28.8 mm cubes), smaller than the 64^3 inference tile.

One Adam step on a batch of 2 (torch, 2 threads, this machine): 3.0 s at 64^3, 0.92 s at
48^3, 0.57 s at 40^3. At 64^3 the fine stage got 776 steps in 36 minutes and left the
proximal part of long ICA clots unsegmented (held-out median Dice 0.71); on 48^3 crops it got
2075 steps in the same time and the held-out median Dice rose to 0.81 (models 0.3.0, which
also came from 60 instead of 40 phantoms). The coarse-probability channel carries the
context a smaller crop loses.
"""


def default_fine(
    *,
    base_channels: int = 12,
    train_patch: tuple[int, int, int] | None = FINE_TRAIN_PATCH,
) -> StageConfig:
    """Crops at 0.6 mm around coarse candidates, with the coarse probability as channel 3.

    onnxruntime, 2 threads: 0.22-0.45 s per 64^3 crop, 0.77 s per 96^3 crop. Trained on
    ``train_patch`` crops (see :data:`FINE_TRAIN_PATCH`).
    """
    return StageConfig(
        name="fine",
        spacing_mm=(0.6, 0.6, 0.6),
        patch_size=(64, 64, 64),
        batch_size=2,
        network=NetworkConfig(in_channels=3, base_channels=base_channels),
        channels=CHANNELS_FINE,
        train_patch_size=train_patch,
    )


def tiny_stages() -> tuple[StageConfig, StageConfig]:
    """Small grids and nets for tests and smoke runs on tiny phantoms."""
    net = NetworkConfig(in_channels=2, base_channels=4, levels=3, deep_supervision=2)
    coarse = StageConfig("coarse", (4.0, 4.0, 4.0), (24, 32, 32), 2, net, ("NCCT", "CTA"))
    fine = StageConfig(
        "fine",
        (2.0, 2.0, 2.0),
        (24, 24, 24),
        2,
        replace(net, in_channels=3),
        ("NCCT", "CTA", "coarse_probability"),
    )
    return coarse, fine


def training_stages(
    *,
    tiny: bool = False,
    channels: tuple[int, int] = (8, 12),
    batch_size: int | None = None,
    paper_recipe: bool = False,
) -> tuple[StageConfig, StageConfig]:
    """The two stages a run trains: tiny, or the default grids with ``channels`` (coarse,
    fine) first-level channels; ``batch_size`` crops per step (None: 2); the paper's recipe
    takes whole inference tiles and zero head bias."""
    coarse, fine = (
        tiny_stages()
        if tiny
        else (default_coarse(base_channels=channels[0]), default_fine(base_channels=channels[1]))
    )
    coarse, fine = (replace(s, batch_size=batch_size or s.batch_size) for s in (coarse, fine))
    if paper_recipe:
        coarse, fine = (
            replace(s, train_patch_size=None, network=replace(s.network, head_bias=0.0))
            for s in (coarse, fine)
        )
    return coarse, fine


@dataclass(frozen=True)
class DecisionRules(Rules):
    """The app's decision rules (:class:`strokescope.thrombus.rules.Rules`, one definition of
    the thresholds and their defaults) plus validation and notes for the manifest; to be
    tuned on held-out data."""

    notes: tuple[str, ...] = field(
        default=(
            "coarse candidates: connected components of coarse probability >= threshold; "
            "fine crops are centred on them",
            "final mask: fine probability >= threshold, components smaller than "
            "min_component_volume_mm3 removed",
            "candidates whose attenuation rules out a clot are dropped: NCCT 90th percentile "
            "< min_ncct_p90_hu, CTA mean > max_cta_mean_hu, perviousness > max_perviousness_hu",
            "min_ncct_p90_above_brain_hu (null = unused): a candidate whose NCCT 90th "
            "percentile is this far above the brain parenchyma's median HU is hyperdense even "
            "below min_ncct_p90_hu (a scanner's HU offset moves clot and brain together)",
            "min_ncct_above_shell_hu (null = unused): a candidate whose mean NCCT is this far "
            "above the median NCCT of the non-opacified tissue within 2 mm of it is hyperdense "
            "even below min_ncct_p90_hu (thick slices lower a thin artery's clot)",
            "max_shell_opacified_fraction (null = unused): a candidate whose 2 mm "
            "surroundings are this much or more opacified lumen lies round a patent artery "
            "(subarachnoid blood) and is dropped; with beside_min_lumen_through (null = "
            "unused) only where opacified lumen also crosses that fraction or more of its "
            "cross-sections (the artery runs through it: a clot at a bifurcation is kept)",
            "max_voxel_contrast_hu (null = unused): voxels enhanced this much or more (CTA "
            "minus registered NCCT) are lumen and leave the mask before its components are read",
            "lumen_end_stretch_mm (null = unused): stretches of this length at a candidate's "
            "ends whose mean enhancement exceeds max_perviousness_hu are lumen and leave the "
            "mask (strokescope.thrombus.lumen_ends); with lumen_end_above_least_hu (null = "
            "unused) also those enhanced this much more than its least enhanced stretch",
            "LVO = a thrombus in lvo_segments; optional volume/length minimums (null = none) "
            "are set on the calibration phantoms, never on the held-out ones",
            "fine_scan: the fine stage also runs without a coarse prior over the "
            "scan_max_tiles tiles richest in opacified vessel (at least "
            "scan_min_vessel_voxels coarse voxels), and its finds join the coarse candidates; "
            "with scan_deep_vessel_mm (null = unused) the tiles are taken in turn from that "
            "ranking and from one by opacified vessel at least that deep inside the brain "
            "mask (not the dural sinuses)",
            "CTA sign of occlusion (min_inline_lumen, min_missing_artery; null = unused): a "
            "candidate needs opacified lumen in line beyond one end or a contralateral artery "
            "at its mirror image that its own place lacks (strokescope.thrombus."
            "vessel_evidence); with scan_needs_cta_sign only the candidates the scan alone "
            "proposed need it",
            "half_maximum_min_contrast_hu (null = unused): each thrombus's outline moves out "
            "by one voxel layer to where its NCCT falls halfway to its surroundings', where it "
            "stands this far above them (strokescope.thrombus.clot_boundary)",
            "extend_along_axis_mm: each thrombus is followed along its axis through clot-like "
            "voxels up to this far beyond its ends (strokescope.thrombus.clot_extension); 0 = off",
            "a1p1_max_medial_mm (null = unused): a clot that is not an ICA clot, its medial end "
            "this near the midline and its lateral end within 15 mm, is A1/P1, not M1; with "
            "a1p1_min_basilar_mm3 it also needs that much opacified midline lumen below its "
            "medial end (strokescope.thrombus.basilar_lumen)",
            "basilar_second_look: without an LVO and with the blood warning given, each "
            "stretch of the traced basilar artery "
            "that contrast does not fill is read as a candidate only the scan proposed "
            "(strokescope.vessels.basilar_gap); what it keeps has found_by 'basilar profile'",
        )
    )
    fine_scan: bool = True  # recipe >= 0.5.0 trains the fine stage to detect on its own

    def __post_init__(self) -> None:
        super().__post_init__()
        for name in ("coarse_candidate_threshold", "fine_probability_threshold"):
            v = getattr(self, name)
            if not 0.0 < v < 1.0:
                raise ValueError(f"{name} must be in (0, 1), got {v}")
        if self.min_component_volume_mm3 < 0:
            raise ValueError("min_component_volume_mm3 must be >= 0")
        if self.scan_max_tiles < 0 or self.scan_min_vessel_voxels < 0:
            raise ValueError("scan_max_tiles and scan_min_vessel_voxels must be >= 0")
        deep = self.scan_deep_vessel_mm
        if deep is not None and not 1.0 <= deep <= 30.0:
            raise ValueError(f"scan_deep_vessel_mm must be 1-30 mm or null, got {deep}")
        if not 0.0 <= self.extend_along_axis_mm <= 40.0:
            raise ValueError(
                f"extend_along_axis_mm must be 0-40 (a clot is <= 40 mm), got "
                f"{self.extend_along_axis_mm}"
            )
        lumen = self.max_voxel_contrast_hu
        if lumen is not None and not 30.0 <= lumen <= 1000.0:
            raise ValueError(f"max_voxel_contrast_hu must be 30-1000 HU or null, got {lumen}")
        stretch = self.lumen_end_stretch_mm
        if stretch is not None and not 1.0 <= stretch <= 10.0:
            raise ValueError(f"lumen_end_stretch_mm must be 1-10 mm or null, got {stretch}")
        least = self.lumen_end_above_least_hu
        if least is not None and (stretch is None or not 10.0 <= least <= 50.0):
            raise ValueError(
                "lumen_end_above_least_hu must be 10-50 HU with lumen_end_stretch_mm set, "
                f"or null: {least}"
            )
        above = self.min_ncct_p90_above_brain_hu
        if above is not None and not 0.0 <= above <= 80.0:
            raise ValueError(f"min_ncct_p90_above_brain_hu must be 0-80 HU or null, got {above}")
        local = self.min_ncct_above_shell_hu
        if local is not None and not 0.0 <= local <= 80.0:
            raise ValueError(f"min_ncct_above_shell_hu must be 0-80 HU or null, got {local}")
        beside = self.max_shell_opacified_fraction
        if beside is not None and not 0.0 < beside <= 1.0:
            raise ValueError(f"max_shell_opacified_fraction must be in (0, 1] or null: {beside}")
        rim = self.half_maximum_min_contrast_hu
        if rim is not None and not 5.0 <= rim <= 60.0:
            raise ValueError(f"half_maximum_min_contrast_hu must be 5-60 HU or null, got {rim}")
        through = self.beside_min_lumen_through
        if through is not None and (beside is None or not 0.0 < through <= 1.0):
            raise ValueError(
                "beside_min_lumen_through must be in (0, 1] with max_shell_opacified_fraction "
                f"set, or null: {through}"
            )
        near, basilar = self.a1p1_max_medial_mm, self.a1p1_min_basilar_mm3
        if near is not None and not 7.0 < near <= 15.0:
            raise ValueError(
                f"a1p1_max_medial_mm must be 7-15 mm (past the A1/P1 test's 7 mm): {near}"
            )
        if basilar is not None and (near is None or basilar < 0.0):
            raise ValueError(f"a1p1_min_basilar_mm3 needs a1p1_max_medial_mm and >= 0: {basilar}")
        for name in ("min_inline_lumen", "min_missing_artery"):
            v = getattr(self, name)
            if v is not None and not -1.0 <= v <= 1.0:
                raise ValueError(f"{name} must be a fraction in [-1, 1] or null, got {v}")

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["lvo_segments"] = list(self.lvo_segments)
        d["notes"] = list(self.notes)
        return d


def normalisation_dict() -> dict[str, Any]:
    """The manifest's description of the input normalisation."""
    return {
        "formula": "(clip(hu, lo, hi) - lo) / (hi - lo)",
        "channels": {w.channel: {"clip_hu": [w.lo, w.hi]} for w in WINDOWS},
        "coarse_probability": "coarse output in [0, 1], resampled linearly onto the fine grid",
        "pad_value": PAD_VALUE,
    }
