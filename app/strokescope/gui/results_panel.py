"""Results panel: thrombus table, recanalization-related features (and an outcome model's
probability when one was run, :mod:`strokescope.gui.outcome_panel`), hemorrhage volume
(ABC/2, SD rule), ROIs, every warning, and the folders the last export wrote.

A result whose series roles changed after it was made is marked stale (:data:`STALE` above
it and in the warnings) until a new result of its kind replaces it; it is not exported.

Clicking a thrombus row emits ``thrombus_selected(x, y, z)`` (LPS mm of its centroid) so the
views centre on it, and plots its CTA/NCCT profile with its CTA signs of occlusion under the
table (:mod:`strokescope.gui.profile_view`; the first thrombus until another is clicked).
When the result carries the arterial tree, its box shows the clot burden score, each
segment's opacification and the selected segment's profile (:mod:`strokescope.gui.tree_panel`).
The "research use only" line is always shown at the top.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHeaderView,
    QLabel,
    QListWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from strokescope import PHANTOM_TRAINED, RESEARCH_ONLY
from strokescope.gui.outcome_panel import OutcomePanel
from strokescope.gui.profile_view import ProfileView
from strokescope.gui.tree_panel import TreePanel
from strokescope.hemorrhage import HemorrhageResult
from strokescope.outcome.prediction import OutcomePrediction
from strokescope.thrombus import ThrombusResult

THROMBUS_COLUMNS = (
    "Segment",
    "Side",
    "Length\nmm",
    "Volume\nmm³",
    "NCCT\nHU",
    "CTA\nHU",
    "Pervious-\nness HU",
    "Rel.\natt.",
)
ROI_COLUMNS = ("ROI", "SD\nHU", "Rule", "Window\nHU", "Volume\nmL")
MIN_WIDTH = 450
"""Wide enough for the thrombus table's columns without horizontal scrolling."""
WRAPPED = {"thrombusTable": 0, "roiTable": 2}
"""The column of each table that takes the remaining width and wraps its text; the others
fit their contents, so the tables need no horizontal scrolling (two-line headers)."""
STALE = "stale: series roles changed since this result"
KINDS = ("thrombus", "hemorrhage")


def _table(columns: Sequence[str], name: str, parent: QWidget) -> QTableWidget:
    table = QTableWidget(0, len(columns), parent)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(list(columns))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    table.setWordWrap(True)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(WRAPPED[name], QHeaderView.ResizeMode.Stretch)
    header.setMinimumSectionSize(24)
    header.sectionResized.connect(lambda *_args: table.resizeRowsToContents())
    return table


