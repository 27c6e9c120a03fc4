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
from strokescope.thrombus.rules import Rules, rules_from_manifest

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
