"""The window's image area: three orthogonal views, or two linked axial views side by side.

Page 0 shows axial (large), coronal and sagittal views of the one :class:`ViewState`;
page 1 the :class:`~strokescope.gui.compare_view.CompareView`. One
:class:`~strokescope.gui.measure_tool.MeasureTool` serves every view on both pages.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QStackedWidget, QWidget

from strokescope.gui.compare_view import CompareView
from strokescope.gui.display import AXIAL, CORONAL, SAGITTAL
from strokescope.gui.measure_tool import MeasureTool
from strokescope.gui.slice_view import SliceView
from strokescope.gui.view_state import ViewState


class ViewArea(QStackedWidget):
    """Orthogonal views (``views`` by name) and the side-by-side page (``compare``)."""

    def __init__(self, state: ViewState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.views = {o.name: SliceView(state, o) for o in (AXIAL, CORONAL, SAGITTAL)}
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.views["coronal"])
        right.addWidget(self.views["sagittal"])
        center = QSplitter()
        center.addWidget(self.views["axial"])
        center.addWidget(right)
        center.setStretchFactor(0, 3)
        center.setStretchFactor(1, 2)
        self.orthogonal = center
        self.addWidget(center)
        self.compare = CompareView(state, self)
        self.addWidget(self.compare)
        self.measure = MeasureTool(self.all_views(), self)

    def all_views(self) -> list[SliceView]:
        """Every slice view: the three orthogonal ones, then the two side-by-side ones."""
        return [*self.views.values(), self.compare.left, self.compare.right]

    @property
    def side_by_side(self) -> bool:
        return self.currentWidget() is self.compare

    def set_side_by_side(self, on: bool) -> None:
        self.setCurrentWidget(self.compare if on else self.orthogonal)

    def set_smooth(self, on: bool) -> None:
        """Interpolated (bilinear) or blocky zoom on every view."""
        for view in self.all_views():
            view.set_smooth(on)

    def reset_zoom(self) -> None:
        for view in self.all_views():
            view.reset_zoom()
