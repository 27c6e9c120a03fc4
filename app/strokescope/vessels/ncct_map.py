"""The arterial map from NCCT alone (seed 002): a network that marks the arteries where no
CTA exists.

Yang et al. (seed 002) trained nnU-Net on paired NCCT-CTA, the CTA's arterial lumen as the
label, and reconstructed the cerebral arteries from the NCCT (Dice 0.79-0.80 on patients):
flowing blood is 40-55 HU, a little denser than brain and much denser than the CSF round
the large arteries. Ours is the same idea trained on phantoms (``training.artery_map``):
one 3D U-Net of the thrombus networks' design, one input channel (NCCT), on an isotropic
grid over the head (:func:`map_grid`), run whole. **Phantom-trained, research use only, not
for diagnosis**: it marks where arteries probably run, it does not measure them.

The model lives beside the thrombus networks in ``models_onnx/``: ``arteries_ncct.onnx`` and
its own manifest ``arteries_ncct.json`` (grid spacing, size divisor, intensity window,
threshold, sha256, training and evaluation), checked like theirs (:class:`ModelError` for a
missing manifest, an altered file or an input that differs from the manifest).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from strokescope.errors import InputError, ModelError
from strokescope.preprocess.resample import resample_volume
from strokescope.resources import check_files, models_dir, onnx_session, read_manifest
from strokescope.thrombus.inference import model_grid
from strokescope.thrombus.model import Window
from strokescope.thrombus.tiles import tile_starts
from strokescope.volume import Geometry, Mask, Volume

MANIFEST_NAME = "arteries_ncct.json"
HEAD_HU = -300.0
"""Voxels above this are head (skin, bone, brain); the map's grid covers their box."""
HEAD_MARGIN_MM = 2.0
SOFT_TISSUE_HU = (0.0, 100.0)
"""A tile without a voxel in this range (air, bone only) holds no artery: not run."""


@dataclass(frozen=True, eq=False)
class ArteryMapModel:
    """The NCCT arterial-map network and its manifest entries."""

    folder: Path
    version: str
    session: Any  # onnxruntime.InferenceSession
    input_name: str
    output_name: str
    spacing_mm: float
    tile: tuple[int, int, int]
    window: Window
    threshold: float
    sha256: str


@dataclass(frozen=True, eq=False)
class ArteryMap:
    """Artery probability on the map's grid, the map (probability >= threshold) and the
    NCCT on that grid (HU)."""

    probability: npt.NDArray[np.float32]
    hu: npt.NDArray[np.float32]
    mask: Mask
    model_version: str
    seconds: float


def head_box(ncct: Volume) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Inclusive (lo, hi) NCCT indices of the head (HU > ``HEAD_HU``) with a small margin."""
    head = np.asarray(ncct.array) > HEAD_HU
    if not head.any():
        raise InputError(
            f"NCCT {ncct.meta.description or ncct.meta.source!r}: no head in the image"
        )
    idx = [np.flatnonzero(head.any(axis=tuple(a for a in range(3) if a != k))) for k in range(3)]
    pad = np.ceil(HEAD_MARGIN_MM / np.asarray(ncct.geometry.spacing)).astype(np.int64)
    lo = np.maximum(np.array([i[0] for i in idx]) - pad, 0)
    hi = np.minimum(np.array([i[-1] for i in idx]) + pad, np.asarray(ncct.shape) - 1)
    return lo, hi


def map_grid(ncct: Volume, spacing_mm: float) -> Geometry:
    """Isotropic ``spacing_mm`` grid in the NCCT's orientation covering its head box."""
    lo, hi = head_box(ncct)
    return model_grid(ncct.geometry, (float(spacing_mm),) * 3, lo, hi)


