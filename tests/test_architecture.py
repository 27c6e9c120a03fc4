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
        "cli.build_parser()\n"
        "heavy = ('SimpleITK', 'onnxruntime', 'PySide6', 'pydicom', 'dask', 'distributed')\n"
        "print(','.join(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


BATCH_MAY_IMPORT = (
    "strokescope",  # the package root: version and notices
    "strokescope.pipeline",
    "strokescope.errors",
    "strokescope.atomic",
    "strokescope.volume",  # the Volume type the pipeline returns
    "strokescope.thrombus.result",
    "strokescope.hemorrhage.result",
    "strokescope.outcome.prediction",  # the outcome model's result type
    "strokescope.evaluation",  # agreement statistics of --summarize
)


def _package_imports(path: Path) -> set[str]:
    """Dotted names of the ``strokescope`` modules a file imports (``from strokescope
    import pipeline`` counts as ``strokescope.pipeline``; a name that is no module as
    ``strokescope``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "strokescope")
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] != "strokescope":
                continue
            base = PACKAGE.parent.joinpath(*node.module.split("."))
            for alias in node.names:
                sub = base / alias.name
                is_module = sub.is_dir() or sub.with_suffix(".py").is_file()
                found.add(f"{node.module}.{alias.name}" if is_module else node.module)
    return found


def _batch_offenders(
    folder: Path, own: str = "strokescope.batch", may_import: tuple[str, ...] = BATCH_MAY_IMPORT
) -> list[str]:
    offenders = []
    for path in sorted(folder.rglob("*.py")):
        for name in sorted(_package_imports(path)):
            allowed = name.startswith(own) or any(
                name == ok or name.startswith(f"{ok}.") and ok != "strokescope" for ok in may_import
            )
            if not allowed:
                offenders.append(f"{path.name}: {name}")
    return offenders


def test_batch_calls_the_package_only_through_the_pipeline() -> None:
    """strokescope.batch is a shell over strokescope.pipeline: from the rest of the
    package it may import only the pipeline, result types, errors, atomic writes and the
    evaluation statistics."""
    assert _batch_offenders(PACKAGE / "batch") == []


def test_batch_rule_detects_a_reach_past_the_pipeline(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from strokescope import pipeline, RESEARCH_ONLY\n"
        "from strokescope.thrombus.result import Thrombus\n"
        "def f():\n"
        "    from strokescope.io import scan_folder_report\n"
        "    import strokescope.thrombus.model\n"
        "    from strokescope import series_roles\n"
    )
    assert _batch_offenders(tmp_path) == [
        "probe.py: strokescope.io",
        "probe.py: strokescope.series_roles",
        "probe.py: strokescope.thrombus.model",
    ]


NODE_MAY_IMPORT = (
    "strokescope.pipeline",
    "strokescope.errors",
    "strokescope.atomic",
    "strokescope.volume",
    "strokescope.thrombus.result",
    "strokescope.hemorrhage.result",
)


def test_node_calls_the_package_only_through_the_pipeline() -> None:
    """strokescope.node (``strokescope listen``) is a shell over strokescope.pipeline: from
    the rest of the package it may import only the pipeline, result types, errors and
    atomic writes."""
    node = PACKAGE / "node"
    assert len(list(node.glob("*.py"))) > 3
    assert _batch_offenders(node, "strokescope.node", NODE_MAY_IMPORT) == []


def test_node_rule_detects_a_reach_past_the_pipeline(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from strokescope.node.index import Index\n"
        "from strokescope.pipeline import Progress\n"
        "def f():\n"
        "    from strokescope.series_roles import assign_roles\n"
        "    from strokescope.evaluation import dice\n"
    )
    assert _batch_offenders(tmp_path, "strokescope.node", NODE_MAY_IMPORT) == [
        "probe.py: strokescope.evaluation",
        "probe.py: strokescope.series_roles",
    ]


# The CLI, the viewer and the demo are shells: from the core they call strokescope.pipeline
# and nothing else; they may name its result types and constants (a dataclass, a Literal,
# a notice string). Developer tools that write phantoms or run the evaluation harness are
# listed here by module with the reason, not analysis paths.
SHELLS = (
    "cli.py",
    "cli_shared.py",
    "cli_thrombus.py",
    "demo.py",
    "gui_launch.py",
    "gui",
    "outcome/cli_options.py",
)
SHELL_TOOLS = {
    "strokescope.phantom": "phantom studies for `strokescope phantom`, the demo, screenshots",
    "strokescope.phantom.cli_options": "the `strokescope phantom` arguments",
    "strokescope.io.sitk_convert": "reads the phantom's truth masks (demo, screenshots)",
    "strokescope.thrombus.phantom_evaluation": "`strokescope evaluate`, the evaluation harness",
    "strokescope.batch.cli_options": "`strokescope batch`, itself a shell (tested above)",
    "strokescope.node.cli_options": "`strokescope listen`, itself a shell (tested above)",
    "strokescope.outcome.cli_options": "`strokescope outcome`, itself a shell (in SHELLS)",
    "strokescope.cli_shared": "arguments `ht` and `thrombus` share, itself a shell (in SHELLS)",
    "strokescope.cli_thrombus": "`strokescope thrombus`, itself a shell (in SHELLS)",
    "strokescope.demo": "`strokescope demo`, itself a shell",
    "strokescope.gui_launch": "`strokescope gui`, itself a shell",
}


def _from_imports(path: Path) -> list[tuple[str, str]]:
    """(module, name) of every ``from strokescope... import name`` and ``import strokescope.x``
    (name "") in a file, type-checking blocks included."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[str, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] == "strokescope":
                found += [(node.module, a.name) for a in node.names]
        elif isinstance(node, ast.Import):
            found += [(a.name, "") for a in node.names if a.name.startswith("strokescope.")]
    return found


