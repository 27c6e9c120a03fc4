"""Coarse-to-fine thrombus inference with onnxruntime, reproducing the manifest's steps.

1. Region: bounding box of the brain mask of the registered NCCT, widened by the region
   margin (10 mm) and clipped to the CTA grid.
2. Model grids keep the CTA direction and start at the region's first voxel. The NCCT is
   resampled from its own grid through the registration straight onto them (one linear
   interpolation instead of two), the CTA linearly; air outside.
3. Coarse stage: the whole region in one pass, padded to the size divisor with 0.
4. Candidates: 26-connected components of coarse probability >= the candidate threshold;
   the ``MAX_CANDIDATES`` with the highest peaks are refined. With the ``fine_scan`` rule
   the scan network (the manifest's ``scan`` stage, else the fine one) also runs without a
   coarse prior over the tiles richest in opacified vessel (:func:`scan`); its candidates
   away from every coarse one are refined by the scan network with the scan's probability
   as the prior, and kept only away from the coarse candidates.
5. Fine stage: tiles of the patch size covering each candidate's box on the fine grid (HU
   outside the fine grid = air, as training crops are padded), third channel = coarse
   probability resampled linearly (0 outside). Where a box needs several tiles they are
   blended with Gaussian weights (sigma = patch / 8, as nnU-Net); boxes are combined by
   maximum.
6. The fine probability is resampled linearly onto the CTA grid, inside the boxes only.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import SimpleITK as sitk

from strokescope.io.sitk_convert import geometry_to_sitk, volume_to_sitk
from strokescope.preprocess.morphology import components, dilate_ball, inside_distance
from strokescope.preprocess.registration import RegistrationResult, _sitk_transform
from strokescope.preprocess.resample import resample_mask
from strokescope.thrombus.model import Stage, ThrombusModels
from strokescope.thrombus.tiles import tile_starts, vessel_tiles
from strokescope.volume import Geometry, Mask, Volume

log = logging.getLogger(__name__)

MAX_CANDIDATES = 8
AIR_HU = -1024.0
Progress = Callable[[float], None]


def model_grid(
    source: Geometry, spacing: Sequence[float], lo: npt.ArrayLike, hi: npt.ArrayLike
) -> Geometry:
    """Grid with ``spacing`` and ``source``'s direction covering inclusive indices lo..hi."""
    lo_a, hi_a = np.asarray(lo, dtype=float), np.asarray(hi, dtype=float)
    extent = (hi_a - lo_a) * np.asarray(source.spacing)
    shape = tuple(int(np.floor(e / s + 1e-6)) + 1 for e, s in zip(extent, spacing, strict=True))
    origin = tuple(float(v) for v in source.index_to_lps(lo_a))
    return Geometry(shape, tuple(spacing), origin, source.direction)  # type: ignore[arg-type]


def gaussian_weights(size: Sequence[int]) -> npt.NDArray[np.float32]:
    """Blending weights of one tile: a Gaussian with sigma = size / 8, floored at 1e-3."""
    axes = [np.exp(-0.5 * ((np.arange(n) - (n - 1) / 2) / (n / 8.0)) ** 2) for n in size]
    w = axes[0][:, None, None] * axes[1][None, :, None] * axes[2][None, None, :]
    return np.maximum(w / w.max(), 1e-3).astype(np.float32)


class Sources:
    """NCCT and CTA as SimpleITK images (converted once) and the NCCT's registration."""

    def __init__(self, ncct: Volume, cta: Volume, registration: RegistrationResult) -> None:
        self.ncct = volume_to_sitk(ncct)
        self.cta = volume_to_sitk(cta)
        self.transform = _sitk_transform(registration.cta_to_ncct)
        self.cta_geometry = cta.geometry

    def hu_on(self, geometry: Geometry) -> npt.NDArray[np.float32]:
        """(2, z, y, x) NCCT and CTA HU on ``geometry`` (linear; air outside)."""
        z, y, x = geometry.shape
        ref = geometry_to_sitk(sitk.Image(int(x), int(y), int(z), sitk.sitkUInt8), geometry)
        out = np.empty((2, z, y, x), dtype=np.float32)
        for c, (image, tf) in enumerate(((self.ncct, self.transform), (self.cta, None))):
            res = sitk.Resample(
                image, ref, tf or sitk.Transform(), sitk.sitkLinear, AIR_HU, sitk.sitkFloat32
            )
            out[c] = sitk.GetArrayViewFromImage(res)
        return out


