"""A non-editable install (a wheel) carries the models and runs without the repository.

The wheel is built from this checkout and installed into a fresh virtual environment whose
third-party packages come from the test environment (a ``.pth`` line; no network), so
what is checked is StrokeScope's own packaging: the models travel as data files and are
found, the console scripts work, and Qt stays optional.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MODELS = REPO / "models_onnx"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(REPO),
        ],
        check=True,
        capture_output=True,
    )
    (found,) = out.glob("strokescope-*.whl")
    return found


def test_the_wheel_carries_every_model_file_unchanged(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        data = {
            Path(n).name: hashlib.sha256(zf.read(n)).hexdigest()
            for n in zf.namelist()
            if "/data/share/strokescope/models_onnx/" in n
        }
        metadata = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        requires = [
            line
            for line in zf.read(metadata).decode().splitlines()
            if line.startswith("Requires-Dist:")
        ]
    manifest = json.loads((MODELS / "manifest.json").read_text())
    for name, sha in manifest["files"].items():
        assert data.get(name) == sha, name
    assert "manifest.json" in data
    unconditional = [r for r in requires if "extra ==" not in r]
    assert not any("pyside6" in r.lower() or "pyqtgraph" in r.lower() for r in unconditional)
    assert any("pyside6" in r.lower() and 'extra == "gui"' in r for r in requires)


def _venv_with(wheel: Path, venv: Path) -> Path:
    """A venv at ``venv`` holding ``wheel`` (not editable) over the test environment's
    third-party packages; its python."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    py = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    # third-party packages from the test environment, without its editable StrokeScope
    # (.pth files inside a path added this way are not processed)
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(py),
            "install",
            "--quiet",
            "--no-deps",
            "--ignore-installed",  # the editable StrokeScope seen through deps.pth
            "--no-index",
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    return py


def test_installed_wheel_finds_its_models_and_runs_outside_the_repo(
    wheel: Path, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    py = _venv_with(wheel, venv)
    env = {k: v for k, v in os.environ.items() if k not in ("STROKESCOPE_MODELS", "PYTHONPATH")}
    probe = (
        "import strokescope, strokescope.resources as r, strokescope.thrombus.model as m; "
        "print(strokescope.__file__); print(r.models_dir()); "
        "print(m.load_models(device='cpu').version)"
    )
    probed = subprocess.run(
        [str(py), "-c", probe], capture_output=True, text=True, cwd=tmp_path, env=env
    )
    assert probed.returncode == 0, probed.stderr[-800:]
    out = probed.stdout.splitlines()
    assert out[0].startswith(str(venv)), out[0]
    assert Path(out[1]) == venv / "share" / "strokescope" / "models_onnx"
    manifest = json.loads((MODELS / "manifest.json").read_text())
    assert out[2] == manifest["version"]
    study = tmp_path / "study"
    exe = venv / "bin" / "strokescope"
    subprocess.run(
        [
            str(exe),
            "phantom",
            str(study),
            "--seed",
            "5",
            "--occlusion",
            "M1",
            "--matrix",
            "256",
            "--inplane-mm",
            "0.8",
            "--slice-mm",
            "0.8",
        ],
        check=True,
        capture_output=True,
        cwd=tmp_path,
        env=env,
    )
    run = subprocess.run(
        [str(exe), "thrombus", str(study), "--json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
    )
    assert run.returncode == 0, run.stderr[-500:]
    assert json.loads(run.stdout)["model_version"] == manifest["version"]
