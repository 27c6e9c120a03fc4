"""The export dialog: where the results go, and page 1 of each report before anything is written.

The folder may be typed or browsed; a folder that does not exist yet is created (with its
parents) when Export is pressed, and a path that cannot be used (a file, no permission)
is refused in the dialog with its reason. The preview pages are drawn in the window's
worker (:func:`strokescope.gui.export_action.render_previews`); where no renderer is
installed the dialog says so and the export works as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from strokescope.errors import ExportError
from strokescope.pipeline import check_output_folder

PREVIEW_HEIGHT = 560


class ExportDialog(QDialog):
    """Folder, report preview and Export/Cancel (object name ``exportDialog``)."""

    def __init__(
        self, start: str, what: Sequence[str], *, anonymize: bool, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("exportDialog")
        kind = "anonymized " if anonymize else ""
        self.setWindowTitle(f"Export {kind}results")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.folder = QLineEdit(start, self)
        self.folder.setObjectName("exportFolder")
        self.folder.setToolTip("a new results-NNN folder is made inside it")
        self.folder.textChanged.connect(self._check)
        self.browse = QPushButton("Browse…", self)
        self.note = QLabel("", self)
        self.note.setObjectName("exportNote")
        self.note.setWordWrap(True)
        self.pages = [QLabel("drawing the report preview…", self) for _ in what]
        buttons = QDialogButtonBox(self)
        self.export_button = buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setObjectName("exportButton")
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(QLabel("Into folder", self))
        row.addWidget(self.folder, 1)
        row.addWidget(self.browse)
        pages = QHBoxLayout()
        for name, page in zip(what, self.pages, strict=True):
            page.setObjectName("reportPreview")
            page.setAlignment(Qt.AlignmentFlag.AlignCenter)
            page.setWordWrap(True)
            page.setMinimumSize(int(PREVIEW_HEIGHT / 1.414), PREVIEW_HEIGHT)
            page.setToolTip(f"page 1 of the {name} report")
            page.setStyleSheet("background: #808080; color: white;")
            pages.addWidget(page)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.note)
        layout.addLayout(pages, 1)
        layout.addWidget(buttons)
        self._check()

    def chosen(self) -> Path:
        return Path(self.folder.text().strip()).expanduser()

    def _check(self) -> None:
        path = self.chosen()
        if self.folder.text().strip() and not path.exists():
            self.note.setText(f"{path} does not exist yet: it will be created")
        else:
            self.note.setText("")

    def set_previews(self, pages: Sequence[bytes | str]) -> None:
        """Show each report's page 1 (PNG bytes) or the reason there is none (text)."""
        for label, page in zip(self.pages, pages, strict=False):
            if isinstance(page, str):
                label.setText(page)
                continue
            pixmap = QPixmap()
            pixmap.loadFromData(page, "PNG")
            label.setPixmap(
                pixmap.scaledToHeight(PREVIEW_HEIGHT, Qt.TransformationMode.SmoothTransformation)
            )

    def accept(self) -> None:
        """Create the folder if it is missing; refuse a path that cannot hold results."""
        if not self.folder.text().strip():
            self.note.setText("choose a folder for the results")
            return
        try:
            path = check_output_folder(self.chosen())
            path.mkdir(parents=True, exist_ok=True)
        except (ExportError, OSError) as exc:
            self.note.setText(str(exc))
            return
        super().accept()