def resample_array(
    array: npt.NDArray[np.float32], source: Geometry, target: Geometry
) -> npt.NDArray[np.float32]:
    """Linear resampling of a probability-like array (0 outside the source)."""
    z, y, x = target.shape
    ref = geometry_to_sitk(sitk.Image(int(x), int(y), int(z), sitk.sitkUInt8), target)
    img = geometry_to_sitk(sitk.GetImageFromArray(np.asarray(array, np.float32)), source)
    res = sitk.Resample(img, ref, sitk.Transform(), sitk.sitkLinear, 0.0, sitk.sitkFloat32)
    return sitk.GetArrayFromImage(res)


def normalise(models: ThrombusModels, hu: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    return np.stack([models.windows["NCCT"].apply(hu[0]), models.windows["CTA"].apply(hu[1])])


def run_padded(stage: Stage, image: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Probability (z, y, x) of a normalised (C, z, y, x) image padded to the divisor with 0."""
    div = stage.size_divisor
    shape = image.shape[1:]
    padded = [-(-s // div) * div for s in shape]
    x = np.zeros((1, image.shape[0], *padded), dtype=np.float32)
    x[0, :, : shape[0], : shape[1], : shape[2]] = image
    return stage.run(x)[0, 0, : shape[0], : shape[1], : shape[2]]


def sliding_window(
    stage: Stage, image: npt.NDArray[np.float32], starts: Sequence[Sequence[int]]
) -> npt.NDArray[np.float32]:
    """Gaussian-blended probability of ``image`` (C, z, y, x) from patch-size tiles at
    ``starts`` (each tile must lie inside the image)."""
    size = stage.patch_size
    acc = np.zeros(image.shape[1:], dtype=np.float32)
    weight = np.zeros(image.shape[1:], dtype=np.float32)
    w = gaussian_weights(size) if len(starts) > 1 else np.ones(size, np.float32)
    for s in starts:
        sl = tuple(slice(int(a), int(a) + n) for a, n in zip(s, size, strict=True))
        prob = run_padded(stage, np.ascontiguousarray(image[(slice(None), *sl)]))
        acc[sl] += w * prob
        weight[sl] += w
    return np.divide(acc, weight, out=np.zeros_like(acc), where=weight > 0)


@dataclass(frozen=True, eq=False)
class FineBox:
    """Fine-stage probability on one candidate's box of the fine grid."""

    geometry: Geometry
    probability: npt.NDArray[np.float32]
    tiles: int


@dataclass(frozen=True, eq=False)
class Prediction:
    """Both stages' outputs."""

    coarse_geometry: Geometry
    coarse_probability: npt.NDArray[np.float32]
    fine_geometry: Geometry
    boxes: tuple[FineBox, ...]
    seconds: dict[str, float] = field(default_factory=dict)
    scan_only: npt.NDArray[np.bool_] | None = None
    """Coarse-grid voxels away from every coarse candidate (more than one voxel), where
    only the scan can propose a thrombus; None without the scan."""

    def proposed_by_scan_only(self, points_lps: npt.NDArray[np.float64]) -> bool:
        """True if none of ``points_lps`` (a component) lies at a coarse candidate."""
        if self.scan_only is None or len(points_lps) == 0:
            return False
        grid = self.coarse_geometry
        c = np.rint(grid.lps_to_index(points_lps)).astype(np.int64)
        c = np.clip(c, 0, np.asarray(grid.shape) - 1)
        return bool(self.scan_only[tuple(c.T)].all())


def candidates(
    prob: npt.NDArray[np.float32], threshold: float, *, limit: int = MAX_CANDIDATES
) -> list[npt.NDArray[np.int64]]:
    """(lo, hi) index boxes of the 26-connected components of ``prob >= threshold``, highest
    peak first (at most ``limit``); training's validation refines the same boxes."""
    labels, n = components(prob >= threshold)
    if n == 0:
        return []
    peaks = np.zeros(n + 1, np.float32)
    np.maximum.at(peaks, labels.ravel(), prob.ravel())
    out = []
    for k in (np.argsort(peaks[1:])[::-1][:limit] + 1).tolist():
        idx = np.argwhere(labels == k)
        out.append(np.stack([idx.min(0), idx.max(0)]))
    return out


def scan(
    models: ThrombusModels,
    sources: Sources,
    fine_grid: Geometry,
    coarse_grid: Geometry,
    coarse_hu: npt.NDArray[np.float32],
    brain: Mask | None = None,
) -> npt.NDArray[np.float32]:
    """The scan network (the fine stage unless the manifest has a ``scan`` stage) without a
    coarse prior (third channel 0) over the vessel tiles, its probability carried onto the
    coarse grid by maximum: candidates the coarse stage missed, refined like the coarse
    ones but by the scan network (:func:`predict`). With ``rules.scan_deep_vessel_mm`` and
    the ``brain`` mask, tiles with vessel that deep inside the brain are taken in turn with
    the densest (:func:`vessel_tiles`).

    The scan network is trained with its coarse channel blanked in part of its crops, so it
    detects on its own; at 0.6 mm it sees clots in arteries too thin for the 1.5 mm grid.
    """
    rules = models.rules
    network = models.scan or models.fine
    size = models.fine.patch_size
    out = np.zeros(coarse_grid.shape, dtype=np.float32)
    shape = np.asarray(coarse_grid.shape)
    depth = rules.scan_deep_vessel_mm
    deep = None if depth is None or brain is None else deep_inside(brain, coarse_grid, depth)
    starts = vessel_tiles(
        fine_grid,
        coarse_grid,
        coarse_hu,
        size,
        rules.scan_min_vessel_voxels,
        rules.scan_max_tiles,
        deep,
    )
    blank = np.zeros((1, *size), dtype=np.float32)
    for start in starts:
        geom = fine_grid.crop(start, size)
        image = np.concatenate([normalise(models, sources.hu_on(geom)), blank])
        prob = run_padded(network, image)
        idx = np.argwhere(prob >= rules.coarse_candidate_threshold)
        if len(idx) == 0:
            continue
        c = np.rint(coarse_grid.lps_to_index(geom.index_to_lps(idx.astype(float)))).astype(int)
        ok = np.all((c >= 0) & (c < shape), axis=1)
        np.maximum.at(out, tuple(c[ok].T), prob[tuple(idx[ok].T)])
    log.info("thrombus scan: %d fine tiles", len(starts))
    return out


def deep_inside(brain: Mask, grid: Geometry, mm: float) -> npt.NDArray[np.bool_]:
    """Voxels of ``grid`` at least ``mm`` inside the ``brain`` mask (its distance map,
    read nearest-neighbour)."""
    depth = inside_distance(brain.array, brain.geometry.spacing)
    return resample_mask(Mask(depth >= mm, brain.geometry), grid).array


def _outside(box: FineBox, coarse_grid: Geometry, proposed: npt.NDArray[np.bool_]) -> FineBox:
    """``box`` with its probability 0 wherever a coarse candidate was ``proposed``."""
    prob = box.probability
    idx = np.argwhere(prob > 0)
    c = np.rint(coarse_grid.lps_to_index(box.geometry.index_to_lps(idx.astype(float))))
    c = np.clip(c.astype(np.int64), 0, np.asarray(coarse_grid.shape) - 1)
    prob[tuple(idx[proposed[tuple(c.T)]].T)] = 0.0
    return box


def _fine_box(
    models: ThrombusModels,
    network: Stage,
    sources: Sources,
    fine_grid: Geometry,
    coarse_grid: Geometry,
    coarse_prob: npt.NDArray[np.float32],
    box: npt.NDArray[np.int64],
) -> FineBox:
    corners = [coarse_grid.index_to_lps(c) for c in box]
    f = np.array([fine_grid.lps_to_index(c) for c in corners])
    lo, hi = np.floor(f.min(0)).astype(np.int64), np.ceil(f.max(0)).astype(np.int64)
    size = models.fine.patch_size
    starts = tile_starts(lo, hi, size)
    box_lo = np.min(starts, axis=0)
    box_size = np.max(starts, axis=0) + np.asarray(size) - box_lo
    geom = fine_grid.crop(box_lo.tolist(), box_size.tolist())
    hu = sources.hu_on(geom)
    inside = [
        (np.arange(n) + o >= 0) & (np.arange(n) + o < m)
        for n, o, m in zip(box_size, box_lo, fine_grid.shape, strict=True)
    ]
    outside = ~(inside[0][:, None, None] & inside[1][None, :, None] & inside[2][None, None, :])
    hu[:, outside] = AIR_HU  # training crops of the fine grid are padded with air
    p = resample_array(coarse_prob, coarse_grid, geom)
    image = np.concatenate([normalise(models, hu), p[None]])
    local = [tuple(int(v) for v in np.asarray(s) - box_lo) for s in starts]
    return FineBox(geom, sliding_window(network, image, local), len(starts))


def predict(
    models: ThrombusModels,
    sources: Sources,
    region: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]],
    brain: Mask | None = None,
    *,
    on_progress: Progress | None = None,
) -> Prediction:
    """Run both stages on the inclusive CTA-index ``region`` (see the module docstring);
    ``brain`` orders the scan's tiles (:func:`scan`)."""
    seconds: dict[str, float] = {}
    t = time.perf_counter()
    cta_geom = sources.cta_geometry
    lo, hi = region
    coarse_grid = model_grid(cta_geom, models.coarse.spacing_mm, lo, hi)
    fine_grid = model_grid(cta_geom, models.fine.spacing_mm, lo, hi)
    coarse_hu = sources.hu_on(coarse_grid)
    coarse_prob = run_padded(models.coarse, normalise(models, coarse_hu))
    seconds["coarse"] = time.perf_counter() - t
    if on_progress:
        on_progress(0.4)
    rules = models.rules
    threshold = rules.coarse_candidate_threshold
    proposed = dilate_ball(coarse_prob >= threshold, (1, 1, 1))
    found = [(models.fine, coarse_prob, box) for box in candidates(coarse_prob, threshold)]
    if rules.fine_scan:
        t = time.perf_counter()
        scanned = scan(models, sources, fine_grid, coarse_grid, coarse_hu, brain)
        scanned[proposed] = 0.0  # the coarse candidates' neighbourhood is the fine stage's
        found += [(models.scan or models.fine, scanned, b) for b in candidates(scanned, threshold)]
        seconds["scan"] = time.perf_counter() - t
    if on_progress:
        on_progress(0.5)
    t = time.perf_counter()
    boxes = []
    for i, (network, prior, box) in enumerate(found):
        fine = _fine_box(models, network, sources, fine_grid, coarse_grid, prior, box)
        boxes.append(fine if prior is coarse_prob else _outside(fine, coarse_grid, proposed))
        if on_progress:
            on_progress(0.5 + 0.5 * (i + 1) / len(found))
    seconds["fine"] = time.perf_counter() - t
    log.info(
        "thrombus inference: %d candidates, %d fine tiles", len(boxes), sum(b.tiles for b in boxes)
    )
    scan_only = ~proposed if rules.fine_scan else None
    return Prediction(coarse_grid, coarse_prob, fine_grid, tuple(boxes), seconds, scan_only)


