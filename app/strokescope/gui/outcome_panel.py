"""The "Recanalization-related features" box of the results panel.

One row per feature of the thrombus result (label; value and unit, or "absent: reason"),
its definition as the row's tooltip, and under the table the outcome model's probability
beside the model card's cohort and cross-validated AUC, or that no outcome model is
installed. The rows and their words come from the core
(:meth:`strokescope.outcome.features.OutcomeFeatures.rows`), the same as the PDF report's.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from strokescope import pipeline
from strokescope.outcome.definitions import SECTION_TITLE
from strokescope.outcome.prediction import NO_MODEL, OutcomePrediction
from strokescope.thrombus import ThrombusResult

COLUMNS = ("Feature", "Value")
NOT_ANALYSED = "no thrombus analysis"


class OutcomePanel(QGroupBox):
    """The features of the latest thrombus result and the outcome model's line."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(SECTION_TITLE, parent)
        self.setObjectName("outcomeBox")
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("outcomeTable")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.sectionResized.connect(lambda *_args: self.table.resizeRowsToContents())
        self.line = QLabel(NOT_ANALYSED, self)
        self.line.setObjectName("outcomeLine")
        self.line.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(self.line)

    def show_result(
        self, result: ThrombusResult | None, prediction: OutcomePrediction | None = None
    ) -> None:
        """Show the features of ``result`` (none: clear) and ``prediction``'s line."""
        rows = [] if result is None else pipeline.outcome_features(result).rows()
        self.table.setRowCount(len(rows))
        for r, row in enumerate(rows):
            for c, text in enumerate((row.label, row.value_text())):
                item = QTableWidgetItem(text)
                item.setToolTip(row.definition)
                self.table.setItem(r, c, item)
        self.table.resizeRowsToContents()
        if result is None:
            self.line.setText(NOT_ANALYSED)
        else:
            self.line.setText(NO_MODEL if prediction is None else prediction.line())
