"""Side-by-side axial views: the shown series on the left, a second series on the right.

The left view follows the window's :class:`ViewState`; the right one has its own state
(its own volume and window), linked in patient space: both show the slice through the
same LPS point, a scroll or click in either moves both, and panning or zooming one moves
the other to the same patient region. Typical pairs: baseline NCCT beside its CTA, baseline
beside follow-up NCCT.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from strokescope.gui.display import AXIAL
from strokescope.gui.slice_view import SliceView
from strokescope.gui.view_state import ViewState
from strokescope.volume import Volume


def partner_for(shown: str, loaded: list[str]) -> str:
    """The series to put beside ``shown``: its CTA or NCCT partner, else the other NCCT."""
    order = {
        "baseline": ("cta", "followup"),
        "cta": ("baseline", "ncct_registered", "followup"),
        "followup": ("baseline", "cta"),
        "ncct_registered": ("cta", "baseline"),
    }.get(shown, ())
    return next((r for r in order if r in loaded), "")


def lps_of(view: SliceView, point: QPointF) -> np.ndarray:
    """LPS mm of a view point on the view's current slice."""
    vol = view.state.volume
    assert vol is not None
    o, sp = view.orient, vol.spacing
    idx = [0.0, 0.0, 0.0]
    idx[o.normal] = float(view.state.cursor[o.normal])
    idx[o.row_axis] = point.y() / sp[o.row_axis] - 0.5
    idx[o.col_axis] = point.x() / sp[o.col_axis] - 0.5
    return vol.geometry.index_to_lps(idx)


def view_point_of(view: SliceView, lps: np.ndarray) -> QPointF:
    """View coordinates (mm) of an LPS point projected on the view's plane."""
    vol = view.state.volume
    assert vol is not None
    idx = vol.geometry.lps_to_index(lps)
    o, sp = view.orient, vol.spacing
    return QPointF(
        (idx[o.col_axis] + 0.5) * sp[o.col_axis], (idx[o.row_axis] + 0.5) * sp[o.row_axis]
    )


class CompareView(QWidget):
    """Two linked axial views; ``partner_selected(role)`` asks for another right-hand series."""

    partner_selected = Signal(str)

    def __init__(self, state: ViewState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.right_state = ViewState(self)
        self.left = SliceView(state, AXIAL)
        self.right = SliceView(self.right_state, AXIAL)
        self.left.title.setObjectName("compareLeftTitle")
        self.right.title.setObjectName("compareRightTitle")
        self.partner = QComboBox(self)
        self.partner.setObjectName("compareSeries")
        self.partner.activated.connect(
            lambda i: self.partner_selected.emit(self.partner.itemData(i))
        )
        self._syncing = False
        for a, b in ((self.left, self.right), (self.right, self.left)):
            a.state.cursor_changed.connect(lambda a=a, b=b: self._follow_cursor(a, b))
            a.box.sigRangeChanged.connect(lambda *_args, a=a, b=b: self._follow_range(a, b))
        top = QHBoxLayout()
        top.addWidget(QLabel("Beside it:", self))
        top.addWidget(self.partner)
        top.addStretch(1)
        splitter = QSplitter(self)
        splitter.addWidget(self.left)
        splitter.addWidget(self.right)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)

    def set_choices(self, pairs: list[tuple[str, str]], current: str) -> None:
        """Offer ``(role, name)`` series for the right view; select ``current``."""
        self.partner.clear()
        for role, name in pairs:
            self.partner.addItem(name, role)
        self.partner.setCurrentIndex(max(self.partner.findData(current), 0))

    def set_partner(self, volume: Volume | None, role: str, window: tuple[float, float]) -> None:
        """Show ``volume`` on the right with ``window`` (width, level), linked to the left."""
        self._syncing = True  # the right view's own reset zoom must not move the left one
        try:
            self.right_state.set_volume(volume, role)
            self.right_state.set_window(*window)
        finally:
            self._syncing = False
        self.partner.setCurrentIndex(max(self.partner.findData(role), 0))
        self._follow_cursor(self.left, self.right)
        self._follow_range(self.left, self.right)

    def _follow_cursor(self, source: SliceView, target: SliceView) -> None:
        if self._syncing or source.state.volume is None or target.state.volume is None:
            return
        self._syncing = True
        try:
            x, y, z = source.state.volume.geometry.index_to_lps(source.state.cursor)
            target.state.center_on_lps((float(x), float(y), float(z)))
        finally:
            self._syncing = False

    def _follow_range(self, source: SliceView, target: SliceView) -> None:
        if self._syncing or source.state.volume is None or target.state.volume is None:
            return
        self._syncing = True
        try:
            rect = source.box.viewRect()
            centre = view_point_of(target, lps_of(source, rect.center()))
            moved = QRectF(rect)
            moved.moveCenter(centre)
            target.box.setRange(moved, padding=0)
        finally:
            self._syncing = False
