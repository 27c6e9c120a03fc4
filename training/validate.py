"""Whole-case prediction with the PyTorch nets, and held-out checks run after training.

This mirrors the app's coarse-to-fine inference closely enough to judge a training run:
coarse net on the whole region (padded to the size divisor), the app's candidate boxes
(:func:`strokescope.thrombus.inference.candidates`), fine net on the app's tiles
(:func:`strokescope.thrombus.inference.tile_starts`) covering each box at 0.6 mm (maximum
where tiles overlap); Dice is :func:`strokescope.evaluation.dice`. The numbers it reports
are phantom numbers from a training run, not the held-out evaluation of the manifest.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import torch

from strokescope.evaluation import dice
from strokescope.preprocess.morphology import components
from strokescope.thrombus.inference import MAX_CANDIDATES, candidates
from strokescope.thrombus.tiles import tile_starts
from training.config import PAD_VALUE, DecisionRules, StageConfig
from training.network import ThrombusUNet
from training.prepare import PreparedCase
from training.sampling import (
    coarse_probability_on,
    crop,
    normalise_hu,
    paste_max,
)

log = logging.getLogger(__name__)


def predict_full(net: ThrombusUNet, image: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Probability (z, y, x) of a normalised (C, z, y, x) image, padded to the divisor."""
    div = net.config.size_divisor
    shape = image.shape[1:]
    padded_shape = tuple(-(-s // div) * div for s in shape)
    x = crop(image, (0, 0, 0), padded_shape, pad=PAD_VALUE)
    net.eval()
    device = next(net.parameters()).device
    # Every case has its own shape: cuDNN's benchmark would time its kernels anew for each.
    cudnn = torch.backends.cudnn
    keep = {"enabled": cudnn.enabled, "deterministic": cudnn.deterministic}
    with torch.no_grad(), cudnn.flags(**keep, benchmark=False, allow_tf32=cudnn.allow_tf32):
        out = torch.sigmoid(net(torch.from_numpy(np.ascontiguousarray(x[None])).to(device))[0])
    return out.cpu().numpy()[0, 0, : shape[0], : shape[1], : shape[2]].astype(np.float32)


def predict_coarse(net: ThrombusUNet, case: PreparedCase) -> npt.NDArray[np.float32]:
    return predict_full(net, normalise_hu(np.asarray(case.coarse_hu, dtype=np.float32)))


def predict_fine(
    net: ThrombusUNet,
    case: PreparedCase,
    coarse_prob: npt.NDArray[np.float32],
    stage: StageConfig,
    *,
    threshold: float,
    max_candidates: int = MAX_CANDIDATES,
) -> npt.NDArray[np.float32]:
    """Fine probability on the whole fine grid (0 away from coarse candidates).

    Only the ``max_candidates`` components with the highest coarse peak are refined, which
    bounds the time an undertrained coarse net can cost.
    """
    out = np.zeros(case.fine_label.shape, dtype=np.float32)
    size = stage.patch_size
    for box in candidates(coarse_prob, threshold, limit=max_candidates):
        corners = [case.coarse_geometry.index_to_lps(c) for c in box]
        f = np.array([case.fine_geometry.lps_to_index(c) for c in corners])
        lo, hi = np.floor(f.min(0)).astype(np.int64), np.ceil(f.max(0)).astype(np.int64)
        for start in tile_starts(lo, hi, size):
            hu = crop(case.fine_hu, start, size, pad=-1024).astype(np.float32)
            geom = case.fine_geometry.crop(start, size)
            p = coarse_probability_on(coarse_prob, case.coarse_geometry, geom)
            prob = predict_full(net, np.concatenate([normalise_hu(hu), p[None]]))
            paste_max(out, start, prob)
    return out


@dataclass(frozen=True)
class ValidationResult:
    """Phantom validation of one training run (medians over held-out cases)."""

    n_cases: int
    n_positive: int
    coarse_dice_median: float | None
    fine_dice_median: float | None
    detected_positive: int
    false_positive_negatives: int
    n_negative: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def validate(
    coarse_net: ThrombusUNet,
    fine_net: ThrombusUNet | None,
    cases: Sequence[PreparedCase],
    fine_stage: StageConfig,
    rules: DecisionRules,
) -> ValidationResult:
    """Dice and detection on held-out prepared cases."""
    coarse_d, fine_d = [], []
    detected = fp = 0
    for case in cases:
        prob = predict_coarse(coarse_net, case)
        pred_c = prob >= 0.5
        if case.positive:
            coarse_d.append(dice(pred_c, case.coarse_label.astype(bool)))
        if fine_net is None:
            found = pred_c
            voxel_mm3 = case.coarse_geometry.voxel_volume_mm3
        else:
            fine = predict_fine(
                fine_net, case, prob, fine_stage, threshold=rules.coarse_candidate_threshold
            )
            found = fine >= rules.fine_probability_threshold
            voxel_mm3 = case.fine_geometry.voxel_volume_mm3
            if case.positive:
                fine_d.append(dice(found, np.asarray(case.fine_label, dtype=bool)))
        labels, n = components(found)
        sizes = np.bincount(labels.ravel(), minlength=n + 1)[1:] * voxel_mm3
        big = sizes >= rules.min_component_volume_mm3
        if case.positive:
            label = case.coarse_label if fine_net is None else case.fine_label
            hit = {int(v) for v in np.unique(labels[np.asarray(label, dtype=bool)]) if v}
            detected += any(big[k - 1] for k in hit)
        else:
            fp += bool(big.any())
        log.info("validated %s", case.case_id)
    n_pos = sum(c.positive for c in cases)
    return ValidationResult(
        n_cases=len(cases),
        n_positive=n_pos,
        coarse_dice_median=float(np.median(coarse_d)) if coarse_d else None,
        fine_dice_median=float(np.median(fine_d)) if fine_d else None,
        detected_positive=detected,
        false_positive_negatives=fp,
        n_negative=len(cases) - n_pos,
    )
