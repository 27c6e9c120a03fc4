"""Issue 20's size bar: no module over 400 lines, no function over 80.

Counts physical lines (docstrings and comments included) of every ``.py`` file under the
trees below. ``KNOWN`` lists the offenders still being split elsewhere; a new offender
fails, and so does an entry of ``KNOWN`` that is no longer one (delete it then).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TREES = ("app", "tests", "benchmarks", "installer", "training")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 80
KNOWN: set[str] = set()


def offenders() -> set[str]:
    found: set[str] = set()
    for tree in TREES:
        for path in sorted((ROOT / tree).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            text = path.read_text(encoding="utf-8")
            if text.count("\n") > MAX_MODULE_LINES:
                found.add(name)
            for node in ast.walk(ast.parse(text)):
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                    assert node.end_lineno is not None
                    if node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES:
                        found.add(f"{name}:{node.name}")
    return found


def test_no_module_over_400_and_no_function_over_80_lines() -> None:
    found = offenders()
    assert not found - KNOWN, f"over the size bar: {sorted(found - KNOWN)}"
    assert not KNOWN - found, f"split now, remove from KNOWN: {sorted(KNOWN - found)}"
