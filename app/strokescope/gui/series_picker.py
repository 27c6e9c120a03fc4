"""Series picker: the ``info`` table of a folder, and which series plays which role.

Roles are filled by :func:`strokescope.series_roles.assign_roles` (the rule behind each pick
is the combo's tooltip); the user may override any of them. Changing a role emits
``role_changed(role)``; the main window then loads that series in a worker. One series
cannot play two roles: choosing a series that already holds another role clears the combo
again and emits ``role_refused(message)`` (the main window shows it in a dialog).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from strokescope.io import FolderScan, SeriesInfo
from strokescope.pipeline import assign_roles, classify_series
from strokescope.series_roles import ROLE_NAMES, ROLES, Role

COLUMNS = ("#", "Description", "Date", "Slices", "Spacing mm", "Thick", "Contrast", "Kind")


def _row(i: int, s: SeriesInfo) -> list[str]:
    z = "-" if s.slice_spacing is None else f"{s.slice_spacing:.3g}"
    return [
        str(i),
        s.description or "-",
        s.study_date or "-",
        str(s.n_slices),
        f"{s.pixel_spacing[0]:.3g} x {s.pixel_spacing[1]:.3g} x {z}",
        "-" if s.slice_thickness is None else f"{s.slice_thickness:.3g}",
        s.contrast_agent or "-",
        classify_series(s).kind.upper(),
    ]


class SeriesPicker(QWidget):
    """Table of scanned series plus one combo per role (baseline NCCT, CTA, follow-up)."""

    role_changed = Signal(str)
    role_refused = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.scan: FolderScan | None = None
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("seriesTable")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.combos: dict[Role, QComboBox] = {}
        form = QFormLayout()
        for role in ROLES:
            combo = QComboBox(self)
            combo.setObjectName(f"role_{role}")
            combo.currentIndexChanged.connect(lambda _i, r=role: self._on_combo(r))
            self.combos[role] = combo
            form.addRow(ROLE_NAMES[role], combo)
        self.folder_label = QLabel("No folder open", self)
        self.folder_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.folder_label)
        layout.addWidget(self.table)
        layout.addLayout(form)
        self._updating = False

    def set_scan(self, scan: FolderScan) -> None:
        """Fill the table and assign roles automatically (no ``role_changed`` is emitted)."""
        self.scan = scan
        self.folder_label.setText(f"{scan.folder}: {len(scan.series)} series")
        self.table.setRowCount(len(scan.series))
        for r, s in enumerate(scan.series):
            for c, text in enumerate(_row(r + 1, s)):
                item = QTableWidgetItem(text)
                item.setToolTip(s.key if c < 2 else text)
                self.table.setItem(r, c, item)
        roles = assign_roles(scan)
        self._updating = True
        try:
            for role, combo in self.combos.items():
                combo.clear()
                combo.addItem("(none)", "")
                for i, s in enumerate(scan.series, start=1):
                    combo.addItem(f"{i}: {s.description or s.key}", s.key)
                chosen = roles.get(role)
                combo.setCurrentIndex(combo.findData(chosen.key) if chosen else 0)
                combo.setToolTip(roles.reason(role) or "no series matched this role")
        finally:
            self._updating = False

    def series_for(self, role: Role) -> SeriesInfo | None:
        """The series currently assigned to ``role``."""
        if self.scan is None:
            return None
        key = self.combos[role].currentData()
        return next((s for s in self.scan.series if s.key == key), None)

    def assign(self, role: Role, key: str) -> None:
        """Override a role (as the user would with the combo); '' clears it."""
        combo = self.combos[role]
        combo.setCurrentIndex(max(combo.findData(key), 0))

    def _on_combo(self, role: Role) -> None:
        if self._updating:
            return
        combo = self.combos[role]
        key = combo.currentData()
        other = next(
            (r for r in ROLES if r != role and key and self.combos[r].currentData() == key), None
        )
        if other is not None:
            self._updating = True
            try:
                combo.setCurrentIndex(0)
            finally:
                self._updating = False
            self.role_refused.emit(
                f"{combo.itemText(combo.findData(key))} is already the {ROLE_NAMES[other]}: one "
                f"series cannot also be the {ROLE_NAMES[role]}. Choose another series."
            )
            return
        combo.setToolTip("chosen by the user")
        self.role_changed.emit(role)
