"""Starting the viewer, with or without the ``gui`` extra (PySide6, pyqtgraph) installed.

Qt-free: it only looks for the packages, so ``strokescope gui`` and ``strokescope-gui`` on a
headless install end in one line that says how to add the viewer.
"""

from __future__ import annotations

import importlib.util
import sys

from strokescope.errors import InputError

GUI_EXTRA_HINT = "the viewer needs Qt: pip install 'strokescope[gui]'"


def gui_available() -> bool:
    """Whether PySide6 and pyqtgraph can be imported."""
    return all(importlib.util.find_spec(m) is not None for m in ("PySide6", "pyqtgraph"))


def run_gui(folder: str | None) -> int:
    """``strokescope gui [FOLDER]``; :class:`InputError` without the extra."""
    if not gui_available():
        raise InputError(GUI_EXTRA_HINT)
    from strokescope.gui.app import run

    return run(folder)


def gui_main() -> int:
    """``strokescope-gui``: the viewer, or one line saying how to install it."""
    if not gui_available():
        print(f"strokescope-gui: error: {GUI_EXTRA_HINT}", file=sys.stderr)
        return 2
    from strokescope.gui.app import main

    return main()
