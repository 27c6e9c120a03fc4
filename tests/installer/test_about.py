"""installer/about.py: ABOUT.txt, about.json and LICENSES/ from importlib.metadata."""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "installer"))
import about


def test_model_checksums_compare_with_the_manifest(tmp_path: Path) -> None:
    (tmp_path / "coarse.onnx").write_bytes(b"coarse-net")
    (tmp_path / "fine.onnx").write_bytes(b"fine-net")
    good = hashlib.sha256(b"coarse-net").hexdigest()
    manifest = {"files": {"coarse.onnx": good, "fine.onnx": "0" * 64}}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    rows = {r["file"]: r for r in about.model_checksums(tmp_path)}
    assert rows["coarse.onnx"]["sha256"] == good and rows["coarse.onnx"]["manifest"] is True
    assert rows["fine.onnx"]["manifest"] is False
    assert rows["manifest.json"]["manifest"] is None
    (tmp_path / "map.onnx").write_bytes(b"map")
    mapped = {"files": {"map.onnx": hashlib.sha256(b"map").hexdigest()}}
    (tmp_path / "arteries_ncct.json").write_text(json.dumps(mapped), encoding="utf-8")
    rows = {r["file"]: r for r in about.model_checksums(tmp_path)}
    assert rows["map.onnx"]["manifest"] is True
    assert about.model_checksums(tmp_path / "missing") == []


def test_write_about_lists_distributions_models_and_licences(tmp_path: Path) -> None:
    models = tmp_path / "models"
    models.mkdir()
    (models / "net.onnx").write_bytes(b"net")
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    record = about.write_about(
        bundle,
        modules=["strokescope.cli", "numpy.linalg", "pydicom"],
        models=models,
        version="9.9",
    )
    names = [d["name"].lower() for d in record["distributions"]]
    assert names[:2] == ["python", "strokescope"]
    assert {"numpy", "pydicom"} <= set(names)
    text = (bundle / "ABOUT.txt").read_text(encoding="utf-8")
    assert "StrokeScope 9.9" in text
    assert hashlib.sha256(b"net").hexdigest() in text
    assert json.loads((bundle / "about.json").read_text(encoding="utf-8")) == record
    assert any((bundle / "LICENSES" / "numpy").iterdir())
    assert (bundle / "LICENSES" / "python" / "LICENSE.txt").is_file()
