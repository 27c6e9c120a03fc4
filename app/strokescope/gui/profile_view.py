"""CTA and NCCT along the selected thrombus' axis, with its CTA signs of occlusion.

What the reader checks the network's call against (the PDF draws the same profile): the
contrast column runs up to the clot, drops along it (the shaded span) and may rise again
beyond it. Data: :class:`strokescope.thrombus.result.AxialProfile` and the thrombus'
``cta_lumen_in_line`` / ``cta_missing_artery``.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from strokescope.thrombus.result import Thrombus

CTA_PEN = pg.mkPen((240, 240, 240), width=2)
NCCT_PEN = pg.mkPen((140, 140, 140), width=1)
CLOT_BRUSH = pg.mkBrush(255, 140, 100, 60)


def signs_text(t: Thrombus) -> str:
    """One line: the thrombus and its CTA signs (or that they were not measured)."""
    head = f"#{t.label} {t.side} {t.segment}"
    signs = t.cta_signs()
    if signs is None:
        return f"{head}: CTA signs not measured"
    verdict = "no CTA sign of occlusion" if t.occlusion_sign_missing() else "CTA sign present"
    return f"{head}: {verdict} ({signs})"


class ProfileView(QWidget):
    """A small plot of one thrombus' axial profile; hidden when there is none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("profileView")
        self.caption = QLabel("", self)
        self.caption.setObjectName("profileCaption")
        self.caption.setWordWrap(True)
        self.plot = pg.PlotWidget(self)
        self.plot.setMinimumHeight(130)
        self.plot.setLabel("left", "HU")
        self.plot.setLabel("bottom", "mm along the clot (CTA bright, NCCT grey)")
        self.plot.setMouseEnabled(x=False, y=False)
        self.region = pg.LinearRegionItem(movable=False, brush=CLOT_BRUSH)
        self.plot.addItem(self.region)
        self.cta = self.plot.plot(pen=CTA_PEN)
        self.ncct = self.plot.plot(pen=NCCT_PEN)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.caption)
        layout.addWidget(self.plot)
        self.thrombus: Thrombus | None = None
        self.setVisible(False)

    def show_thrombus(self, t: Thrombus | None) -> None:
        """Plot ``t``'s profile, or hide the view when it has none."""
        self.thrombus = t
        profile = None if t is None else t.axial_profile
        if t is None or profile is None:
            self.cta.setData([], [])
            self.ncct.setData([], [])
            self.setVisible(False)
            return
        d = np.asarray(profile.distance_mm)
        self.cta.setData(d, np.asarray(profile.cta_hu))
        self.ncct.setData(d, np.asarray(profile.ncct_hu))
        self.region.setRegion((0.0, t.length_mm))
        self.caption.setText(signs_text(t))
        self.setVisible(True)
