"""``models_onnx/manifest.json`` and ``MODEL_CARD.md``: what the app needs to run the models.

The manifest is written last; its ``files`` table holds the sha256 of every other file in the
folder, so the app can refuse an altered or mismatched model (``ModelError``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from strokescope.atomic import atomic_write_text
from strokescope.resources import sha256_file
from training.config import DecisionRules, normalisation_dict
from training.make_phantoms import SAH_P
from training.onnx_export import INPUT_NAME, OUTPUT_NAME, RESEARCH_NOTICE, ExportedModel
from training.prepare import COARSE_MIN_FRACTION, FINE_MIN_FRACTION, REGION_MARGIN_MM
from training.sampling import COARSE_MIX, FINE_MIX

MANIFEST_NAME = "manifest.json"
MODEL_NAME = "strokescope-thrombus"
FORMAT_VERSION = 1

PREPROCESSING = (
    "register the NCCT rigidly onto the CTA and resample it onto the CTA grid",
    "region: bounding box of strokescope.preprocess.brain_mask(NCCT on the CTA grid), "
    f"widened by {REGION_MARGIN_MM:g} mm on every side and clipped to the grid (no skull "
    "stripping inside the box)",
    "model grids keep the CTA direction and start at the region's first voxel; resample "
    "both images onto them with strokescope.preprocess.resample_volume (linear, air outside)",
    "normalise each channel as in 'normalisation'; pad each spatial axis up to a multiple of "
    "size_divisor with pad_value",
    "coarse stage: the whole coarse region in one pass",
    "fine stage: crops of patch_size on the fine grid covering each coarse candidate, third "
    "channel = coarse probability resampled linearly onto the crop (0 outside); overlapping "
    "crops combined by maximum",
)


def _stage_entry(model: ExportedModel) -> dict[str, Any]:
    s = model.stage
    return {
        "stage": s.name,
        "file": model.path.name,
        "opset": model.opset,
        "input": {
            "name": INPUT_NAME,
            "shape": ["N", len(s.channels), "z", "y", "x"],
            "dtype": "float32",
            "channels": list(s.channels),
        },
        "output": {
            "name": OUTPUT_NAME,
            "shape": ["N", 1, "z", "y", "x"],
            "meaning": "probability of thrombus (sigmoid), same grid as the input",
        },
        "target_spacing_mm": list(s.spacing_mm),
        "axis_order": "z, y, x",
        "patch_size": list(s.patch_size),
        "size_divisor": s.network.size_divisor,
        "architecture": {
            "type": "3D U-Net, CBAM decoder blocks, scale-aware pyramid fusion, deep supervision",
            **s.network.to_dict(),
        },
        "checks": model.to_dict(),
    }


def write_manifest(
    out_dir: str | Path,
    models: list[ExportedModel],
    *,
    rules: DecisionRules,
    training: dict[str, Any],
    version: str,
) -> Path:
    """Write ``manifest.json`` into ``out_dir`` (after every other file is in place)."""
    base = Path(out_dir)
    for p in base.iterdir():  # atomic writes create 0600 files; shipped models must be readable
        if p.is_file() and not p.name.startswith("."):
            p.chmod(0o644)
    manifest = {
        "format_version": FORMAT_VERSION,
        "name": MODEL_NAME,
        "version": version,
        "notice": RESEARCH_NOTICE,
        "task": "intracranial thrombus segmentation on co-registered NCCT + CTA, coarse-to-fine",
        "stages": [_stage_entry(m) for m in models],
        "normalisation": normalisation_dict(),
        "preprocessing": list(PREPROCESSING),
        "labels": {
            "coarse_target": f"coarse voxels with thrombus fraction >= {COARSE_MIN_FRACTION:g}",
            "fine_target": f"fine voxels with thrombus fraction >= {FINE_MIN_FRACTION:g}",
        },
        "decision": rules.to_dict(),
        "training": training,
        "held_out_metrics": {
            "status": "pending: to be filled by the held-out evaluation",
            "values": None,
        },
    }
    return refresh_checksums(base, manifest)


def refresh_checksums(out_dir: str | Path, manifest: dict[str, Any]) -> Path:
    """Write ``manifest`` with ``files`` = sha256 of every other file in ``out_dir``."""
    base = Path(out_dir)
    manifest["files"] = {
        p.name: sha256_file(p)
        for p in sorted(base.iterdir())
        if p.is_file() and p.name != MANIFEST_NAME and not p.name.startswith(".")
    }
    path = base / MANIFEST_NAME
    atomic_write_text(path, json.dumps(manifest, indent=2) + "\n")
    path.chmod(0o644)
    return path


def _mix(mix: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:.0%}" for k, v in mix.items())


def model_card(*, version: str, training: dict[str, Any], models: list[ExportedModel]) -> str:
    """Markdown model card; says plainly what the models were trained on."""
    rows = "\n".join(
        f"| {m.stage.name} | {m.path.name} | {', '.join(m.stage.channels)} | "
        f"{' x '.join(f'{s:g}' for s in m.stage.spacing_mm)} mm | "
        f"{' x '.join(str(p) for p in m.stage.patch_size)} | {m.ort_latency_s:.2f} s |"
        for m in models
    )
    data = training.get("data", {})
    if data.get("source", "phantoms") == "phantoms":
        trained_on = (
            "These networks were trained on **synthetic phantoms only** (strokescope.phantom), "
            "in a short CPU run."
        )
    else:
        trained_on = f"These networks were trained on the dataset `{data.get('source')}`."
    return f"""# StrokeScope thrombus models {version}

**{RESEARCH_NOTICE}**

{trained_on} They have **not been validated on patient images**; their outputs must not
inform any clinical decision. Held-out phantom metrics, once measured, are at the end of
this card and in `manifest.json` (`held_out_metrics`).

## What the models do
Two-stage coarse-to-fine segmentation of intracranial thrombus (after Zhu et al., AJNR 2023):
a coarse 3D U-Net finds candidates on the whole brain region, a fine 3D U-Net segments the
clot on crops around them, with the coarse probability as a third input channel.

| stage | file | inputs | spacing | patch | onnxruntime, 2 threads |
|---|---|---|---|---|---|
{rows}

## Training data
{data.get("description", "unknown")}: {data.get("n_train", "?")} training and
{data.get("n_validation", "?")} validation cases ({data.get("n_positive_train", "?")} training
cases with a thrombus). Crops are centred on the clot, on coarse false positives, on
opacified vessel and on *mimics* (hyperdense, non-opacified brain away from the clot, found
from the images: on phantoms the subarachnoid blood, drawn in {SAH_P:.0%} of them); coarse
mix {_mix(COARSE_MIX)}, fine mix {_mix(FINE_MIX)} (`training/sampling.py`).

## Known limitations
- Phantoms are simplified anatomy: vessel shape, clot texture, artefacts and mimics
  (calcification, subarachnoid blood, hyperdense vessels without occlusion) are modelled
  crudely; performance on real scans is unknown.
- Thick-slice NCCT (> 2.5 mm), posterior-circulation and distal (M3+) occlusions were not
  in the training distribution.
- The coarse probability on training cases is over-confident; the fine stage was trained
  with it blanked or distorted at random to reduce the reliance.

## Files
Checksums of every file are in `manifest.json`; the app refuses a model whose checksum
differs.
"""


def write_model_card(out_dir: str | Path, **kwargs: Any) -> Path:
    path = Path(out_dir) / "MODEL_CARD.md"
    atomic_write_text(path, model_card(**kwargs))
    return path
