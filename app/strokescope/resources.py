"""Where StrokeScope finds its shipped files, installed from source or frozen in a bundle.

The thrombus models live in ``models_onnx/`` (``manifest.json``, the ``.onnx`` files,
``MODEL_CARD.md``). :func:`models_dir` returns, in this order:

1. the folder named by the environment variable ``STROKESCOPE_MODELS`` (a site's own models);
2. inside an offline bundle built by ``make bundle`` (PyInstaller sets ``sys.frozen`` and
   ``sys._MEIPASS``): ``<bundle>/_internal/models_onnx``;
3. the repository's ``models_onnx/`` next to ``app/`` (a source checkout, editable install);
4. otherwise the copy a wheel installs as data files, ``<sys.prefix>/share/strokescope/
   models_onnx`` (a plain ``pip install .``).

The folder is not required to exist: callers such as ``thrombus.model.models_installed``
check for the manifest themselves.

No outcome model ships. A site that trained and installed one (``python -m
training.outcome_onnx``) names its folder with ``strokescope thrombus --outcome-model``, in
the viewer's Analysis menu, or for every run with the environment variable
``STROKESCOPE_OUTCOME_MODEL`` (:func:`outcome_model_dir`); set but empty means none.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from pathlib import Path
from typing import Any

from strokescope.errors import ModelError

MODELS_ENV = "STROKESCOPE_MODELS"
OUTCOME_MODEL_ENV = "STROKESCOPE_OUTCOME_MODEL"
MODELS_FOLDER = "models_onnx"
INSTALLED_MODELS = Path("share") / "strokescope" / MODELS_FOLDER


def is_frozen() -> bool:
    """Whether this process runs from a PyInstaller bundle."""
    return bool(getattr(sys, "frozen", False)) and hasattr(sys, "_MEIPASS")


def bundle_root() -> Path:
    """The bundle's data folder when frozen (``sys._MEIPASS``), else the repository root."""
    if is_frozen():
        return Path(str(getattr(sys, "_MEIPASS"))).resolve()  # noqa: B009 (not a typed attribute)
    return Path(__file__).resolve().parents[2]


def models_dir() -> Path:
    """The thrombus model folder: ``$STROKESCOPE_MODELS``, the bundled one, the repo's, or the
    installed one (see the module docstring)."""
    override = os.environ.get(MODELS_ENV, "").strip()
    if override:
        return Path(override).expanduser().resolve()
    beside = bundle_root() / MODELS_FOLDER
    if is_frozen() or beside.is_dir():
        return beside
    return Path(sys.prefix) / INSTALLED_MODELS


def outcome_model_dir() -> Path | None:
    """The outcome model folder named by ``$STROKESCOPE_OUTCOME_MODEL`` (unset or empty:
    ``None``, no model). Not checked here: loading the folder checks it."""
    named = os.environ.get(OUTCOME_MODEL_ENV, "").strip()
    return Path(named).expanduser().resolve() if named else None


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in 1 MiB chunks (models are checked against manifests)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_manifest(path: Path, missing: str) -> dict[str, Any]:
    """The JSON manifest at ``path``; ``ModelError`` saying ``missing`` when there is none,
    or why it cannot be read."""
    if not path.is_file():
        raise ModelError(f"{path.parent}: no {path.name}; {missing}")
    try:
        manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path}: unreadable manifest ({exc})") from exc
    return manifest


def check_files(folder: Path, files: dict[str, str]) -> None:
    """``ModelError`` unless every file named in ``files`` is in ``folder`` with that sha256."""
    for name, expected in files.items():
        path = folder / name
        if not path.is_file():
            raise ModelError(f"{path}: listed in the manifest but missing")
        if sha256_file(path) != expected:
            raise ModelError(f"{path}: sha256 differs from the manifest (altered model file)")


def onnx_session(path: Path, providers: list[str], threads: int, what: str) -> Any:
    """An onnxruntime session of ``path`` with ``threads`` intra-op threads and quiet logs;
    ``ModelError`` naming ``what`` when onnxruntime cannot load it."""
    import onnxruntime as ort

    ort.disable_telemetry_events()  # the environment switch (strokescope/__init__) does the rest
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.log_severity_level = 3
    try:
        return ort.InferenceSession(str(path), options, providers=providers)
    except Exception as exc:  # onnxruntime raises its own untyped errors
        raise ModelError(f"{path}: onnxruntime cannot load the {what} ({exc})") from exc
