"""Structural rules: computation never imports Qt; `strokescope --help` stays light."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "app" / "strokescope"
QT_MODULES = ("PySide6", "pyqtgraph", "shiboken6")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_only_gui_imports_qt() -> None:
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] == "gui":
            continue
        bad = _imports(path) & set(QT_MODULES)
        if bad:
            offenders.append(f"{rel}: {sorted(bad)}")
    assert offenders == []


def test_rule_detects_a_qt_import(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from PySide6 import QtCore\n")
    assert "PySide6" in _imports(probe)


def test_torch_never_imported_by_the_app() -> None:
    offenders = [p.name for p in PACKAGE.rglob("*.py") if "torch" in _imports(p)]
    assert offenders == []


def test_cli_help_does_not_import_heavy_modules() -> None:
    code = (
        "import sys; from strokescope import cli\n"
        "heavy = ('SimpleITK', 'onnxruntime', 'PySide6', 'pydicom')\n"
        "print(','.join(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
