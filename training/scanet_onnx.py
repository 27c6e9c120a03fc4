"""Export the outcome network (:mod:`training.scanet`) to ONNX and install it as a model
folder of kind ``"network"`` (:mod:`strokescope.outcome.installed`).

The graph is :class:`training.scanet.ProbabilityNet`: input ``stack`` float32
(N, 2, S, H, W) from :mod:`strokescope.outcome.network_input`, output ``probability``
(N, 1). Parity: onnxruntime must agree with PyTorch within :data:`PARITY_TOLERANCE` on the
caller's real stacks (and one of noise), once on the exported bytes before anything is
written (:func:`checked_export`) and once more through the app's own loader after the
folder is written (:func:`training.outcome_folder.install_folder`); otherwise
``ModelError`` and no loadable folder.
"""

from __future__ import annotations

import tempfile
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import onnx
import onnxruntime as ort
import torch

from strokescope.errors import ModelError
from strokescope.outcome.installed import (
    MODEL_FORMAT,
    MODEL_FORMAT_VERSION,
    NETWORK_INPUT_NAME,
    OUTPUT_NAME,
    RESEARCH_NOTICE,
    OutcomeModel,
)
from strokescope.outcome.network_input import input_spec
from training.outcome_folder import PARITY_TOLERANCE, card_header, install_folder
from training.scanet import ProbabilityNet, ScaNet, parameter_count

OPSET = 17
Floats = npt.NDArray[np.float32]


def export_bytes(net: ScaNet) -> bytes:
    """The ONNX graph of ``sigmoid(net)`` (eval mode), batch axis dynamic."""
    c = net.config
    model = ProbabilityNet(net).eval()
    example = torch.zeros(1, 2, c.slices, c.size, c.size)
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the TorchScript exporter's deprecation notices
        torch.onnx.export(
            model,
            (example,),
            Path(tmp) / "net.onnx",
            dynamo=False,
            opset_version=OPSET,
            input_names=[NETWORK_INPUT_NAME],
            output_names=[OUTPUT_NAME],
            dynamic_axes={NETWORK_INPUT_NAME: {0: "N"}, OUTPUT_NAME: {0: "N"}},
        )
        proto = onnx.load(Path(tmp) / "net.onnx")
    proto.doc_string = f"StrokeScope outcome network (SCANet-style). {RESEARCH_NOTICE}"
    onnx.checker.check_model(proto, full_check=True)
    return bytes(proto.SerializeToString())


def _torch_probability(net: ScaNet, x: Floats) -> npt.NDArray[np.float32]:
    net.eval()
    with torch.no_grad():
        return ProbabilityNet(net)(torch.from_numpy(x)).numpy()


def parity_stacks(examples: Floats, *, seed: int = 0) -> list[Floats]:
    """The real stacks one by one, all of them as one batch, and one stack of noise."""
    xs = np.ascontiguousarray(examples, dtype=np.float32)
    noise = np.random.default_rng(seed).uniform(-1.0, 1.0, (1, *xs.shape[1:]))
    return [xs[i : i + 1] for i in range(len(xs))] + [xs, noise.astype(np.float32)]


def parity_gap(net: ScaNet, run: Any, stacks: list[Floats]) -> float:
    """Largest |onnxruntime - torch| over ``stacks``; ``run(x)`` gives onnxruntime's
    probabilities for a batch."""
    worst = 0.0
    for x in stacks:
        got = np.asarray(run(x), dtype=np.float64).reshape(-1)
        want = _torch_probability(net, x).astype(np.float64).reshape(-1)
        if got.shape != want.shape:
            raise ModelError(f"onnxruntime gives {got.shape} probabilities, torch {want.shape}")
        worst = max(worst, float(np.max(np.abs(got - want))))
    return worst


def session_runner(data: bytes) -> Any:
    """``run(x)`` on an in-memory graph (one thread)."""
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(data, options, providers=["CPUExecutionProvider"])
    return lambda x: session.run([OUTPUT_NAME], {NETWORK_INPUT_NAME: x})[0]


