"""No telemetry and no writes outside the output folder: a thrombus run, traced.

onnxruntime 1.32 writes a device id and a usage store under the user's home and tries to
reach an events endpoint unless its opt-out is set before it is imported (see
``strokescope/__init__``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

MODELS = Path(__file__).resolve().parents[1] / "models_onnx"


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


def test_importing_strokescope_before_onnxruntime_writes_nothing_home(tmp_path: Path) -> None:
    code = (
        "import strokescope, onnxruntime as ort; "
        f"ort.InferenceSession({str(MODELS / 'thrombus_fine.onnx')!r}, "
        "providers=['CPUExecutionProvider'])"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORT_")}
    # the control first: onnxruntime alone writes its store here, so the check can fail.
    # Some builds and machines write none; there the check proves nothing and is skipped.
    control = tmp_path / "control"
    control.mkdir()
    subprocess.run(
        [sys.executable, "-c", code.replace("import strokescope, ", "import ")],
        env={**env, "HOME": str(control)},
        check=True,
        cwd=control,
    )
    if not any(".onnxruntime" in str(p) for p in _files(control)):
        pytest.skip("onnxruntime writes no telemetry store on this machine")
    home = tmp_path / "home"
    home.mkdir()
    subprocess.run(
        [sys.executable, "-c", code], env={**env, "HOME": str(home)}, check=True, cwd=home
    )
    assert _files(home) == []


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("strace") is None, reason="strace not installed")
def test_thrombus_run_opens_no_network_socket_and_writes_only_its_output(tmp_path: Path) -> None:
    exe = str(Path(sys.executable).with_name("strokescope"))
    home, study, out = tmp_path / "home", tmp_path / "study", tmp_path / "out"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ORT_")}
    env["HOME"] = str(home)
    subprocess.run(
        [
            exe,
            "phantom",
            str(study),
            "--occlusion",
            "M1",
            "--seed",
            "3",
            "--matrix",
            "256",
            "--inplane-mm",
            "0.8",
            "--slice-mm",
            "0.8",
        ],
        env=env,
        check=True,
        capture_output=True,
    )
    trace = tmp_path / "strace.log"
    subprocess.run(
        [
            "strace",
            "-f",
            "-qq",
            "-e",
            "trace=socket,connect,sendto,openat",
            "-o",
            str(trace),
            exe,
            "thrombus",
            str(study),
            "--out",
            str(out),
            "--models",
            str(MODELS),
        ],
        env=env,
        check=True,
        capture_output=True,
        cwd=tmp_path,
    )
    log = trace.read_text()
    assert not re.search(r"socket\(AF_INET6?", log), "a network socket was opened"
    assert "connect(" not in log or not re.search(r"connect\(\d+, \{sa_family=AF_INET", log)
    written = set(re.findall(r'openat\([^"]*"([^"]+)", [^)]*O_(?:WRONLY|RDWR)', log))
    outside = [
        p
        for p in written
        if not p.startswith((str(out), "/dev/", "/proc/")) and "__pycache__" not in p
    ]
    assert outside == [], f"written outside the output folder: {outside[:5]}"
    assert _files(home) == []
