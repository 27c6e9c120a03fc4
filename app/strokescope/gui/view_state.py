"""The one view-state object: volume shown, cursor, window, slab MIP and overlays.

Widgets subscribe to its signals and write to it through its setters; nothing else holds
display state. The cursor is an index (k, j, i) of the shown volume (axis order z, y, x).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PySide6.QtCore import QObject, Signal

from strokescope.colors import FINDING_COLORS
from strokescope.vessels.raster import TreeLabels
from strokescope.volume import Mask, Volume

OVERLAYS = ("arteries", "thrombus", "hemorrhage", "brain")
"""Overlay names, in drawing order (later on top: the thrombus over the arterial tree)."""
OVERLAY_COLORS = FINDING_COLORS  # the PDF's key images use the same colours


@dataclass(frozen=True)
class Window:
    """Display window in HU."""

    width: float
    level: float

    @property
    def levels(self) -> tuple[float, float]:
        return (self.level - self.width / 2.0, self.level + self.width / 2.0)


class ViewState(QObject):
    """Holds and announces what the three slice views show."""

    volume_changed = Signal()
    cursor_changed = Signal()
    window_changed = Signal()
    overlays_changed = Signal()
    slab_changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.volume: Volume | None = None
        self.volume_role = ""
        self.cursor: tuple[int, int, int] = (0, 0, 0)
        self.window = Window(80.0, 40.0)
        self.slab_mm = 10.0
        self.mip = False
        self.visible = dict.fromkeys(OVERLAYS, True)
        self.opacity = 0.5
        self.masks: dict[str, Mask | TreeLabels | None] = dict.fromkeys(OVERLAYS)

    def set_volume(self, volume: Volume | None, role: str = "") -> None:
        """Show ``volume``; the cursor keeps its patient position when the grid changes."""
        old, old_cursor = self.volume, self.cursor
        self.volume, self.volume_role = volume, role
        if volume is None:
            self.cursor = (0, 0, 0)
        elif old is not None and not old.geometry.same_grid(volume.geometry):
            lps = old.geometry.index_to_lps(old_cursor)
            self.cursor = self._clip(volume.geometry.lps_to_index(lps))
        elif old is None:
            self.cursor = tuple(s // 2 for s in volume.shape)  # type: ignore[assignment]
        self.volume_changed.emit()
        self.cursor_changed.emit()

    def _clip(self, index: object) -> tuple[int, int, int]:
        assert self.volume is not None
        idx = np.rint(np.asarray(index, dtype=float)).astype(int)
        hi = np.asarray(self.volume.shape) - 1
        k, j, i = (int(v) for v in np.clip(idx, 0, hi))
        return (k, j, i)

    def set_cursor(self, index: tuple[int, int, int] | tuple[float, float, float]) -> None:
        if self.volume is None:
            return
        new = self._clip(index)
        if new != self.cursor:
            self.cursor = new
            self.cursor_changed.emit()

    def center_on_lps(self, point: tuple[float, float, float]) -> None:
        """Move the cursor to the voxel nearest an LPS point (mm)."""
        if self.volume is not None:
            self.set_cursor(tuple(self.volume.geometry.lps_to_index(point)))

    def step(self, axis: int, delta: int) -> None:
        """Move the cursor ``delta`` slices along array ``axis``."""
        c = list(self.cursor)
        c[axis] += delta
        self.set_cursor((c[0], c[1], c[2]))

    def set_window(self, width: float, level: float) -> None:
        width = float(min(max(width, 1.0), 10000.0))
        new = Window(width, float(level))
        if new != self.window:
            self.window = new
            self.window_changed.emit()

    def set_overlay(self, name: str, visible: bool) -> None:
        if self.visible.get(name) != visible:
            self.visible[name] = visible
            self.overlays_changed.emit()

    def set_mask(self, name: str, mask: Mask | TreeLabels | None) -> None:
        """Show ``mask`` as overlay ``name`` (drawn only on a volume of the same grid; the
        tree's labels one colour per class)."""
        self.masks[name] = mask
        self.overlays_changed.emit()

    def set_opacity(self, opacity: float) -> None:
        self.opacity = float(min(max(opacity, 0.0), 1.0))
        self.overlays_changed.emit()

    def set_slab(self, *, mip: bool | None = None, slab_mm: float | None = None) -> None:
        if mip is not None:
            self.mip = mip
        if slab_mm is not None:
            self.slab_mm = float(min(max(slab_mm, 1.0), 100.0))
        self.slab_changed.emit()
