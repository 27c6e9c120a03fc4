"""The results panel's "Arterial tree (research)" box: the clot burden score, each labelled
segment's opacification (a swatch of its colour in the viewer's "Arteries" overlay), and the
contrast profile of the selected segment.

Shown only when the shown thrombus result carries the tree (Analysis -> Arterial tree,
:mod:`strokescope.gui.tree_action`; or a result exported with it). Under the profile, the
curved planar reformat of the segment's artery (:mod:`strokescope.vessels.cpr`): the CTA
above the NCCT (sampled through the registration), the clot outlined in both, when the
viewer has them. The
profile plots CTA
and NCCT (CTA less its enhancement) against the distance from the ICA terminus (the basilar
tip for the posterior segments), the non-opacified points shaded; the first segment shown
is the first that holds a clot or whose column drops. Every line carries the tree's caveat:
checked on one phantom family only.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from strokescope import pipeline
from strokescope.colors import SEGMENT_COLORS
from strokescope.thrombus import ThrombusResult
from strokescope.vessels.reading import TREE_CAVEAT, TreeReading
from strokescope.vessels.result import NOT_OPACIFIED, ArterySegment
from strokescope.volume import Volume

COLUMNS = ("Segment", "Side", "Opacification", "Drop at\nmm")
CTA_PEN = pg.mkPen((240, 240, 240), width=2)
NCCT_PEN = pg.mkPen((140, 140, 140), width=1)
GAP_PEN = pg.mkPen(None)
GAP_BRUSH = pg.mkBrush(255, 140, 100, 160)


def first_of_interest(reading: TreeReading) -> int:
    """Row of the first segment a clot lies on or whose column drops (0 when none)."""
    on = {(c.segment, c.side) for c in reading.clots}
    for k, s in enumerate(reading.tree.segments):
        if (s.label, s.side) in on or s.status == NOT_OPACIFIED:
            return k
    return 0


class TreePanel(QGroupBox):
    """The tree of one thrombus result; hidden without one."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Arterial tree (research)", parent)
        self.setObjectName("treePanel")
        self.score = QLabel("", self)
        self.score.setObjectName("treeScore")
        self.score.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS), self)
        self.table.setObjectName("treeTable")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.cellClicked.connect(lambda row, _col: self.show_segment(row))
        self.plot = pg.PlotWidget(self)
        self.plot.setMinimumHeight(120)
        self.plot.setLabel("left", "HU")
        self.plot.setLabel("bottom", "mm from the ICA terminus (CTA bright, NCCT grey)")
        self.plot.setMouseEnabled(x=False, y=False)
        self.cpr_view = pg.PlotWidget(self)
        self.cpr_view.setObjectName("treeReformat")
        self.cpr_view.setMinimumHeight(90)
        self.cpr_view.hideAxis("left")
        self.cpr_view.setLabel(
            "bottom", "curved planar reformat: CTA above, NCCT below; mm from the root"
        )
        self.cpr_view.setMouseEnabled(x=False, y=False)
        self.cpr_image = pg.ImageItem(axisOrder="row-major")
        self.cpr_view.addItem(self.cpr_image)
        self.cpr_view.setVisible(False)
        self.gap = self.plot.plot(pen=GAP_PEN, symbol="s", symbolSize=5, symbolBrush=GAP_BRUSH)
        self.cta = self.plot.plot(pen=CTA_PEN)
        self.ncct = self.plot.plot(pen=NCCT_PEN)
        layout = QVBoxLayout(self)
        layout.addWidget(self.score)
        layout.addWidget(self.table)
        layout.addWidget(self.plot)
        layout.addWidget(self.cpr_view)
        self.images: tuple[Volume | None, Volume | None] = (None, None)
        self.reading: TreeReading | None = None
        self.result: ThrombusResult | None = None
        self.segment: ArterySegment | None = None
        self.setVisible(False)

    def set_images(self, cta: Volume | None, ncct: Volume | None) -> None:
        """The CTA and the NCCT the result was analysed on, for the reformat of the
        selected segment."""
        self.images = (cta, ncct)
        if self.reading is not None and self.segment is not None:
            self.show_segment(list(self.reading.tree.segments).index(self.segment))

    def show_result(self, result: ThrombusResult | None) -> None:
        """Show ``result``'s tree, or hide the box when it has none."""
        self.result = result
        self.reading = None if result is None else result.arteries
        reading = self.reading
        if reading is None:
            self.table.setRowCount(0)
            self.segment = None
            self.setVisible(False)
            return
        cbs = reading.tree.clot_burden
        where = "" if cbs.side is None else f" ({cbs.side}: {', '.join(cbs.occluded)})"
        lines = [f"<b>Clot burden score {cbs.score}/10</b>{where}"]
        lines += [f"⚠ {w}" for w in reading.warnings]
        lines.append(f'<span style="color: #c03030;">{TREE_CAVEAT}</span>')
        self.score.setText("<br>".join(lines))
        segments = reading.tree.segments
        self.table.setRowCount(len(segments))
        for r, s in enumerate(segments):
            drop = "" if s.drop_mm is None else f"{s.drop_mm:.0f}"
            for c, text in enumerate((s.label, s.side, s.status, drop)):
                item = QTableWidgetItem(text)
                if c == 0 and s.topcow_class in SEGMENT_COLORS:  # its colour in the overlay
                    colour = QColor(*SEGMENT_COLORS[s.topcow_class])
                    item.setData(Qt.ItemDataRole.DecorationRole, colour)
                self.table.setItem(r, c, item)
        self.setVisible(True)
        self.show_segment(first_of_interest(reading))

    def show_segment(self, row: int) -> None:
        """Plot the profile of segment ``row`` and select its row."""
        if self.reading is None or not 0 <= row < len(self.reading.tree.segments):
            return
        self.segment = s = self.reading.tree.segments[row]
        p = s.profile
        d = np.asarray(p.distance_mm)
        cta = np.asarray(p.cta_hu, dtype=float)
        self.cta.setData(d, cta)
        self.ncct.setData(d, cta - np.asarray(p.enhancement_hu, dtype=float))
        gap = ~np.asarray(p.opacified)
        self.gap.setData(d[gap], cta[gap])
        self.plot.setLabel("bottom", f"mm from the {p.reference} (CTA bright, NCCT grey)")
        self.plot.setTitle(f"{s.side} {s.label}: {s.status}")
        self.table.selectRow(row)
        self._show_reformat(s)

    def _show_reformat(self, segment: ArterySegment) -> None:
        """CTA above NCCT, straightened along ``segment``'s artery, the clot outlined."""
        cta, ncct = self.images
        rgb = (
            None
            if cta is None or self.result is None
            else pipeline.artery_reformat(cta, ncct, self.result, segment)
        )
        if rgb is None:
            self.cpr_view.setVisible(False)
            return
        self.cpr_image.setImage(rgb[::-1], autoLevels=False, levels=(0, 255))
        self.cpr_image.setRect(0.0, 0.0, rgb.shape[1] * 0.5, rgb.shape[0] * 0.5)
        self.cpr_view.setVisible(True)