def run_map(model: ArteryMapModel, hu: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """Artery probability of an NCCT array (z, y, x) in HU on the map's grid.

    The network runs on tiles of its manifest's ``tile`` size, not on the whole grid: its
    instance norms were trained on crops of about that size, and over a whole head (air,
    scalp and bone included) their statistics differ enough to mark bone edges and scalp
    as artery. Tiles holding no soft tissue are skipped (probability 0); where the last
    tiles of an axis overlap, their probabilities are averaged."""
    size = np.asarray(model.tile)
    x = model.window.apply(hu)
    tissue = (hu > SOFT_TISSUE_HU[0]) & (hu < SOFT_TISSUE_HU[1])
    acc = np.zeros(hu.shape, dtype=np.float32)
    count = np.zeros(hu.shape, dtype=np.float32)
    lo, hi = np.zeros(3, np.int64), np.asarray(hu.shape) - 1
    for start in tile_starts(lo, hi, model.tile, overlap=0.0):
        a = np.maximum(np.asarray(start), 0)
        b = np.minimum(np.asarray(start) + size, hu.shape)
        region = tuple(slice(int(i), int(j)) for i, j in zip(a, b, strict=True))
        if not tissue[region].any():
            continue
        tile = np.zeros((1, 1, *model.tile), dtype=np.float32)
        inner = tuple(slice(int(i - s), int(j - s)) for i, j, s in zip(a, b, start, strict=True))
        tile[0, 0][inner] = x[region]
        out = model.session.run([model.output_name], {model.input_name: tile})[0]
        acc[region] += out[0, 0][inner]
        count[region] += 1.0
    return np.divide(acc, count, out=np.zeros_like(acc), where=count > 0)


def artery_map(ncct: Volume, model: ArteryMapModel) -> ArteryMap:
    """The arterial map of ``ncct`` on its own isotropic grid (:func:`map_grid`)."""
    start = time.perf_counter()
    grid = map_grid(ncct, model.spacing_mm)
    hu = resample_volume(ncct, grid).array.astype(np.float32)
    prob = run_map(model, hu)
    mask = Mask(prob >= model.threshold, grid, "arteries (NCCT map)")
    return ArteryMap(prob, hu, mask, model.version, time.perf_counter() - start)


@lru_cache(maxsize=4)
def _load(folder: Path, threads: int) -> ArteryMapModel:
    manifest = read_manifest(folder / MANIFEST_NAME, "the NCCT arterial map is not installed")
    try:
        files: dict[str, str] = dict(manifest["files"])
        entry = manifest["network"]
        path = folder / str(entry["file"])
        window = tuple(float(v) for v in manifest["normalisation"]["NCCT"]["clip_hu"])
        spacing = float(entry["spacing_mm"])
        tile = tuple(int(v) for v in entry["tile"])
        divisor = int(entry["size_divisor"])
        threshold, version = float(manifest["decision"]["threshold"]), str(manifest["version"])
        name_in, name_out = str(entry["input"]), str(entry["output"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ModelError(f"{folder / MANIFEST_NAME}: incomplete manifest ({exc})") from exc
    if path.name not in files:
        raise ModelError(f"{path}: the arterial map has no checksum in the manifest")
    check_files(folder, files)
    session = onnx_session(path, ["CPUExecutionProvider"], threads, "arterial map")
    inputs = session.get_inputs()
    if len(inputs) != 1 or inputs[0].name != name_in or inputs[0].shape[1] != 1:
        raise ModelError(f"{path}: input does not match the manifest ({name_in!r}, 1 channel)")
    if len(tile) != 3 or any(t < divisor or t % divisor for t in tile):
        raise ModelError(f"{folder / MANIFEST_NAME}: tile {tile} is not a multiple of {divisor}")
    if window[1] <= window[0] or not 0.0 < threshold < 1.0:
        raise ModelError(f"{folder / MANIFEST_NAME}: bad window {window} or threshold {threshold}")
    return ArteryMapModel(
        folder,
        version,
        session,
        name_in,
        name_out,
        spacing,
        (tile[0], tile[1], tile[2]),
        Window(window[0], window[1]),
        threshold,
        files[path.name],
    )


def load_artery_map(folder: str | Path | None = None, *, threads: int = 2) -> ArteryMapModel:
    """The arterial-map model of ``folder`` (default: the installed ``models_onnx``)."""
    return _load(Path(folder or models_dir()).resolve(), threads)


def artery_map_installed(folder: str | Path | None = None) -> bool:
    return (Path(folder or models_dir()) / MANIFEST_NAME).is_file()
