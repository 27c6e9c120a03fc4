"""A stand-in NCCT arterial-map model folder for tests (no trained network needed)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from strokescope.vessels.ncct_map import MANIFEST_NAME


def sigmoid_model(folder: Path, *, tile: int = 16, threshold: float = 0.6) -> Path:
    """A model folder whose "network" is sigmoid(normalised NCCT): 0.5 at the window's
    low end, 0.73 at its high end."""
    import onnx
    from onnx import TensorProto, helper

    dims: list[str | int | None] = ["N", 1, "z", "y", "x"]
    graph = helper.make_graph(
        [helper.make_node("Sigmoid", ["image"], ["probability"])],
        "stand-in",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, dims)],
        [helper.make_tensor_value_info("probability", TensorProto.FLOAT, dims)],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "arteries_ncct.onnx"
    onnx.save(model, str(path))
    manifest = {
        "version": "test",
        "network": {
            "file": path.name,
            "input": "image",
            "output": "probability",
            "spacing_mm": 1.0,
            "tile": [tile] * 3,
            "size_divisor": 8,
        },
        "normalisation": {"NCCT": {"clip_hu": [-20.0, 180.0]}},
        "decision": {"threshold": threshold},
        "files": {path.name: hashlib.sha256(path.read_bytes()).hexdigest()},
    }
    (folder / MANIFEST_NAME).write_text(json.dumps(manifest), encoding="utf-8")
    return folder
