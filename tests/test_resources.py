"""strokescope.resources: the model folder from the environment, a bundle, or the repo."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from strokescope import resources

REPO = Path(__file__).resolve().parents[1]


def test_repo_models_folder_when_not_frozen(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(resources.MODELS_ENV, raising=False)
    assert not resources.is_frozen()
    assert resources.models_dir() == REPO / "models_onnx"


def test_environment_override_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(resources.MODELS_ENV, str(tmp_path / "site-models"))
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path / "bundle"), raising=False)
    assert resources.models_dir() == (tmp_path / "site-models").resolve()


def test_bundled_folder_when_frozen(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(resources.MODELS_ENV, raising=False)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path / "_internal"), raising=False)
    assert resources.is_frozen()
    assert resources.models_dir() == (tmp_path / "_internal" / "models_onnx").resolve()


def test_thrombus_loader_follows_the_override(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from strokescope.thrombus.model import models_installed

    monkeypatch.setenv(resources.MODELS_ENV, str(tmp_path))
    assert not models_installed()
    (tmp_path / "manifest.json").write_text("{}", encoding="utf-8")
    assert models_installed()


def test_installed_copy_when_no_repo_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A plain ``pip install .`` has no models_onnx/ beside the package: the wheel's data
    files under ``<prefix>/share/strokescope/models_onnx`` are used."""
    monkeypatch.delenv(resources.MODELS_ENV, raising=False)
    monkeypatch.setattr(resources, "bundle_root", lambda: tmp_path / "site-packages-parent")
    monkeypatch.setattr(sys, "prefix", str(tmp_path / "venv"))
    assert resources.models_dir() == tmp_path / "venv" / "share" / "strokescope" / "models_onnx"
