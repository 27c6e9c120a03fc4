"""Export a fitted outcome model (``fit.json`` of ``strokescope outcome train``) as an ONNX
graph and install it as a model folder: ``model.onnx``, ``MODEL_CARD.md`` and, last,
``manifest.json`` with the sha256 of the other two.

Building ONNX needs the ``onnx`` package, which only the ``train`` extra installs, so the
builder lives here; the app runs the graph with onnxruntime alone
(:mod:`strokescope.outcome.installed`, which documents the graph). Before anything is
written, onnxruntime must agree with the numpy model to :data:`PARITY_TOLERANCE` on the
training cohort's feature range, or ``ModelError`` is raised.

Usage::

    python -m training.outcome_onnx OUT/fit.json --out MODEL_DIR --cohort "Site A 2019-2024"
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from strokescope.errors import ModelError, StrokeScopeError
from strokescope.outcome.features import UNITS
from strokescope.outcome.installed import (
    CARD_NAME,
    INPUT_NAME,
    MANIFEST_NAME,
    MODEL_FORMAT,
    MODEL_FORMAT_VERSION,
    ONNX_NAME,
    OUTPUT_NAME,
    RESEARCH_NOTICE,
)
from strokescope.outcome.logistic import LogisticModel
from strokescope.outcome.train import FIT_FORMAT, model_from_dict
from training.outcome_folder import PARITY_TOLERANCE, card_header, install_folder

OPSET = 17


def build_onnx(model: LogisticModel) -> bytes:
    """The serialised graph of :mod:`strokescope.outcome.installed` for ``model``."""
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    k = len(model.names)
    inits = [
        numpy_helper.from_array(np.asarray(model.mean, np.float32), "mean"),
        numpy_helper.from_array(np.asarray(model.scale, np.float32), "scale"),
        numpy_helper.from_array(np.asarray(model.coef, np.float32).reshape(k, 1), "coef"),
        numpy_helper.from_array(np.asarray([model.intercept], np.float32), "intercept"),
    ]
    nodes = [
        helper.make_node("Sub", [INPUT_NAME, "mean"], ["centred"]),
        helper.make_node("Div", ["centred", "scale"], ["standardised"]),
        helper.make_node("MatMul", ["standardised", "coef"], ["weighted"]),
        helper.make_node("Add", ["weighted", "intercept"], ["logit"]),
        helper.make_node("Sigmoid", ["logit"], [OUTPUT_NAME]),
    ]
    graph = helper.make_graph(
        nodes,
        "strokescope_outcome_logistic",
        [helper.make_tensor_value_info(INPUT_NAME, TensorProto.FLOAT, ["N", k])],
        [helper.make_tensor_value_info(OUTPUT_NAME, TensorProto.FLOAT, ["N", 1])],
        initializer=inits,
    )
    proto = helper.make_model(
        graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="strokescope"
    )
    proto.ir_version = 8  # readable by every onnxruntime >= 1.17 the app allows
    onnx.checker.check_model(proto)
    return bytes(proto.SerializeToString())


def parity_inputs(model: LogisticModel, *, n: int = 256, seed: int = 0) -> np.ndarray:
    """Feature rows spread over mean -/+ 3 SD of the training cohort."""
    rng = np.random.default_rng(seed)
    z = rng.uniform(-3.0, 3.0, (n, len(model.names)))
    return np.asarray(model.mean) + z * np.asarray(model.scale)


def _manifest(fit: dict[str, Any], model: LogisticModel, cohort: str) -> dict[str, Any]:
    cv = fit["cross_validation"]
    return {
        "format": MODEL_FORMAT,
        "format_version": MODEL_FORMAT_VERSION,
        "name": "strokescope-outcome-feature-model",
        "kind": "L2-penalised logistic regression on clot and collateral features",
        "outcome": "probability of successful recanalization, mTICI >= 2c",
        "opset": OPSET,
        "input": {
            "name": INPUT_NAME,
            "shape": ["N", len(model.names)],
            "dtype": "float32",
            "features": list(model.names),
            "units": [UNITS.get(n, "as in the cohort file") for n in model.names],
        },
        "output": {"name": OUTPUT_NAME, "shape": ["N", 1], "meaning": "P(mTICI >= 2c)"},
        "standardisation": {"mean": list(model.mean), "scale": list(model.scale)},
        "coefficients_per_sd": list(model.coef),
        "intercept": model.intercept,
        "l2": model.l2,
        "cohort": {"description": cohort, "n": fit["n"], "successes": fit["successes"]},
        "cross_validation": {
            "folds": fit["folds"],
            "auc": cv["auc"],
            "auc_low": cv["auc_low"],
            "auc_high": cv["auc_high"],
            "calibration_slope": cv["calibration_slope"],
            "calibration_intercept": cv["calibration_intercept"],
        },
        "parity_tolerance": PARITY_TOLERANCE,
        "research_use": RESEARCH_NOTICE,
    }


def _card(manifest: dict[str, Any], fit: dict[str, Any]) -> str:
    cv, cohort, put = manifest["cross_validation"], manifest["cohort"], manifest["input"]
    rows = [
        f"| {c['name']} | {c['per_sd']:+.3f} ({c['low']:+.3f} to {c['high']:+.3f}) | "
        f"{c['odds_ratio_per_sd']:.2f} | {c['per_unit']:+.4g} |"
        for c in fit["coefficients"]
    ]
    inputs = ", ".join(f"{n} ({u})" for n, u in zip(put["features"], put["units"], strict=True))
    lines = [
        *card_header(manifest),
        f"- Model: {manifest['kind']} (L2 = {manifest['l2']:g}, features standardised).",
        f"- Training cohort: {cohort['description']}; n = {cohort['n']} "
        f"({cohort['successes']} successes).",
        f"- {cv['folds']}-fold stratified cross-validated ROC-AUC {cv['auc']:.3f} (95 % CI "
        f"{cv['auc_low']:.3f}-{cv['auc_high']:.3f}, DeLong); calibration slope "
        f"{cv['calibration_slope']:.2f}, intercept {cv['calibration_intercept']:+.2f}.",
        "- The cross-validated numbers describe the training procedure on this one cohort; "
        "a held-out cohort (`strokescope outcome evaluate`) is the test of the model.",
        f"- Inputs, in this order and unit: {inputs}.",
        "",
        f"Coefficients with bootstrap 95 % CI ({fit['bootstrap_repeats']} stratified resamples):",
        "",
        "| feature | log-odds per SD (95 % CI) | odds ratio per SD | log-odds per unit |",
        "|---|---|---|---|",
        *rows,
        "",
    ]
    return "\n".join(lines)


def install_model(fit_json: str | Path, out: str | Path, *, cohort: str) -> Path:
    """Build, check (parity) and write the model folder ``out``; returns it."""
    record = json.loads(Path(fit_json).read_text(encoding="utf-8"))
    if record.get("format") != FIT_FORMAT:
        raise ModelError(f"{fit_json}: not a fit.json of strokescope outcome train")
    model = model_from_dict(record)
    x = parity_inputs(model)
    return install_folder(
        out,
        onnx=build_onnx(model),
        manifest=_manifest(record, model, cohort),
        card=lambda manifest: _card(manifest, record),
        parity=lambda loaded: float(np.max(np.abs(loaded.predict(x) - model.predict(x)))),
        tolerance=PARITY_TOLERANCE,
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m training.outcome_onnx", description=__doc__)
    parser.add_argument("fit", help="fit.json written by strokescope outcome train")
    parser.add_argument("--out", required=True, help="model folder to write")
    parser.add_argument("--cohort", required=True, help="the training cohort, for the model card")
    args = parser.parse_args(argv)
    try:
        folder = install_model(args.fit, args.out, cohort=args.cohort)
    except (StrokeScopeError, OSError, ValueError, KeyError) as exc:
        print(f"outcome_onnx: error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {folder} ({ONNX_NAME}, {CARD_NAME}, {MANIFEST_NAME})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
