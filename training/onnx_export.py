"""ONNX export of both stages, checker, onnxruntime-vs-PyTorch parity, manifest.

Each stage is exported as ``thrombus_<stage>.onnx`` (opset 17, TorchScript exporter) with one
input ``image`` (N, C, z, y, x) float32 - spatial sizes dynamic, multiples of the size
divisor - and one output ``probability`` (N, 1, z, y, x), the sigmoid of the full-resolution
logits. The file passes :func:`onnx.checker.check_model` and onnxruntime must agree with
PyTorch to ``PARITY_TOLERANCE`` on a random and on a real input, or :class:`ModelError` is
raised and nothing is written.
"""

from __future__ import annotations

import logging
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import onnx
import onnxruntime as ort
import torch

from strokescope.atomic import atomic_path
from strokescope.errors import ModelError
from strokescope.resources import sha256_file
from training.config import StageConfig
from training.network import ProbabilityModel, ThrombusUNet

log = logging.getLogger(__name__)

OPSET = 17
PARITY_TOLERANCE = 1e-4
INPUT_NAME = "image"
OUTPUT_NAME = "probability"
RESEARCH_NOTICE = "Research use only, not for diagnosis. Not validated on patients."


@dataclass(frozen=True)
class ExportedModel:
    """One exported stage with its checks."""

    stage: StageConfig
    path: Path
    sha256: str
    max_abs_diff: float
    ort_latency_s: float
    latency_shape: tuple[int, int, int]
    opset: int = OPSET

    def to_dict(self) -> dict[str, Any]:
        return {
            "stage": self.stage.name,
            "file": self.path.name,
            "sha256": self.sha256,
            "opset": self.opset,
            "parity_max_abs_diff": self.max_abs_diff,
            "ort_latency_s": round(self.ort_latency_s, 3),
            "ort_latency_shape": list(self.latency_shape),
        }


def session(path: Path, *, threads: int = 2) -> ort.InferenceSession:
    """An onnxruntime CPU session with ``threads`` intra-op threads."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def _torch_probability(
    model: ProbabilityModel, x: npt.NDArray[np.float32]
) -> npt.NDArray[np.float32]:
    with torch.no_grad():
        return model(torch.from_numpy(x)).numpy()


def parity(
    sess: ort.InferenceSession, model: ProbabilityModel, inputs: list[npt.NDArray[np.float32]]
) -> float:
    """Largest absolute difference of the probabilities over ``inputs``."""
    worst = 0.0
    for x in inputs:
        got = sess.run([OUTPUT_NAME], {INPUT_NAME: x})[0]
        want = _torch_probability(model, x)
        if got.shape != want.shape:
            raise ModelError(
                f"onnxruntime output shape {got.shape} differs from torch {want.shape}"
            )
        worst = max(worst, float(np.max(np.abs(got - want))))
    return worst


def _annotate(path: Path, stage: StageConfig) -> None:
    model = onnx.load(str(path))
    what = "NCCT arterial map" if stage.name == "arteries" else f"thrombus {stage.name} stage"
    model.doc_string = f"StrokeScope {what}. {RESEARCH_NOTICE}"
    for key, value in (
        ("stage", stage.name),
        ("channels", ",".join(stage.channels)),
        ("spacing_mm", ",".join(f"{s:g}" for s in stage.spacing_mm)),
    ):
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.save(model, str(path))
    onnx.checker.check_model(str(path), full_check=True)


def export_stage(
    net: ThrombusUNet,
    stage: StageConfig,
    path: str | Path,
    *,
    example: npt.NDArray[np.float32] | None = None,
    latency_shape: tuple[int, int, int] | None = None,
    seed: int = 0,
) -> ExportedModel:
    """Export ``net`` to ``path``, check it, compare with PyTorch and time it.

    Parameters
    ----------
    example
        A real normalised input (1, C, z, y, x) for the parity check, besides a random one.
    latency_shape
        Spatial size to time onnxruntime on (default: the training patch).
    """
    target = Path(path)
    model = ProbabilityModel(net).eval()
    net.eval()
    rng = np.random.default_rng(seed)
    c = stage.network.in_channels
    trace = rng.uniform(0.0, 1.0, (1, c, *stage.patch_size)).astype(np.float32)
    dims = {0: "batch", 2: "z", 3: "y", 4: "x"}
    with atomic_path(target) as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notices
        torch.onnx.export(
            model,
            (torch.from_numpy(trace),),
            str(tmp),
            dynamo=False,
            opset_version=OPSET,
            input_names=[INPUT_NAME],
            output_names=[OUTPUT_NAME],
            dynamic_axes={INPUT_NAME: dims, OUTPUT_NAME: dims},
        )
        _annotate(tmp, stage)
        sess = session(tmp)
        div = stage.network.size_divisor
        other = tuple(p + div for p in stage.patch_size)  # a second size: dynamic axes work
        inputs = [trace, rng.normal(0.5, 0.3, (1, c, *other)).astype(np.float32)]
        if example is not None:
            inputs.append(np.ascontiguousarray(example, dtype=np.float32))
        diff = parity(sess, model, inputs)
        if not diff <= PARITY_TOLERANCE:
            raise ModelError(
                f"{target.name}: onnxruntime differs from PyTorch by {diff:.2e} "
                f"(> {PARITY_TOLERANCE:g})"
            )
        shape = latency_shape or stage.patch_size
        x = rng.uniform(0.0, 1.0, (1, c, *shape)).astype(np.float32)
        sess.run([OUTPUT_NAME], {INPUT_NAME: x})
        times = []
        for _ in range(3):
            t = time.perf_counter()
            sess.run([OUTPUT_NAME], {INPUT_NAME: x})
            times.append(time.perf_counter() - t)
    log.info(
        "%s: parity %.2e, onnxruntime %.3f s on %s", target.name, diff, np.median(times), shape
    )
    return ExportedModel(
        stage=stage,
        path=target,
        sha256=sha256_file(target),
        max_abs_diff=diff,
        ort_latency_s=float(np.median(times)),
        latency_shape=tuple(int(s) for s in shape),  # type: ignore[arg-type]
    )
