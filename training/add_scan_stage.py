"""Give a model folder a scan network: the fine stage of another folder, trained to detect
without a coarse prior, run by the ``fine_scan`` rule where the coarse stage proposes nothing.

Usage (from the repository root)::

    python -m training.add_scan_stage --models models_onnx --from cache/models_050

The folder keeps its coarse and fine networks, so what they find is unchanged; the other
folder's fine network is copied in as ``thrombus_scan.onnx`` with its manifest entry
(stage ``scan``) and provenance, and the version becomes ``V+scan-W``. Both folders must
normalise the inputs alike and use the same fine grid and patch. The decision rules are
left as they are (``record_evaluation --set fine_scan=true ...`` sets them) and the
held-out metrics become pending.
"""

from __future__ import annotations

import argparse
import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from strokescope.thrombus.model import MANIFEST_NAME
from training.manifest import refresh_checksums
from training.record_evaluation import PENDING

SCAN_FILE = "thrombus_scan.onnx"


def _fine(manifest: dict[str, Any], folder: Path) -> dict[str, Any]:
    for entry in manifest["stages"]:
        if entry["stage"] == "fine":
            return dict(entry)
    raise SystemExit(f"{folder}: manifest has no fine stage")


def add_scan_stage(models: Path, source: Path) -> dict[str, Any]:
    """Copy ``source``'s fine network into ``models`` as its scan stage; the new manifest."""
    manifest = json.loads((models / MANIFEST_NAME).read_text(encoding="utf-8"))
    other = json.loads((source / MANIFEST_NAME).read_text(encoding="utf-8"))
    if manifest["normalisation"] != other["normalisation"]:
        raise SystemExit(f"{source}: normalises the inputs differently from {models}")
    fine, scan = _fine(manifest, models), _fine(other, source)
    for key in ("target_spacing_mm", "patch_size", "input"):
        if fine[key] != scan[key]:
            raise SystemExit(f"{source}: fine-stage {key} differs from {models}'s")
    shutil.copyfile(source / scan["file"], models / SCAN_FILE)
    (models / SCAN_FILE).chmod(0o644)
    scan.update(
        stage="scan",
        file=SCAN_FILE,
        provenance={
            "from": f"fine stage of {other['version']}",
            "training": other.get("training"),
        },
    )
    manifest["stages"] = [s for s in manifest["stages"] if s["stage"] != "scan"] + [scan]
    base = str(manifest["version"]).split("+scan-")[0]
    manifest["version"] = f"{base}+scan-{other['version']}"
    manifest["held_out_metrics"] = dict(PENDING)
    manifest["evaluation_suites"] = dict(PENDING)
    refresh_checksums(models, manifest)
    return manifest


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--models", type=Path, default=Path("models_onnx"))
    parser.add_argument("--from", dest="source", type=Path, required=True)
    args = parser.parse_args(argv)
    manifest = add_scan_stage(args.models, args.source)
    print(f"{args.models}: scan stage from {args.source} ({manifest['version']} keeps its nets)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
