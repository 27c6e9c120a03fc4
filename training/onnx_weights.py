"""Read a trained stage's weights back out of its exported ONNX file.

Fine-tuning starts from the shipped networks, whose ``.pt`` weights were not kept: the ONNX
graph holds every parameter. Convolution weights and biases are initializers named as in
:class:`training.network.ProbabilityModel` (``net.<parameter>``); the affine instance norms
were exported as :class:`training.network.ExportInstanceNorm`, whose ``weight`` and
``bias`` are graph constants named after the module's scope (``/net/encoders.0/first/
first.1/Constant_2_output_0`` for the weight of ``encoders.0.first.1``, ``Constant_3`` for
its bias). :func:`load_onnx_weights` fills a :class:`training.network.ThrombusUNet` from
them and refuses a file that does not supply every parameter with the right shape. The
deep-supervision heads below full resolution are not in the graph (the export computes the
top level only); they keep the network's fresh initialisation.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import onnx
import torch
from onnx import numpy_helper

from strokescope.errors import InputError
from training.network import ThrombusUNet

NORM_WEIGHT = "Constant_2_output_0"
NORM_BIAS = "Constant_3_output_0"


def _module_path(scope: str) -> str:
    """``/net/encoders.0/first/first.1`` -> ``encoders.0.first.1``: a scope segment that
    extends the one before it (``first`` -> ``first.1``) replaces it."""
    parts: list[str] = []
    for seg in scope.strip("/").split("/")[1:]:  # drop the wrapper's "net"
        if parts and seg.startswith(parts[-1] + "."):
            parts[-1] = seg
        else:
            parts.append(seg)
    return ".".join(parts)


def onnx_parameters(path: Path) -> dict[str, npt.NDArray[np.float32]]:
    """Every parameter of the exported stage, keyed by its ThrombusUNet state-dict name."""
    model = onnx.load(str(path))
    out = {
        init.name.removeprefix("net."): numpy_helper.to_array(init)
        for init in model.graph.initializer
        if init.name.startswith("net.")
    }
    for node in model.graph.node:
        if node.op_type != "Constant" or not node.output:
            continue
        name = node.output[0]
        for suffix, kind in ((NORM_WEIGHT, "weight"), (NORM_BIAS, "bias")):
            if name.endswith("/" + suffix):
                value = numpy_helper.to_array(node.attribute[0].t).reshape(-1)
                out[f"{_module_path(name[: -len(suffix) - 1])}.{kind}"] = value
    return out


def load_onnx_weights(net: ThrombusUNet, path: Path) -> None:
    """Copy the weights of the exported stage ``path`` into ``net`` (same architecture)."""
    params = onnx_parameters(path)
    state = net.state_dict()
    missing = [k for k in state if k not in params and not _lower_head(k)]
    if missing:
        raise InputError(f"{path}: no weights for {len(missing)} parameters (first {missing[0]})")
    for key, value in state.items():
        if key in params and tuple(params[key].shape) != tuple(value.shape):
            raise InputError(
                f"{path}: {key} has shape {params[key].shape}, the network {tuple(value.shape)}"
            )
    net.load_state_dict(
        {k: torch.from_numpy(np.array(params[k])) if k in params else v for k, v in state.items()}
    )


def _lower_head(key: str) -> bool:
    """A deep-supervision head below full resolution (``heads.1.weight``, ...)."""
    parts = key.split(".")
    return parts[0] == "heads" and parts[1] != "0"
