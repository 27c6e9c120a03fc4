"""Dialogs: the one error dialog, the About box, the mouse-and-keys help and the preset editor.

Dialogs are opened window-modal with ``open()`` (never ``exec()``), so the event loop keeps
running and tests find them by object name (``errorDialog``, ``aboutDialog``, ``helpDialog``).
"""

from __future__ import annotations

import html
import json
import logging
import platform
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from strokescope import RESEARCH_ONLY, __version__
from strokescope.errors import InputError
from strokescope.gui.display import SLICE_NUMBERING
from strokescope.gui.presets import DEFAULT_PRESETS, WindowPreset
from strokescope.pipeline import thrombus_models_folder

log = logging.getLogger(__name__)

MANIFEST = thrombus_models_folder() / "manifest.json"


def show_error(parent: QWidget, title: str, message: str) -> QMessageBox:
    """Log ``message`` and show it in one non-blocking dialog (object name ``errorDialog``)."""
    log.error("%s: %s", title, message)
    box = QMessageBox(
        QMessageBox.Icon.Warning, title, message, QMessageBox.StandardButton.Ok, parent
    )
    box.setObjectName("errorDialog")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setWindowModality(Qt.WindowModality.WindowModal)
    box.open()
    return box


def manifest_text(path: Path = MANIFEST) -> str:
    """A short summary of the model manifest (or why there is none)."""
    if not path.is_file():
        return f"No model manifest ({path.name} not found in {path.parent})."
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return f"Model manifest {path} unreadable: {exc}"
    if not isinstance(data, dict):
        return f"Model manifest {path}: not a JSON object"
    lines = [f"Model manifest {path}:"]
    for key, value in data.items():
        text = json.dumps(value) if not isinstance(value, str) else value
        lines.append(f"  {key}: {text[:200]}")
    return "\n".join(lines)


def versions_text() -> str:
    from importlib.metadata import PackageNotFoundError, version

    parts = [f"StrokeScope {__version__}", f"Python {platform.python_version()}"]
    for name in ("numpy", "SimpleITK", "pydicom", "onnxruntime", "PySide6-Essentials", "pyqtgraph"):
        try:
            parts.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            parts.append(f"{name} (not installed)")
    return "\n".join(parts)


def show_about(parent: QWidget) -> QMessageBox:
    box = QMessageBox(parent)
    box.setObjectName("aboutDialog")
    box.setWindowTitle("About StrokeScope")
    box.setText(
        f"<b>StrokeScope {__version__}</b><br>{RESEARCH_ONLY}<br>"
        f"View titles and the status bar: {SLICE_NUMBERING}."
    )
    box.setInformativeText(versions_text())
    box.setDetailedText(manifest_text())
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


class PresetDialog(QDialog):
    """Edit, add and remove window presets (name, width, level)."""

    def __init__(self, presets: tuple[WindowPreset, ...], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("presetDialog")
        self.setWindowTitle("Window presets")
        self.table = QTableWidget(0, 3, self)
        self.table.setHorizontalHeaderLabels(["Name", "Width (HU)", "Level (HU)"])
        for p in presets:
            self._add_row(p.name, p.width, p.level)
        add = QPushButton("Add")
        add.clicked.connect(lambda: self._add_row("New", 400, 40))
        remove = QPushButton("Remove")
        remove.clicked.connect(lambda: self.table.removeRow(self.table.currentRow()))
        reset = QPushButton("Defaults")
        reset.clicked.connect(self._reset)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        for b in (add, remove, reset):
            buttons.addButton(b, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(420, 320)

    def _add_row(self, name: str, width: float, level: float) -> None:
        row = self.table.rowCount()
        self.table.insertRow(row)
        for col, value in enumerate((name, f"{width:g}", f"{level:g}")):
            self.table.setItem(row, col, QTableWidgetItem(value))

    def _reset(self) -> None:
        self.table.setRowCount(0)
        for p in DEFAULT_PRESETS:
            self._add_row(p.name, p.width, p.level)

    def presets(self) -> tuple[WindowPreset, ...]:
        """The edited presets.

        Raises
        ------
        InputError
            If a row has an empty name or a width/level that is not a number in range.
        """
        out = []
        for row in range(self.table.rowCount()):
            cells = [self.table.item(row, c) for c in range(3)]
            name, width, level = (c.text().strip() if c is not None else "" for c in cells)
            try:
                out.append(WindowPreset(name, float(width), float(level)))
            except ValueError as exc:
                raise InputError(
                    f"window preset row {row + 1}: width and level must be numbers"
                ) from exc
        return tuple(out)


def show_help(parent: QWidget, lines: Sequence[tuple[str, str]]) -> QMessageBox:
    """The "mouse and keys" card (object name ``helpDialog``): one row per input."""
    rows = "".join(
        f"<tr><td><b>{html.escape(keys)}</b></td><td>&nbsp;&nbsp;{html.escape(what)}</td></tr>"
        for keys, what in lines
    )
    box = QMessageBox(parent)
    box.setObjectName("helpDialog")
    box.setWindowTitle("Mouse and keys")
    box.setText(f"<table>{rows}</table><p>{html.escape(SLICE_NUMBERING)}.</p>")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box
