"""An installed outcome model: a folder with ``model.onnx``, ``manifest.json`` and
``MODEL_CARD.md``, run with onnxruntime (no ``onnx`` package needed at run time).

The folder is written by ``python -m training.outcome_onnx`` from the ``fit.json`` that
``strokescope outcome train`` writes. The manifest holds the sha256 of ``model.onnx``, the
feature names in input order with their units and standardisation, the training cohort's
size and cross-validated AUC, and the research-use notice. :func:`load_outcome_model`
refuses a folder whose files differ from the manifest (``ModelError``). No model ships
with StrokeScope.

Two kinds, named by the manifest's ``model_kind`` (absent: ``"features"``):

- ``"features"``: input ``features`` float32 (N, k) in the manifest's feature order, raw
  units; ``Sub`` the mean, ``Div`` by the SD, ``MatMul`` the per-SD coefficients (k, 1),
  ``Add`` the intercept, ``Sigmoid``: output ``probability`` float32 (N, 1), P(mTICI >= 2c).
- ``"network"`` (written by ``python -m training.scanet_train``): input ``stack`` float32
  (N, 2, S, H, W), the NCCT + CTA stack of :mod:`strokescope.outcome.network_input`; the
  manifest's ``input`` must describe exactly the stack this version builds
  (:func:`~strokescope.outcome.network_input.input_spec`), else the folder is refused.
  Output ``probability`` (N, 1) as above.

Every manifest field the app reads is checked when the folder is loaded, so a hand-edited
or truncated manifest is a one-line ``ModelError`` naming it, never a ``KeyError`` later.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from strokescope.errors import ModelError

MODEL_FORMAT = "strokescope-outcome-model"
MODEL_FORMAT_VERSION = 1
ONNX_NAME = "model.onnx"
MANIFEST_NAME = "manifest.json"
CARD_NAME = "MODEL_CARD.md"
INPUT_NAME = "features"
NETWORK_INPUT_NAME = "stack"
OUTPUT_NAME = "probability"
MODEL_KINDS = ("features", "network")
CV_KEYS = ("auc", "auc_low", "auc_high")
RESEARCH_NOTICE = (
    "Research use only, not for diagnosis or treatment decisions. Trained on one site's "
    "cohort; not validated on patients elsewhere."
)


@dataclass(frozen=True)
class OutcomeModel:
    """A loaded outcome model: its manifest and an onnxruntime session (built once)."""

    folder: Path
    manifest: dict[str, Any]
    session: Any

    @property
    def kind(self) -> str:
        """``"features"`` (logistic model on features) or ``"network"`` (image network)."""
        return str(self.manifest.get("model_kind", "features"))

    @property
    def names(self) -> tuple[str, ...]:
        """The inputs in order: feature names, or the network's image channels."""
        key = "channels" if self.kind == "network" else "features"
        return tuple(self.manifest["input"][key])

    @property
    def units(self) -> tuple[str, ...] | None:
        """The manifest's unit per feature (``None`` when it lists none)."""
        units = self.manifest["input"].get("units")
        return None if units is None else tuple(units)

    @property
    def name(self) -> str:
        """The model's name in its manifest (the algorithm name of the DICOM SR)."""
        return str(self.manifest.get("name") or "outcome model")

    @property
    def version(self) -> str:
        """The manifest's ``version``, else ``sha256 <first 12 hex of model.onnx>``: the
        exact graph, as the SR's algorithm version."""
        version = self.manifest.get("version")
        if isinstance(version, str) and version:
            return version
        return f"sha256 {self.manifest['files'][ONNX_NAME][:12]}"

    def describe(self) -> str:
        """One line to show beside a probability: cohort, its size and the CV AUC."""
        cohort = self.manifest["cohort"]
        cv = self.manifest["cross_validation"]
        how = "held-out" if str(cv.get("method", "")).startswith("held-out") else "cross-validated"
        what = "network on NCCT + CTA, " if self.kind == "network" else ""
        return (
            f"{what}{cohort['description']} (n={cohort['n']}), {how} AUC "
            f"{cv['auc']:.2f} (95 % CI {cv['auc_low']:.2f}-{cv['auc_high']:.2f})"
        )

    def predict(self, x: npt.ArrayLike) -> npt.NDArray[np.float64]:
        """P(success) per row of ``x``: (n, k) features in :attr:`names` order, or for a
        network (n, 2, S, H, W) stacks of :mod:`strokescope.outcome.network_input`."""
        xs = np.asarray(x, dtype=np.float32)
        if self.kind == "network":
            shape = tuple(self.manifest["input"]["shape"][1:])
            if xs.ndim != 5 or xs.shape[1:] != shape:
                raise ModelError(f"the network takes stacks (n, {shape}), got shape {xs.shape}")
            (out,) = self.session.run([OUTPUT_NAME], {NETWORK_INPUT_NAME: xs})
            return np.asarray(out, dtype=np.float64).reshape(-1)
        if xs.ndim != 2 or xs.shape[1] != len(self.names):
            raise ModelError(f"the model takes {len(self.names)} features, got shape {xs.shape}")
        (out,) = self.session.run([OUTPUT_NAME], {INPUT_NAME: xs})
        return np.asarray(out, dtype=np.float64).reshape(-1)


