"""``--out`` is checked before the analysis runs: an empty path, a file, or a path under a
file is a one-line error (exit 2) and nothing is loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from strokescope import pipeline
from strokescope.cli import main


@pytest.fixture
def no_analysis(monkeypatch: pytest.MonkeyPatch) -> None:
    def load(*args: object, **kwargs: object) -> None:
        pytest.fail("the input was loaded before --out was checked")

    monkeypatch.setattr(pipeline, "load", load)


@pytest.mark.parametrize("command", ["ht", "thrombus"])
@pytest.mark.parametrize("out", ["", "a-file", "a-file/results"])
@pytest.mark.usefixtures("no_analysis")
def test_bad_out_is_refused_before_loading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, out: str
) -> None:
    (tmp_path / "a-file").write_text("not a folder")
    target = str(tmp_path / out) if out else ""
    args = ["--ncct", str(tmp_path), "--out", target]
    args += ["--roi", "z=1 y=1:2 x=1:2"] if command == "ht" else ["--cta", str(tmp_path)]
    assert main([command, *args]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"strokescope {command}: error: ") and "\n" not in err
    assert ("empty" if not out else "a-file") in err