def require_parity(net: ScaNet, data: bytes, examples: Floats) -> float:
    """The parity gap of the graph ``data`` against ``net`` on ``examples``; ``ModelError``
    above :data:`PARITY_TOLERANCE`."""
    gap = parity_gap(net, session_runner(data), parity_stacks(examples))
    if not gap <= PARITY_TOLERANCE:
        raise ModelError(
            f"ONNX export: onnxruntime differs from PyTorch by {gap:.2e} (> {PARITY_TOLERANCE:g})"
        )
    return gap


def checked_export(net: ScaNet, examples: Floats) -> tuple[bytes, float]:
    """The graph of ``net`` and its parity gap on ``examples`` (refused above tolerance)."""
    data = export_bytes(net)
    return data, require_parity(net, data, examples)


def _manifest(
    net: ScaNet, *, cohort: str, y: npt.ArrayLike, cv: dict[str, Any], gap: float
) -> dict[str, Any]:
    ys = np.asarray(y)
    return {
        "format": MODEL_FORMAT,
        "format_version": MODEL_FORMAT_VERSION,
        "model_kind": "network",
        "name": "strokescope-outcome-network",
        "kind": "SCANet-style network: 2D ResNet neighbourhood branches, spatial and "
        "cross attention transformers, slice pooling, on NCCT + CTA",
        "outcome": "probability of successful recanalization, mTICI >= 2c",
        "opset": OPSET,
        "input": {"name": NETWORK_INPUT_NAME, "dtype": "float32", **input_spec()},
        "output": {"name": OUTPUT_NAME, "shape": ["N", 1], "meaning": "P(mTICI >= 2c)"},
        "architecture": {**net.config.to_dict(), "parameters": parameter_count(net)},
        "cohort": {"description": cohort, "n": int(ys.size), "successes": int(ys.sum())},
        "cross_validation": cv,
        "parity_tolerance": PARITY_TOLERANCE,
        "parity_max_abs_diff": gap,
        "research_use": RESEARCH_NOTICE,
    }


def _card(manifest: dict[str, Any]) -> str:
    cv, cohort, arch = manifest["cross_validation"], manifest["cohort"], manifest["architecture"]
    put = manifest["input"]
    lines = [
        *card_header(manifest),
        f"- Model: {manifest['kind']}; widths {arch['widths']}, {arch['heads']} heads, "
        f"{arch['cross_layers']} cross-attention layer(s), {arch['parameters']} parameters.",
        f"- Input: {put['builder']}, shape {put['shape']} ({', '.join(put['channels'])}), "
        f"{put['spacing_mm']} mm, windows {put['windows_hu']} HU.",
        f"- Training cohort: {cohort['description']}; n = {cohort['n']} "
        f"({cohort['successes']} successes).",
        f"- {cv['method']}: ROC-AUC {cv['auc']:.3f} (95 % CI {cv['auc_low']:.3f}-"
        f"{cv['auc_high']:.3f}, DeLong) on n = {cv['n']}; calibration slope "
        f"{cv['calibration_slope']:.2f}, intercept {cv['calibration_intercept']:+.2f}.",
        "- These numbers describe the training procedure on this one cohort; a held-out "
        "cohort is the test of the model.",
        f"- ONNX parity with PyTorch: max abs diff {manifest['parity_max_abs_diff']:.1e} "
        f"(tolerance {manifest['parity_tolerance']:g}).",
        "",
    ]
    return "\n".join(lines)


def install_network(
    net: ScaNet,
    out: str | Path,
    *,
    cohort: str,
    y: npt.ArrayLike,
    cv: dict[str, Any],
    examples: Floats,
) -> Path:
    """Export ``net`` (trained on outcomes ``y``), check parity on the real stacks
    ``examples``, and write the model folder ``out`` stating ``cv`` (the out-of-sample
    numbers of :func:`training.scanet_train.evaluation`)."""
    data, gap = checked_export(net, examples)
    stacks = parity_stacks(examples)

    def parity(loaded: OutcomeModel) -> float:
        return parity_gap(net, loaded.predict, stacks)

    manifest = _manifest(net, cohort=cohort, y=y, cv=cv, gap=gap)
    return install_folder(out, onnx=data, manifest=manifest, card=_card, parity=parity)