def _manifest(folder: Path) -> dict[str, Any]:
    from strokescope.resources import read_manifest

    path = folder / MANIFEST_NAME
    manifest = read_manifest(path, "not an outcome model folder")
    if manifest.get("format") != MODEL_FORMAT:
        raise ModelError(
            f"{path}: not an outcome model manifest (format {manifest.get('format')!r})"
        )
    if manifest.get("format_version") != MODEL_FORMAT_VERSION:
        raise ModelError(
            f"{path}: manifest format {manifest.get('format_version')}, this version reads "
            f"{MODEL_FORMAT_VERSION}"
        )
    _check_fields(path, manifest)
    return manifest


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_network_input(path: Path, put: dict[str, Any]) -> None:
    """``ModelError`` unless a network's ``input`` describes the stack this version builds."""
    from strokescope.outcome.network_input import BUILDER, input_spec

    spec = input_spec()
    differs = [k for k, v in spec.items() if put.get(k) != v]
    if differs:
        raise ModelError(
            f"{path}: the network's input ({', '.join(f'{k} {put.get(k)!r}' for k in differs)}) "
            f"is not the stack this version builds ({BUILDER}); retrain on this version's stacks"
        )


def _check_features(path: Path, put: dict[str, Any]) -> None:
    names, units = put.get("features"), put.get("units")
    if not (isinstance(names, list) and names and all(isinstance(n, str) for n in names)):
        raise ModelError(f"{path}: input.features is not a list of feature names")
    if len(set(names)) != len(names):
        raise ModelError(f"{path}: input.features names a feature twice")
    if units is not None and not (isinstance(units, list) and len(units) == len(names)):
        raise ModelError(f"{path}: input.units does not give one unit per feature")


def _check_fields(path: Path, manifest: dict[str, Any]) -> None:
    """``ModelError`` naming the first manifest field the app reads that is missing or of
    the wrong type: the kind, its input (feature list and units, or the network's stack),
    the files, the cohort and the CV AUC."""
    put: dict[str, Any] = manifest.get("input") or {}
    if not isinstance(put, dict):
        raise ModelError(f"{path}: input is not an object")
    kind = manifest.get("model_kind", "features")
    if kind not in MODEL_KINDS:
        raise ModelError(f"{path}: model_kind {kind!r} is not one of {', '.join(MODEL_KINDS)}")
    if kind == "network":
        _check_network_input(path, put)
    else:
        _check_features(path, put)
    files = manifest.get("files")
    if not (isinstance(files, dict) and all(isinstance(v, str) for v in files.values())):
        raise ModelError(f"{path}: files is not a table of sha256 digests")
    cohort, cv = manifest.get("cohort"), manifest.get("cross_validation")
    if not (
        isinstance(cohort, dict)
        and isinstance(cohort.get("description"), str)
        and isinstance(cohort.get("n"), int)
    ):
        raise ModelError(f"{path}: cohort needs a description and its size n")
    if not (isinstance(cv, dict) and all(_number(cv.get(k)) for k in CV_KEYS)):
        raise ModelError(f"{path}: cross_validation needs {', '.join(CV_KEYS)}")


def load_outcome_model(folder: str | Path, *, threads: int = 1) -> OutcomeModel:
    """Check the folder against its manifest and open the ONNX graph on the CPU."""
    from strokescope.resources import check_files, onnx_session

    root = Path(folder)
    manifest = _manifest(root)
    check_files(root, manifest.get("files", {}))
    if ONNX_NAME not in manifest.get("files", {}):
        raise ModelError(f"{root / MANIFEST_NAME}: lists no {ONNX_NAME}")
    session = onnx_session(root / ONNX_NAME, ["CPUExecutionProvider"], threads, "outcome model")
    model = OutcomeModel(root, manifest, session)
    inputs = session.get_inputs()
    expected = NETWORK_INPUT_NAME if model.kind == "network" else INPUT_NAME
    if [i.name for i in inputs] != [expected]:
        names = [i.name for i in inputs]
        raise ModelError(f"{root / ONNX_NAME}: inputs {names}, expected [{expected!r}]")
    width = list(inputs[0].shape)[-1:]
    known = width and isinstance(width[0], int)
    if model.kind == "features" and known and width[0] != len(model.names):
        raise ModelError(
            f"{root / ONNX_NAME}: takes {width[0]} features, the manifest lists {len(model.names)}"
        )
    return model
