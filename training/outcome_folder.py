"""Write an outcome model folder the app loads (:mod:`strokescope.outcome.installed`):
``model.onnx``, ``MODEL_CARD.md`` and, last, ``manifest.json`` with the sha256 of the
other two. Shared by the feature model (:mod:`training.outcome_onnx`) and the network
(:mod:`training.scanet_onnx`).

After the manifest is in place the folder is loaded through the app's own loader and the
caller's parity check runs on it; above :data:`PARITY_TOLERANCE` the manifest is removed
again (the folder no longer loads) and ``ModelError`` is raised.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from strokescope.atomic import atomic_write_bytes, atomic_write_text
from strokescope.errors import ModelError
from strokescope.outcome.installed import (
    CARD_NAME,
    MANIFEST_NAME,
    ONNX_NAME,
    RESEARCH_NOTICE,
    OutcomeModel,
    load_outcome_model,
)
from strokescope.resources import sha256_file

PARITY_TOLERANCE = 1e-4


def card_header(manifest: dict[str, Any]) -> list[str]:
    """The first lines of every outcome model card: name, research notice, what it predicts."""
    return [
        f"# Outcome model card: {manifest['name']}",
        "",
        f"**{RESEARCH_NOTICE}**",
        "",
        f"- Predicts: {manifest['outcome']}.",
    ]


def install_folder(
    out: str | Path,
    *,
    onnx: bytes,
    manifest: dict[str, Any],
    card: str | Callable[[dict[str, Any]], str],
    parity: Callable[[OutcomeModel], float],
    tolerance: float = PARITY_TOLERANCE,
) -> Path:
    """Write the folder ``out`` and check it.

    Parameters
    ----------
    onnx
        The serialised graph.
    manifest
        Every manifest field but ``files`` (added here).
    card
        The model card's text, or a function of the manifest (``files`` holding the
        graph's digest only) that writes it.
    parity
        The largest absolute difference between the loaded model and the reference
        implementation, on inputs the caller chooses.
    """
    folder = Path(out)
    atomic_write_bytes(folder / ONNX_NAME, onnx)
    record = {**manifest, "files": {ONNX_NAME: sha256_file(folder / ONNX_NAME)}}
    atomic_write_text(folder / CARD_NAME, card if isinstance(card, str) else card(record))
    record["files"][CARD_NAME] = sha256_file(folder / CARD_NAME)
    atomic_write_text(folder / MANIFEST_NAME, json.dumps(record, indent=2) + "\n")
    gap = parity(load_outcome_model(folder))
    if not gap <= tolerance:
        (folder / MANIFEST_NAME).unlink()
        raise ModelError(
            f"{folder}: onnxruntime differs from the reference by {gap:.2e} (> {tolerance:g})"
        )
    return folder