def _fill(table: QTableWidget, rows: Sequence[Sequence[str]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(text))
    table.resizeRowsToContents()


class ResultsPanel(QWidget):
    """Shows the latest thrombus and hemorrhage results with their warnings."""

    thrombus_selected = Signal(float, float, float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.research = QLabel(f"⚠ {RESEARCH_ONLY} {PHANTOM_TRAINED}", self)
        self.research.setWordWrap(True)
        self.research.setObjectName("researchLabel")
        self.research.setStyleSheet("color: #c03030; font-weight: bold;")
        self.thrombus: ThrombusResult | None = None
        self.hemorrhage: HemorrhageResult | None = None
        self.study_warnings: tuple[str, ...] = ()
        self.stale: set[str] = set()
        """Results ('thrombus', 'hemorrhage') whose series roles changed since they were made."""
        self.exported = QLabel("", self)
        self.exported.setObjectName("exportLabel")
        self.exported.setWordWrap(True)
        self.exported.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.exported.setVisible(False)

        t_box = QGroupBox("Thrombus (baseline NCCT + CTA)", self)
        self.thrombus_call = QLabel("not analysed", t_box)
        self.thrombus_call.setObjectName("thrombusCall")
        self.thrombus_call.setWordWrap(True)
        self.thrombus_call.linkActivated.connect(self.toggle_thrombus_details)
        self.thrombus_details = QLabel("", t_box)  # the decision rule, behind "details"
        self.thrombus_details.setObjectName("thrombusDetails")
        self.thrombus_details.setWordWrap(True)
        self.thrombus_details.setVisible(False)
        self.thrombus_table = _table(THROMBUS_COLUMNS, "thrombusTable", t_box)
        self.thrombus_table.cellClicked.connect(self._on_thrombus_row)
        self.profile = ProfileView(t_box)
        t_layout = QVBoxLayout(t_box)
        t_layout.addWidget(self.thrombus_call)
        t_layout.addWidget(self.thrombus_details)
        t_layout.addWidget(self.thrombus_table)
        t_layout.addWidget(self.profile)

        self.tree = TreePanel(self)
        self.outcome = OutcomePanel(self)

        h_box = QGroupBox("Hemorrhagic transformation (follow-up NCCT)", self)
        self.ht_volume = QLabel("no ROI", h_box)
        self.ht_volume.setObjectName("htVolume")
        self.ht_volume.setWordWrap(True)
        self.roi_table = _table(ROI_COLUMNS, "roiTable", h_box)
        h_layout = QVBoxLayout(h_box)
        h_layout.addWidget(self.ht_volume)
        h_layout.addWidget(self.roi_table)

        w_box = QGroupBox("Warnings", self)
        self.warnings = QListWidget(w_box)
        self.warnings.setObjectName("warningsList")
        self.warnings.setWordWrap(True)
        QVBoxLayout(w_box).addWidget(self.warnings)

        self.setMinimumWidth(MIN_WIDTH)
        layout = QVBoxLayout(self)
        layout.addWidget(self.research)
        layout.addWidget(t_box, 3)
        layout.addWidget(self.tree, 3)
        layout.addWidget(self.outcome, 2)
        layout.addWidget(h_box, 3)
        layout.addWidget(w_box, 2)
        layout.addWidget(self.exported)

    def set_stale(self, kind: str) -> None:
        """Mark the current ``kind`` result stale (a new result of that kind clears it)."""
        if kind not in KINDS:
            raise ValueError(f"unknown result kind {kind!r}")
        if getattr(self, kind) is None or kind in self.stale:
            return
        self.stale.add(kind)
        label = self.thrombus_call if kind == "thrombus" else self.ht_volume
        label.setText(f'<b style="color: #d07000;">⚠ {STALE}</b><br>{label.text()}')
        self._show_warnings()

    def toggle_thrombus_details(self, _link: str = "") -> None:
        """Show or hide the decision rule under the finding (the "details" link)."""
        self.thrombus_details.setVisible(
            bool(self.thrombus_details.text()) and not self.thrombus_details.isVisible()
        )

    def is_stale(self, kind: str) -> bool:
        return kind in self.stale

    def set_thrombus(
        self, result: ThrombusResult | None, outcome: OutcomePrediction | None = None
    ) -> None:
        """Show ``result`` (``None``: clear) and its features, with the outcome model's
        prediction when one was run."""
        self.thrombus = result
        self.outcome.show_result(result, outcome)
        self.tree.show_result(result)
        self.stale.discard("thrombus")
        self.thrombus_details.setVisible(False)
        if result is None:
            self.thrombus_call.setText("not analysed")
            self.thrombus_details.setText("")
            _fill(self.thrombus_table, [])
        else:
            self.thrombus_call.setText(
                f'<b>{html.escape(result.impression())}</b> <a href="details">details</a>'
            )
            self.thrombus_details.setText(f"Rule: {html.escape(result.decision_rule)}")
            _fill(
                self.thrombus_table,
                [
                    [
                        t.segment,
                        t.side,
                        f"{t.length_mm:.1f}",
                        f"{t.volume_mm3:.0f}",
                        f"{t.ncct_mean_hu:.0f} ± {t.ncct_sd_hu:.0f}",
                        f"{t.cta_mean_hu:.0f}",
                        f"{t.perviousness_hu:.1f}",
                        "-" if t.relative_attenuation is None else f"{t.relative_attenuation:.2f}",
                    ]
                    for t in result.thrombi
                ],
            )
        self.profile.show_thrombus(result.thrombi[0] if result and result.thrombi else None)
        self._show_warnings()

    def set_hemorrhage(self, result: HemorrhageResult | None) -> None:
        self.hemorrhage = result
        self.stale.discard("hemorrhage")
        if result is None:
            self.ht_volume.setText("no ROI")
            _fill(self.roi_table, [])
        else:
            a = result.abc2
            abc = (
                f"ABC/2 {a.volume_ml:.1f} mL (A {a.a_mm:.0f} × B {a.b_mm:.0f} × C {a.c_mm:.0f} mm)"
                if a
                else "ABC/2 n/a"
            )
            self.ht_volume.setText(
                f"<b>Volume {result.volume_ml:.2f} mL</b> (SD rule) · {abc} · "
                f"global 50-80 HU {result.global_volume_ml:.2f} mL"
            )
            rows = []
            for r in result.rois:
                rule = (
                    "-"
                    if r.rule is None
                    else f"{r.rule.label} (SD class: {r.rule.classification} at 50-80 HU)"
                )
                window = "-" if r.window_hu is None else f"{r.window_hu[0]:g}-{r.window_hu[1]:g}"
                sd = "-" if r.sd_hu is None else f"{r.sd_hu:.2f}"
                rows.append([r.roi.text, sd, rule, window, f"{r.volume_ml:.2f}"])
            _fill(self.roi_table, rows)
        self._show_warnings()

    def set_exports(
        self, folders: Sequence[str], warnings: Sequence[str] = (), *, anonymized: bool = False
    ) -> None:
        """Show the results folder(s) the last export wrote and the export's warnings."""
        kind = "anonymized export" if anonymized else "export"
        lines = [f"Last {kind}:", *folders, *(f"export: {w}" for w in dict.fromkeys(warnings))]
        self.exported.setText("\n".join(lines) if folders else "")
        self.exported.setVisible(bool(folders))

    def set_study_warnings(self, warnings: Sequence[str]) -> None:
        """Warnings of loading and role checks (shown with the analyses' warnings)."""
        self.study_warnings = tuple(warnings)
        self._show_warnings()

    def all_warnings(self) -> list[str]:
        out = list(self.study_warnings)
        if self.thrombus is not None:
            out += [f"thrombus: {STALE}"] if "thrombus" in self.stale else []
            out += [f"thrombus: {w}" for w in self.thrombus.warnings]
            if self.thrombus.arteries is not None:
                out += list(self.thrombus.arteries.report_warnings())
        if self.hemorrhage is not None:
            out += [f"HT: {STALE}"] if "hemorrhage" in self.stale else []
            out += [f"HT: {w}" for w in self.hemorrhage.warnings]
        return list(dict.fromkeys(out))

    def _show_warnings(self) -> None:
        self.warnings.clear()
        self.warnings.addItems(self.all_warnings())

    def _on_thrombus_row(self, row: int, _col: int) -> None:
        if self.thrombus is not None and 0 <= row < len(self.thrombus.thrombi):
            self.profile.show_thrombus(self.thrombus.thrombi[row])
            self.thrombus_selected.emit(*self.thrombus.thrombi[row].centroid_lps)
