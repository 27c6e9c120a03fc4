"""A tiny installed outcome model for the tests of everything that runs one (CLI, SR,
viewer): a synthetic-law cohort file (seeded), ``pipeline.train_outcome_model`` and
``training.outcome_onnx.install_model``, as a site would (under a second in all)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from training.outcome_onnx import install_model

from strokescope import pipeline
from strokescope.outcome.synthetic import draw_cohort

FEATURES = ("clot_length_mm", "perviousness_hu")
COHORT = "synthetic law"


def train_tiny_model(root: Path, *, n: int = 160, seed: int = 3) -> Path:
    """Train on ``n`` synthetic patients with :data:`FEATURES` and install the model
    folder ``root/model``; returns it."""
    cohort = draw_cohort(n, seed=seed)
    lines = [",".join(("id", *cohort.names, "outcome"))]
    for i, (x, y) in enumerate(zip(cohort.x, cohort.y, strict=True)):
        lines.append(",".join((f"p{i:03d}", *(f"{v:.3f}" for v in x), str(y))))
    csv = root / "cohort.csv"
    csv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    pipeline.train_outcome_model(csv, root / "run", features=FEATURES, bootstrap=10)
    return install_model(root / "run" / "fit.json", root / "model", cohort=COHORT)


def edit_manifest(folder: Path, **changes: Any) -> None:
    """Rewrite ``folder/manifest.json`` with top-level ``changes`` (``input`` merged)."""
    path = folder / "manifest.json"
    manifest = json.loads(path.read_text(encoding="utf-8"))
    for key, value in changes.items():
        manifest[key] = {**manifest[key], **value} if key == "input" else value
    path.write_text(json.dumps(manifest), encoding="utf-8")