def probability_near_threshold(
    prediction: Prediction, cta_geometry: Geometry, threshold: float
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    """Fine probability on the CTA grid (maximum over boxes) inside the index box that holds
    every voxel >= ``threshold``, and that box's first CTA index. Without such a voxel the
    array is empty.

    Only the boxes are resampled and only the box around the thrombus candidates is
    allocated: candidates may lie far apart, and a full-grid array costs seconds at
    512 x 512 x 320.
    """
    parts = []
    for box in prediction.boxes:
        g = box.geometry
        corners = np.array(
            [
                [a, b, c]
                for a in (0, g.shape[0] - 1)
                for b in (0, g.shape[1] - 1)
                for c in (0, g.shape[2] - 1)
            ],
            dtype=float,
        )
        bounds = cta_geometry.index_bounds(g.index_to_lps(corners))
        if bounds is None:
            continue
        lo, hi = bounds
        sub = cta_geometry.crop(lo.tolist(), (hi - lo).tolist())
        prob = resample_array(box.probability, g, sub)
        hot = np.argwhere(prob >= threshold)
        if len(hot):
            parts.append((lo, prob, hot.min(0) + lo, hot.max(0) + lo))
    if not parts:
        return np.zeros(3, np.int64), np.zeros((0, 0, 0), np.float32)
    first = np.min([p[2] for p in parts], axis=0)
    last = np.max([p[3] for p in parts], axis=0)
    out = np.zeros(tuple(last - first + 1), dtype=np.float32)
    for lo, prob, _, _ in parts:
        a = np.maximum(lo, first)
        b = np.minimum(lo + np.asarray(prob.shape), last + 1)
        if np.any(b <= a):
            continue
        src = tuple(slice(int(x - o), int(y - o)) for x, y, o in zip(a, b, lo, strict=True))
        dst = tuple(slice(int(x - f), int(y - f)) for x, y, f in zip(a, b, first, strict=True))
        np.maximum(out[dst], prob[src], out=out[dst])
    return first, out
