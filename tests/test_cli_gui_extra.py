"""Without the ``gui`` extra (no PySide6/pyqtgraph) the viewer commands say how to get it."""

from __future__ import annotations

import importlib.util

import pytest

from strokescope import cli, gui_launch


@pytest.fixture
def no_qt(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec

    def find_spec(name: str, *args: object) -> object:
        return None if name in ("PySide6", "pyqtgraph") else real(name, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)


@pytest.mark.usefixtures("no_qt")
def test_gui_command_without_qt_is_one_line_naming_the_extra(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert cli.main(["gui"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["strokescope gui: error: " + gui_launch.GUI_EXTRA_HINT]
    assert "strokescope[gui]" in gui_launch.GUI_EXTRA_HINT


@pytest.mark.usefixtures("no_qt")
def test_gui_script_without_qt_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert gui_launch.gui_main() == 2
    assert capsys.readouterr().err.strip() == "strokescope-gui: error: " + gui_launch.GUI_EXTRA_HINT


def test_qt_is_found_in_the_test_environment() -> None:
    assert gui_launch.gui_available()
