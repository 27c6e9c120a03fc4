"""Distance ruler and HU ellipse ROI on any slice view.

With a tool on (:meth:`MeasureTool.set_mode` "ruler" or "ellipse"), a left drag on a view
draws a ruler between the press and the release point, or an ellipse in the dragged box.
Both stay editable (drag a handle or the item) and are labelled on the image; the numbers
come from :mod:`strokescope.measure` (distance with the volume's spacing and direction;
mean/SD HU and area of the ellipse on the slice, not the MIP). A measurement belongs to the
slice it was drawn on and shows only there; a series on another grid clears them all.
Right-click an item to remove it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pyqtgraph as pg
from PySide6.QtCore import QObject, QPointF, QRectF

from strokescope.gui.display import plane
from strokescope.gui.slice_view import SliceView
from strokescope.measure import Ellipse
from strokescope.pipeline import distance_mm, ellipse_stats
from strokescope.volume import Geometry

MODES = ("", "ruler", "ellipse")
PEN = pg.mkPen(color=(90, 220, 255), width=2)
LABEL_FILL = pg.mkBrush(0, 0, 0, 180)
MIN_DRAG_MM = 1.0


@dataclass
class Measurement:
    """One ruler or ellipse: its item, label, view and the slice index it was drawn on."""

    kind: str
    roi: pg.ROI
    label: pg.TextItem
    view: SliceView
    slice_index: int


class MeasureTool(QObject):
    """Rulers and ellipse ROIs of every registered view (``mode`` "", "ruler" or "ellipse")."""

    def __init__(self, views: Iterable[SliceView], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.mode = ""
        self.items: list[Measurement] = []
        self.views: list[SliceView] = []
        self._drawing: Measurement | None = None
        self._grids: dict[int, Geometry | None] = {}
        for view in views:
            self.add_view(view)

    def add_view(self, view: SliceView) -> None:
        self.views.append(view)
        self._grids[id(view)] = None
        view.state.cursor_changed.connect(lambda v=view: self._show_slice(v))
        view.state.volume_changed.connect(lambda v=view: self._on_volume(v))

    def set_mode(self, mode: str) -> None:
        """Turn the drawing tool on ("ruler", "ellipse") or off ("")."""
        if mode not in MODES:
            raise ValueError(f"unknown measuring tool {mode!r}")
        self.mode = mode
        for view in self.views:
            view.measure = self._drag if mode else None

    # --- drawing --------------------------------------------------------------------------------
    def _drag(self, view: SliceView, start: QPointF, here: QPointF, finished: bool) -> None:
        if self._drawing is None or self._drawing.view is not view:
            self._drawing = self._new(view, start, here)
        elif self._drawing.kind == "ruler":
            handle = self._drawing.roi.getHandles()[1]
            self._drawing.roi.movePoint(handle, here, finish=False)
        else:
            rect = QRectF(start, here).normalized()
            self._drawing.roi.setPos(rect.topLeft(), update=False)
            self._drawing.roi.setSize(rect.size())
        if finished:
            done, self._drawing = self._drawing, None
            if done is not None and _extent_mm(done.roi) < MIN_DRAG_MM:
                self.remove(done)

    def _new(self, view: SliceView, start: QPointF, here: QPointF) -> Measurement | None:
        if self.mode == "ruler":
            return self.add_ruler(view, start, here)
        if self.mode == "ellipse":
            return self.add_ellipse(view, QRectF(start, here).normalized())
        return None

    def add_ruler(self, view: SliceView, a: QPointF, b: QPointF) -> Measurement | None:
        """A ruler from ``a`` to ``b`` (view mm) on the view's current slice."""
        roi = pg.LineSegmentROI([a, b], pen=PEN, removable=True)
        return self._add("ruler", view, roi)

    def add_ellipse(self, view: SliceView, rect: QRectF) -> Measurement | None:
        """An ellipse inscribed in ``rect`` (view mm) on the view's current slice."""
        size = (max(rect.width(), 1e-3), max(rect.height(), 1e-3))
        roi = pg.EllipseROI(rect.topLeft(), size, pen=PEN, removable=True)
        return self._add("ellipse", view, roi)

    def _add(self, kind: str, view: SliceView, roi: pg.ROI) -> Measurement | None:
        if view.state.volume is None:
            return None
        self._grids[id(view)] = view.state.volume.geometry
        label = pg.TextItem("", color=(230, 245, 255), fill=LABEL_FILL, anchor=(0, 1))
        roi.setZValue(20)
        label.setZValue(21)
        view.box.addItem(roi)
        view.box.addItem(label, ignoreBounds=True)
        m = Measurement(kind, roi, label, view, view.state.cursor[view.orient.normal])
        roi.sigRegionChanged.connect(lambda _roi, m=m: self._update(m))
        roi.sigRemoveRequested.connect(lambda _roi, m=m: self.remove(m))
        self.items.append(m)
        self._update(m)
        return m

    def remove(self, m: Measurement) -> None:
        if m in self.items:
            self.items.remove(m)
        for item in (m.roi, m.label):
            m.view.box.removeItem(item)

    def clear(self) -> None:
        for m in list(self.items):
            self.remove(m)

    # --- reading --------------------------------------------------------------------------------
    def reading(self, m: Measurement) -> str:
        """The label text: "54.0 mm" for a ruler, mean/SD/area for an ellipse."""
        vol = m.view.state.volume
        if vol is None:
            return ""
        o = m.view.orient
        sp = vol.spacing
        pixel_mm = (sp[o.row_axis], sp[o.col_axis])
        if m.kind == "ruler":
            a, b = (_index(m.view, m.slice_index, p, pixel_mm) for p in _ends(m.roi))
            return f"{distance_mm(vol.geometry, a, b):.1f} mm"
        size = m.roi.size()
        centre = m.roi.mapToParent(QPointF(size.x() / 2, size.y() / 2))
        ellipse = Ellipse(
            (centre.x(), centre.y()),
            (max(size.x() / 2, 1e-3), max(size.y() / 2, 1e-3)),
            m.roi.angle(),
        )
        return ellipse_stats(plane(vol.array, o, m.slice_index), pixel_mm, ellipse).text()

    def _update(self, m: Measurement) -> None:
        m.label.setText(self.reading(m))
        rect = m.roi.mapRectToParent(m.roi.boundingRect())
        m.label.setPos(rect.right(), rect.top())
        self._show_slice(m.view)

    def _show_slice(self, view: SliceView) -> None:
        k = view.state.cursor[view.orient.normal]
        for m in self.items:
            if m.view is view:
                on = m.slice_index == k
                m.roi.setVisible(on)
                m.label.setVisible(on)

    def _on_volume(self, view: SliceView) -> None:
        vol = view.state.volume
        grid = None if vol is None else vol.geometry
        if grid != self._grids[id(view)]:
            for m in [m for m in self.items if m.view is view]:
                self.remove(m)
        else:
            for m in [m for m in self.items if m.view is view]:
                self._update(m)


def _ends(roi: pg.ROI) -> list[QPointF]:
    return [roi.mapToParent(h.pos()) for h in roi.getHandles()[:2]]


def _extent_mm(roi: pg.ROI) -> float:
    if isinstance(roi, pg.LineSegmentROI):
        a, b = _ends(roi)
        return float((b - a).manhattanLength())
    return float(min(roi.size().x(), roi.size().y()))


def _index(
    view: SliceView, k: int, point: QPointF, pixel_mm: tuple[float, float]
) -> tuple[float, float, float]:
    """Continuous (k, j, i) index of a view point on slice ``k`` (voxel centres at +0.5)."""
    idx = [0.0, 0.0, 0.0]
    idx[view.orient.normal] = float(k)
    idx[view.orient.row_axis] = point.y() / pixel_mm[0] - 0.5
    idx[view.orient.col_axis] = point.x() / pixel_mm[1] - 0.5
    return (idx[0], idx[1], idx[2])
