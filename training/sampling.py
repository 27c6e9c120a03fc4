"""Training patches: where to crop, augmentation, and coarse candidates for the fine stage.

Coarse patches (``COARSE_MIX``): centred near a thrombus voxel (when the case has one), on a
mimic (hyperdense, non-opacified brain away from clot and bone: subarachnoid or parenchymal blood;
see :mod:`training.prepare`), or anywhere in the region. Fine patches (``FINE_MIX``): centred
near a thrombus voxel, on a coarse false-positive candidate, on a random opacified vessel
voxel, on a mimic, or on a sleeve (a mimic along a patent artery; most of the latter four
contain no thrombus, which gives about half negative patches). Mimics are the hard
negatives: without them a held-out subarachnoid bleed sheathing the MCA read as a long
occlusion, and a long run with mimics drawn anywhere in the blood still read the blood round
patent carotid termini as clot, hence the sleeves.

Augmentation (:mod:`training.augment`): intensity transforms in HU before normalisation,
then rotation, scaling, elastic deformation and gamma on the normalised patch with its
target, and a left-right mirror (array axis x); distractors (p ``P_DISTRACT``) before them.
The fine stage's coarse-probability channel is blanked, made faint or reshaped
(:func:`_weakened`): on training cases the coarse net is more confident than on new ones,
and a fine stage that trusts it reads 0.000 inside a clear clot the coarse net missed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from strokescope.preprocess.morphology import components
from strokescope.volume import Geometry, Volume
from training.augment import P_DISTRACT, distractors_hu, intensity_hu, spatial_and_gamma
from training.config import CTA_WINDOW, NCCT_WINDOW
from training.prepare import PreparedCase

COARSE_MIX = {"thrombus": 0.55, "mimic": 0.15, "anywhere": 0.3}
FINE_MIX = {"thrombus": 0.5, "candidate": 0.12, "vessel": 0.13, "mimic": 0.1, "sleeve": 0.15}
COARSE_LABEL_THRESHOLD = 0.3


@dataclass(frozen=True)
class Batch:
    """Normalised inputs (N, C, z, y, x) float32 and targets (N, 1, z, y, x) float32."""

    image: npt.NDArray[np.float32]
    target: npt.NDArray[np.float32]


def _windows(
    start: Sequence[int], size: Sequence[int], shape: Sequence[int]
) -> tuple[tuple[Any, ...], tuple[Any, ...]] | None:
    """(index into the big array, index into the patch) of their overlap, or None."""
    src = [slice(max(s, 0), min(s + n, d)) for s, n, d in zip(start, size, shape, strict=True)]
    if any(sl.stop <= sl.start for sl in src):
        return None
    dst = [slice(sl.start - s, sl.stop - s) for sl, s in zip(src, start, strict=True)]
    return (Ellipsis, *src), (Ellipsis, *dst)


def crop(arr: npt.NDArray[Any], start: Sequence[int], size: Sequence[int], *, pad: float) -> Any:
    """``arr[..., start:start+size]`` over the last 3 axes, padded with ``pad`` outside."""
    out = np.full((*arr.shape[:-3], *size), pad, dtype=arr.dtype)
    win = _windows(start, size, arr.shape[-3:])
    if win is not None:
        out[win[1]] = arr[win[0]]
    return out


def paste_max(out: npt.NDArray[Any], start: Sequence[int], patch: npt.NDArray[Any]) -> None:
    """``out[start:start+patch.shape] = max(out, patch)`` over the overlap, in place."""
    win = _windows(start, patch.shape[-3:], out.shape[-3:])
    if win is not None:
        out[win[0]] = np.maximum(out[win[0]], patch[win[1]])


def start_for_centre(
    centre: npt.ArrayLike, size: Sequence[int], rng: np.random.Generator, *, jitter: float = 0.25
) -> tuple[int, int, int]:
    """Patch corner so that ``centre`` lies within ``jitter`` x size of the patch centre."""
    c = np.asarray(centre, dtype=float)
    s = np.asarray(size, dtype=float)
    shift = rng.uniform(-jitter, jitter, 3) * s
    return tuple(int(v) for v in np.round(c - s / 2 + shift))  # type: ignore[return-value]


def normalise_hu(hu: npt.NDArray[np.floating]) -> npt.NDArray[np.float32]:
    return np.stack([NCCT_WINDOW.apply(hu[0]), CTA_WINDOW.apply(hu[1])])


def _pick_case(cases: Sequence[PreparedCase], kind: str, rng: np.random.Generator) -> int:
    """A random case; for a mimic or sleeve patch, one that has them (most cases have none)."""
    pool = []
    if kind in ("mimic", "sleeve"):
        pool = [i for i, c in enumerate(cases) if len(getattr(c, f"{kind}_points"))]
    return int(pool[rng.integers(len(pool))]) if pool else int(rng.integers(len(cases)))


def coarse_batch(
    cases: Sequence[PreparedCase], size: tuple[int, int, int], n: int, rng: np.random.Generator
) -> Batch:
    """``n`` augmented coarse patches from randomly chosen cases."""
    images, targets = [], []
    kinds = list(COARSE_MIX)
    for _ in range(n):
        kind = str(rng.choice(kinds, p=list(COARSE_MIX.values())))
        case = cases[_pick_case(cases, kind, rng)]
        points: npt.NDArray[np.floating] = np.zeros((0, 3))
        if kind == "thrombus":
            points = np.argwhere(case.coarse_label).astype(float)
        elif kind == "mimic":
            fine_mm, coarse_mm = case.fine_geometry.spacing, case.coarse_geometry.spacing
            points = np.round(case.mimic_points * np.divide(fine_mm, coarse_mm))
        if len(points):
            start = start_for_centre(points[int(rng.integers(len(points)))], size, rng)
        else:
            hi = np.maximum(np.asarray(case.coarse_label.shape) - np.asarray(size), 0)
            start = tuple(int(rng.integers(0, h + 1)) for h in hi)  # type: ignore[assignment]
        hu = crop(case.coarse_hu, start, size, pad=-1024).astype(np.float32)
        label = crop(case.coarse_label, start, size, pad=0).astype(np.float32)
        if rng.random() < P_DISTRACT:
            hu = distractors_hu(hu, label, min(case.coarse_geometry.spacing), rng)
        image, label = spatial_and_gamma(
            normalise_hu(intensity_hu(hu, rng)), label, rng, label_threshold=COARSE_LABEL_THRESHOLD
        )
        if rng.random() < 0.5:
            image, label = image[..., ::-1], label[..., ::-1]
        images.append(image)
        targets.append(label[None])
    return Batch(np.ascontiguousarray(np.stack(images)), np.ascontiguousarray(np.stack(targets)))


def coarse_probability_on(
    prob: npt.NDArray[np.float32], coarse: Geometry, target: Geometry
) -> npt.NDArray[np.float32]:
    """Coarse probability resampled linearly onto ``target`` (0 outside the coarse grid)."""
    from strokescope.preprocess import resample_volume

    vol = Volume(np.asarray(prob, dtype=np.float32), coarse)
    return resample_volume(vol, target, default_hu=0.0).array


def _weakened(p: npt.NDArray[np.float32], rng: np.random.Generator) -> npt.NDArray[np.float32]:
    """The coarse channel as the fine stage may meet it on a scan unlike the training ones:
    blank (p 0.15), faint (x 0.1-0.6, p 0.25), else sharpened/softened by a power 0.7-1.5."""
    u = rng.random()
    if u < 0.15:
        return np.zeros_like(p)
    p = np.clip(p, 0.0, 1.0)
    if u < 0.4:
        return (p * rng.uniform(0.1, 0.6)).astype(np.float32)
    return np.power(p, rng.uniform(0.7, 1.5)).astype(np.float32)


def fine_batch(
    cases: Sequence[PreparedCase],
    probs: Sequence[npt.NDArray[np.float32]],
    candidates: Sequence[npt.NDArray[np.int32]],
    size: tuple[int, int, int],
    n: int,
    rng: np.random.Generator,
) -> Batch:
    """``n`` augmented fine patches: NCCT, CTA, coarse probability; thrombus target."""
    images, targets = [], []
    kinds = list(FINE_MIX)
    for _ in range(n):
        kind = str(rng.choice(kinds, p=list(FINE_MIX.values())))
        i = _pick_case(cases, kind, rng)
        case = cases[i]
        pool = {
            "thrombus": case.thrombus_points,
            "candidate": candidates[i],
            "vessel": case.vessel_points,
            "mimic": case.mimic_points,
            "sleeve": case.sleeve_points,
        }
        points = pool[kind]
        if len(points) == 0:
            points = next((p for p in pool.values() if len(p)), np.zeros((0, 3), np.int32))
        if len(points):
            centre = points[int(rng.integers(len(points)))]
        else:
            centre = rng.uniform(0, 1, 3) * np.asarray(case.fine_label.shape)
        start = start_for_centre(centre, size, rng)
        hu = crop(case.fine_hu, start, size, pad=-1024).astype(np.float32)
        label = crop(case.fine_label, start, size, pad=0).astype(np.float32)
        geom = case.fine_geometry.crop(start, size)
        p = coarse_probability_on(probs[i], case.coarse_geometry, geom)
        p = _weakened(p, rng)
        if rng.random() < P_DISTRACT:
            hu = distractors_hu(hu, label, min(case.fine_geometry.spacing), rng)
        image = np.concatenate([normalise_hu(intensity_hu(hu, rng)), p[None]])
        image, label = spatial_and_gamma(image, label, rng)
        if rng.random() < 0.5:
            image, label = image[..., ::-1], label[..., ::-1]
        images.append(image)
        targets.append(label[None])
    return Batch(np.ascontiguousarray(np.stack(images)), np.ascontiguousarray(np.stack(targets)))


def false_positive_candidates(
    prob: npt.NDArray[np.float32], case: PreparedCase, *, threshold: float
) -> npt.NDArray[np.int32]:
    """Fine-grid centroids of coarse components >= ``threshold`` that miss the thrombus."""
    labels, n = components(prob >= threshold)
    out = []
    for k in range(1, n + 1):
        comp = labels == k
        if np.any(case.coarse_label[comp]):
            continue
        centroid = np.argwhere(comp).mean(axis=0)
        lps = case.coarse_geometry.index_to_lps(centroid)
        out.append(np.round(case.fine_geometry.lps_to_index(lps)))
    return np.asarray(out, dtype=np.int32).reshape(-1, 3)
