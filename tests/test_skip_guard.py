"""The CI rule of tests/conftest.py: an unlisted skip fails the run, a listed one does not."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from skip_rules import ALLOWED_SKIPS, unexpected_skips

HERE = Path(__file__).resolve().parent


def _run(folder: Path, *, no_skips: bool) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "STROKESCOPE_NO_SKIPS"}
    if no_skips:
        env["STROKESCOPE_NO_SKIPS"] = "1"
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(folder)]
    return subprocess.run(cmd, cwd=folder, env=env, capture_output=True, text=True)


def test_an_unlisted_skip_fails_only_when_ci_asks(tmp_path: Path) -> None:
    for name in ("conftest.py", "skip_rules.py"):
        shutil.copyfile(HERE / name, tmp_path / name)
    (tmp_path / "test_probe.py").write_text(
        "import pytest\n\ndef test_ok():\n    pass\n\n"
        "def test_needs_a_tool():\n    pytest.skip('tool not installed')\n"
    )
    assert _run(tmp_path, no_skips=False).returncode == 0
    strict = _run(tmp_path, no_skips=True)
    assert strict.returncode == 1
    assert "test_probe.py::test_needs_a_tool" in strict.stdout


def test_listed_ids_pass_with_or_without_parameters() -> None:
    allowed = {"tests/a.py::test_x": "platform"}
    ids = ["tests/a.py::test_x", "tests/a.py::test_x[2]", "tests/b.py::test_y"]
    assert unexpected_skips(ids, allowed) == ["tests/b.py::test_y"]
    assert all("::test_" in k and v for k, v in ALLOWED_SKIPS.items())