def _reaches_past_the_pipeline(module: str, name: str) -> bool:
    import importlib

    target = f"{module}.{name}" if name else module
    if module.startswith("strokescope.gui") or target in SHELL_TOOLS or module in SHELL_TOOLS:
        return False
    if target in ("strokescope.pipeline", "strokescope.errors") or module in (
        "strokescope.pipeline",
        "strokescope.errors",
    ):
        return False
    if not name:
        return True
    obj = getattr(importlib.import_module(module), name)
    # A result type, a Literal alias or a constant may be named; a function may not.
    return callable(obj) and not isinstance(obj, type) and type(obj).__module__ != "typing"


def _shell_offenders(files: list[Path]) -> list[str]:
    return [
        f"{path.name}: {module}.{name}"
        for path in files
        for module, name in _from_imports(path)
        if _reaches_past_the_pipeline(module, name)
    ]


def test_cli_gui_and_demo_reach_the_core_only_through_the_pipeline() -> None:
    paths = [PACKAGE / shell for shell in SHELLS]
    files = [f for p in paths for f in (sorted(p.rglob("*.py")) if p.is_dir() else [p])]
    assert len(files) > 10
    assert _shell_offenders(files) == []


def test_shell_rule_detects_a_function_from_below_the_pipeline(tmp_path: Path) -> None:
    probe = tmp_path / "probe.py"
    probe.write_text(
        "from strokescope import pipeline, RESEARCH_ONLY\n"
        "from strokescope.thrombus.result import ThrombusResult\n"
        "from strokescope.series_roles import ROLE_NAMES, Role\n"
        "def f():\n"
        "    from strokescope.hemorrhage.text_rois import run_ht\n"
        "    import strokescope.thrombus.model\n"
    )
    assert _shell_offenders([probe]) == [
        "probe.py: strokescope.hemorrhage.text_rois.run_ht",
        "probe.py: strokescope.thrombus.model.",
    ]
