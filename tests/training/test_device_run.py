"""The prepared GPU session script, run on the CPU with tiny settings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

from strokescope.thrombus.model import load_models

ROOT = Path(__file__).resolve().parents[2]


NOT_ON_THE_DEVICE = ("pydicom", "highdicom", "PySide6", "pynetdicom", "dask", "pyqtgraph")
"""Packages of the app that the device image lacks (its list: /work/.library/device); the
training path must not import them."""

BLOCKER = """
import importlib.abc, sys
class _Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path, target=None):
        if name.split(".")[0] in {names!r}:
            raise ImportError("not on the device machine: " + name)
sys.meta_path.insert(0, _Block())
"""


def run_script(out: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``training/device_run.sh OUT`` with ``env``, its output captured."""
    script = ROOT / "training" / "device_run.sh"
    return subprocess.run(
        ["bash", str(script), str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_the_device_script_writes_a_model_folder_the_app_loads(tmp_path: Path) -> None:
    """Run as on the device: tiny settings on the CPU, the app-only packages unimportable."""
    block = tmp_path / "block"
    block.mkdir()
    (block / "sitecustomize.py").write_text(BLOCKER.format(names=set(NOT_ON_THE_DEVICE)))
    env = os.environ | {
        "PYTHONPATH": str(block),
        "PY": sys.executable,
        "DEVICE": "cpu",
        "TINY": "1",
        "BATCH": "2",
        "CASES_A": "2",
        "CASES_C": "3",
        "ITERATIONS": "2",
        "JOBS": "2",
        "CACHE": str(tmp_path / "cache"),
        "VERSION": "test+device-run",
    }
    out = tmp_path / "out"
    done = run_script(out, env)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    models = load_models(out / "models")
    assert models.version == "test+device-run"
    log = json.loads((out / "models" / "training_log.json").read_text())
    assert log["batch_workers"] == 1 and log["device"] == "cpu"
    assert sorted(p.name for p in out.glob("*.pt")) == [
        "thrombus_coarse_seed0.pt",
        "thrombus_fine_seed0.pt",
    ]
    assert log["data"]["n_train"] + log["data"]["n_validation"] == 5  # 2 family A + 3 family C
    assert "family C" in log["data"]["description"]
    text = (out / "run.log").read_text()
    assert "device_run: family C written" in text and "device_run: done" in text

    # A second call on the warm machine goes on from the first one's networks.
    last = tmp_path / "cache" / "last_models"
    env |= {"INIT_FROM": str(last), "VERSION": "test+device-run-2"}
    again = run_script(tmp_path / "out2", env)
    assert again.returncode == 0, again.stdout[-2000:] + again.stderr[-2000:]
    log2 = json.loads((tmp_path / "out2" / "models" / "training_log.json").read_text())
    assert log2["initialised_from"] == str(last)
    assert load_models(last).version == "test+device-run-2"


def test_the_device_script_stops_when_a_step_fails(tmp_path: Path) -> None:
    env = os.environ | {"PY": sys.executable, "DEVICE": "tpu", "TINY": "1", "CASES_A": "1"}
    env |= {"CASES_C": "1", "ITERATIONS": "1", "JOBS": "1", "CACHE": str(tmp_path / "c")}
    done = run_script(tmp_path / "out", env)
    assert done.returncode != 0
    assert "device must be cpu or cuda" in done.stdout + done.stderr
    assert "device_run: done" not in (tmp_path / "out" / "run.log").read_text()


def test_the_device_script_installs_a_wheel_packed_with_xz(tmp_path: Path) -> None:
    """A wheel's contents packed with xz (how SimpleITK travels at half the wheel's size)
    land in SITE, which goes on the path; the run then goes on (here to a failing step)."""
    contents = tmp_path / "contents"
    (contents / "carried_probe").mkdir(parents=True)
    (contents / "carried_probe" / "__init__.py").write_text("VALUE = 7\n")
    (contents / "carried_probe-1.0.dist-info").mkdir()
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    with tarfile.open(wheels / "carried_probe.tar.xz", "w:xz") as tar:
        for entry in contents.iterdir():
            tar.add(entry, arcname=entry.name)
    site = tmp_path / "site"
    env = os.environ | {"PY": sys.executable, "DEVICE": "tpu", "TINY": "1", "CASES_A": "1"}
    env |= {"CASES_C": "1", "ITERATIONS": "1", "JOBS": "1", "CACHE": str(tmp_path / "c")}
    env |= {"WHEELS": str(wheels), "SITE": str(site)}
    done = run_script(tmp_path / "out", env)
    assert (site / "carried_probe" / "__init__.py").read_text() == "VALUE = 7\n"
    log = (tmp_path / "out" / "run.log").read_text()
    assert f"device_run: carried into {site}: carried_probe \n" in log
    assert "device must be cpu or cuda" in log and done.returncode != 0
