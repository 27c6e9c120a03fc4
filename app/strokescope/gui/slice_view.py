"""One slice view (axial, coronal or sagittal) with crosshair, overlays and mouse handling.

Mouse: left click moves the crosshair (in the ROI tool: proposes an ROI), left drag pans (in
the ROI tool: draws an ROI rectangle; with a measuring tool: draws a ruler or an ellipse),
wheel scrolls slices, Ctrl+wheel zooms, right drag sets window/level (horizontal: width,
vertical: level). View coordinates are millimetres, so anisotropic voxels keep their
physical aspect ratio. Zoomed images are interpolated (bilinear) unless smoothing is off;
titles and orientation letters sit on a dark plate so they stay legible over bone.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QGraphicsRectItem, QLabel, QWidget

from strokescope.gui.display import (
    SLICE_NUMBERING,
    Orientation,
    axis_flips,
    overlay_rgba,
    plane,
    slab_slices,
    slice_title,
)
from strokescope.gui.view_state import OVERLAY_COLORS, ViewState
from strokescope.vessels.raster import TreeLabels

_POS_LETTER = "LPS"  # LPS +x, +y, +z
_NEG_LETTER = "RAI"
LABEL_STYLE = "background: rgba(0, 0, 0, 170); border-radius: 3px; padding: 1px 4px;"

MeasureDrag = Callable[["SliceView", QPointF, QPointF, bool], None]
"""``(view, start, here, finished)`` of a left drag in a measuring tool (view mm)."""


class _SliceViewBox(pg.ViewBox):
    """ViewBox with viewer mouse semantics; reports in view (mm) coordinates."""

    def __init__(self, owner: SliceView) -> None:
        super().__init__(lockAspect=True, enableMenu=False)
        self.owner = owner
        self._drag_rect: QGraphicsRectItem | None = None
        self._drag_start: QPointF | None = None

    def wheelEvent(self, ev: object, axis: int | None = None) -> None:
        mods = ev.modifiers()  # type: ignore[attr-defined]
        if mods & Qt.KeyboardModifier.ControlModifier:
            super().wheelEvent(ev, axis)
            return
        delta = ev.delta()  # type: ignore[attr-defined]
        if delta:
            steps = int(delta / 120) or (1 if delta > 0 else -1)
            self.owner.scroll(steps)
        ev.accept()  # type: ignore[attr-defined]

    def mouseClickEvent(self, ev: object) -> None:
        if ev.button() == Qt.MouseButton.LeftButton:  # type: ignore[attr-defined]
            ev.accept()  # type: ignore[attr-defined]
            self.owner.on_click(self.mapSceneToView(ev.scenePos()))  # type: ignore[attr-defined]
        else:
            ev.ignore()  # type: ignore[attr-defined]

    def mouseDragEvent(self, ev: object, axis: int | None = None) -> None:
        button = ev.button()  # type: ignore[attr-defined]
        if button == Qt.MouseButton.RightButton:
            ev.accept()  # type: ignore[attr-defined]
            d = ev.pos() - ev.lastPos()  # type: ignore[attr-defined]
            self.owner.drag_window(d.x(), d.y())
            return
        if button == Qt.MouseButton.LeftButton and self.owner.roi_mode:
            ev.accept()  # type: ignore[attr-defined]
            self._draw_rect(ev)
            return
        if button == Qt.MouseButton.LeftButton and self.owner.measure is not None:
            ev.accept()  # type: ignore[attr-defined]
            start = self.mapSceneToView(ev.buttonDownScenePos())  # type: ignore[attr-defined]
            here = self.mapSceneToView(ev.scenePos())  # type: ignore[attr-defined]
            self.owner.measure(self.owner, start, here, ev.isFinish())  # type: ignore[attr-defined]
            return
        super().mouseDragEvent(ev, axis)

    def _draw_rect(self, ev: object) -> None:
        here = self.mapSceneToView(ev.scenePos())  # type: ignore[attr-defined]
        if ev.isStart():  # type: ignore[attr-defined]
            self._drag_start = self.mapSceneToView(ev.buttonDownScenePos())  # type: ignore[attr-defined]
            self._drag_rect = QGraphicsRectItem()
            pen = QPen(QColor(255, 230, 0))
            pen.setCosmetic(True)
            pen.setStyle(Qt.PenStyle.DashLine)
            self._drag_rect.setPen(pen)
            self.addItem(self._drag_rect)
        if self._drag_start is None or self._drag_rect is None:
            return
        rect = QRectF(self._drag_start, here).normalized()
        self._drag_rect.setRect(rect)
        if ev.isFinish():  # type: ignore[attr-defined]
            self.removeItem(self._drag_rect)
            self._drag_rect = None
            self._drag_start = None
            self.owner.on_rect(rect)


class SliceView(pg.GraphicsView):
    """A plane of the shown volume, subscribed to a :class:`ViewState`.

    Signals
    -------
    clicked(k, j, i)
        Left click in the ROI tool (the view moves the crosshair itself otherwise).
    rect_drawn(j0, j1, i0, i1)
        Left drag in the ROI tool on the axial view: inclusive row/column index ranges.
    hovered(k, j, i)
        The voxel under the mouse (for the status bar).
    """

    clicked = Signal(int, int, int)
    rect_drawn = Signal(int, int, int, int)
    hovered = Signal(int, int, int)

    def __init__(
        self, state: ViewState, orient: Orientation, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent, background="k")
        self.state = state
        self.orient = orient
        self.roi_mode = False
        self.measure: MeasureDrag | None = None
        """Set by the measuring tool while a ruler or an ellipse is being drawn with a drag."""
        self.set_smooth(True)
        self.box = _SliceViewBox(self)
        self.setCentralItem(self.box)
        self.image = pg.ImageItem(axisOrder="row-major")
        self.overlay = pg.ImageItem(axisOrder="row-major")
        self.overlay.setZValue(5)
        self.box.addItem(self.image)
        self.box.addItem(self.overlay)
        pen = pg.mkPen(color=(80, 200, 80, 160), width=1)
        self.vline = pg.InfiniteLine(angle=90, movable=False, pen=pen)
        self.hline = pg.InfiniteLine(angle=0, movable=False, pen=pen)
        for line in (self.vline, self.hline):
            line.setZValue(10)
            self.box.addItem(line, ignoreBounds=True)
        self.title = QLabel(self)
        self.title.setObjectName(f"{orient.name}Title")
        self.title.setToolTip(SLICE_NUMBERING)
        self.title.setStyleSheet(f"color: #e0e0e0; {LABEL_STYLE}")
        self.letters = {side: self._letter_label() for side in ("left", "right", "top", "bottom")}
        self.setMouseTracking(True)
        self.scene().sigMouseMoved.connect(self._on_mouse_moved)
        state.volume_changed.connect(self._on_volume)
        state.cursor_changed.connect(self.refresh)
        state.overlays_changed.connect(self.refresh_overlay)
        state.slab_changed.connect(self.refresh)
        state.window_changed.connect(self._on_window)
        self._plane_index = -1

    def _letter_label(self) -> QLabel:
        label = QLabel(self)
        label.setStyleSheet(f"color: #f0c860; font-weight: bold; {LABEL_STYLE}")
        return label

    def set_smooth(self, on: bool) -> None:
        """Interpolate (bilinear) zoomed pixels, or show them as blocks when ``on`` is False."""
        self.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, on)
        self.viewport().update()

    # --- geometry -------------------------------------------------------------------------
    def _spacing(self) -> tuple[float, float]:
        assert self.state.volume is not None
        sp = self.state.volume.spacing
        return sp[self.orient.row_axis], sp[self.orient.col_axis]

    def index_at(self, point: QPointF) -> tuple[int, int, int] | None:
        """The voxel (k, j, i) under a view-coordinate point on this plane (None outside)."""
        vol = self.state.volume
        if vol is None:
            return None
        sr, sc = self._spacing()
        row, col = int(np.floor(point.y() / sr)), int(np.floor(point.x() / sc))
        shape = vol.shape
        if not (0 <= row < shape[self.orient.row_axis] and 0 <= col < shape[self.orient.col_axis]):
            return None
        idx = list(self.state.cursor)
        idx[self.orient.row_axis], idx[self.orient.col_axis] = row, col
        return (idx[0], idx[1], idx[2])

    def view_point(self, index: tuple[int, int, int]) -> QPointF:
        """View coordinates (mm) of a voxel centre on this plane."""
        sr, sc = self._spacing()
        return QPointF(
            (index[self.orient.col_axis] + 0.5) * sc, (index[self.orient.row_axis] + 0.5) * sr
        )

    def _on_volume(self) -> None:
        vol = self.state.volume
        self._plane_index = -1
        if vol is None:
            self.image.clear()
            self.overlay.clear()
            self.title.setText("")
            for line in (self.vline, self.hline):
                line.setVisible(False)
            return
        for line in (self.vline, self.hline):
            line.setVisible(True)
        flips = axis_flips(vol.geometry)
        o = self.orient
        invert_y = (not flips[1]) if o.row_axis == 1 else flips[0]
        self.box.invertY(invert_y)
        self.box.invertX(flips[o.col_axis])
        d = np.asarray(vol.geometry.direction)
        for side, axis, inverted in (
            ("right", o.col_axis, flips[o.col_axis]),
            ("top", o.row_axis, invert_y),
        ):
            lps = int(np.argmax(np.abs(d[:, axis])))
            pos_end = (d[lps, axis] > 0) != inverted
            plus, minus = _POS_LETTER[lps], _NEG_LETTER[lps]
            opposite = "left" if side == "right" else "bottom"
            self.letters[side].setText(plus if pos_end else minus)
            self.letters[opposite].setText(minus if pos_end else plus)
        self._place_labels()  # a hidden view (side by side) got its size before its letters
        self.refresh()
        self.reset_zoom()

    def reset_zoom(self) -> None:
        vol = self.state.volume
        if vol is None:
            return
        sr, sc = self._spacing()
        h, w = vol.shape[self.orient.row_axis], vol.shape[self.orient.col_axis]
        self.box.setRange(QRectF(0, 0, w * sc, h * sr), padding=0.02)

    # --- drawing ----------------------------------------------------------------------------
    def _slab(self) -> int:
        vol = self.state.volume
        if vol is None or not self.state.mip:
            return 1
        return slab_slices(vol.geometry, self.orient, self.state.slab_mm)

    def refresh(self) -> None:
        """Redraw the plane at the cursor and move the crosshair."""
        vol = self.state.volume
        if vol is None:
            return
        k = self.state.cursor[self.orient.normal]
        slab = self._slab()
        data = plane(vol.array, self.orient, k, slab=slab)
        sr, sc = self._spacing()
        rect = QRectF(0, 0, data.shape[1] * sc, data.shape[0] * sr)
        self.image.setImage(data, autoLevels=False, levels=self.state.window.levels)
        self.image.setRect(rect)
        self._plane_index = k
        p = self.view_point(self.state.cursor)
        self.vline.setPos(p.x())
        self.hline.setPos(p.y())
        n = vol.shape[self.orient.normal]
        thick = f"  MIP {self.state.slab_mm:g} mm" if slab > 1 else ""
        self.title.setText(slice_title(self.orient.name, k, n) + thick)
        self.title.adjustSize()
        self.refresh_overlay()

    def refresh_overlay(self) -> None:
        vol = self.state.volume
        if vol is None:
            return
        k = self.state.cursor[self.orient.normal]
        planes: dict[str, npt.NDArray[np.generic]] = {}
        palettes = {}
        for name, mask in self.state.masks.items():
            if mask is None or not self.state.visible.get(name, False):
                continue
            if not mask.geometry.same_grid(vol.geometry):
                continue
            drawn = plane(mask.array, self.orient, k, slab=self._slab())
            if isinstance(mask, TreeLabels):  # class codes, each in its colour
                palettes[name] = mask.palette
                planes[name] = drawn
            else:
                planes[name] = drawn.astype(bool)
        rgba = overlay_rgba(planes, OVERLAY_COLORS, opacity=self.state.opacity, palettes=palettes)
        if rgba is None:
            self.overlay.clear()
            return
        sr, sc = self._spacing()
        self.overlay.setImage(rgba, autoLevels=False, levels=(0, 255))
        self.overlay.setRect(QRectF(0, 0, rgba.shape[1] * sc, rgba.shape[0] * sr))

    def _on_window(self) -> None:
        self.image.setLevels(self.state.window.levels)

    def resizeEvent(self, ev: object) -> None:
        super().resizeEvent(ev)
        if hasattr(self, "letters"):
            self._place_labels()

    def _place_labels(self) -> None:
        """Size the orientation letters to their text and put them at the view's edges."""
        w, h = self.width(), self.height()
        for side, label in self.letters.items():
            label.adjustSize()
            lw, lh = label.width(), label.height()
            x = {"left": 4, "right": w - lw - 4}.get(side, (w - lw) // 2)
            y = {"top": 22, "bottom": h - lh - 4}.get(side, (h - lh) // 2)
            label.move(x, y)
        self.title.move(18, 2)

    # --- interaction --------------------------------------------------------------------------
    def scroll(self, delta: int) -> None:
        self.state.step(self.orient.normal, delta)

    def drag_window(self, dx: float, dy: float) -> None:
        w = self.state.window
        scale = max(w.width / 250.0, 0.2)
        self.state.set_window(w.width + dx * scale, w.level - dy * scale)

    def on_click(self, point: QPointF) -> None:
        idx = self.index_at(point)
        if idx is None:
            return
        if self.roi_mode:
            self.clicked.emit(*idx)
        else:
            self.state.set_cursor(idx)

    def on_rect(self, rect: QRectF) -> None:
        vol = self.state.volume
        if vol is None:
            return
        sr, sc = self._spacing()
        rows, cols = vol.shape[self.orient.row_axis], vol.shape[self.orient.col_axis]
        j0 = int(np.clip(np.floor(rect.top() / sr), 0, rows - 1))
        j1 = int(np.clip(np.floor(rect.bottom() / sr), 0, rows - 1))
        i0 = int(np.clip(np.floor(rect.left() / sc), 0, cols - 1))
        i1 = int(np.clip(np.floor(rect.right() / sc), 0, cols - 1))
        if j1 > j0 and i1 > i0:
            self.rect_drawn.emit(j0, j1, i0, i1)

    def _on_mouse_moved(self, scene_pos: QPointF) -> None:
        if self.state.volume is None:
            return
        idx = self.index_at(self.box.mapSceneToView(scene_pos))
        if idx is not None:
            self.hovered.emit(*idx)
