"""The display toolbar: shown series, window preset, slab MIP and overlay toggles.

Every control writes to the :class:`ViewState` and follows it back, so keyboard shortcuts
and mouse window/level keep the controls in step.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QSlider,
    QWidget,
)

from strokescope.gui.presets import WindowPreset
from strokescope.gui.view_state import OVERLAYS, ViewState

OVERLAY_LABELS = {
    "thrombus": "Thrombus",
    "hemorrhage": "Hemorrhage",
    "brain": "Brain outline",
    "arteries": "Arteries",
}


class ViewControls(QWidget):
    """Series, preset, MIP and overlay controls bound to a :class:`ViewState`.

    ``role_selected(role)`` asks the window to show another loaded series.
    """

    role_selected = Signal(str)

    def __init__(self, state: ViewState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.presets: tuple[WindowPreset, ...] = ()
        self.series = QComboBox(self)
        self.series.setObjectName("shownSeries")
        self.series.setMinimumWidth(150)
        self.series.currentIndexChanged.connect(self._on_series)
        self.preset = QComboBox(self)
        self.preset.setObjectName("presetCombo")
        self.preset.activated.connect(self._on_preset)
        self.window_label = QLabel(self)
        self.mip = QCheckBox("MIP", self)
        self.mip.setToolTip("thick-slab maximum intensity projection (M)")
        self.mip.toggled.connect(lambda on: state.set_slab(mip=on))
        self.slab = QDoubleSpinBox(self)
        self.slab.setRange(1.0, 100.0)
        self.slab.setSuffix(" mm")
        self.slab.setValue(state.slab_mm)
        self.slab.setToolTip("slab thickness of the MIP")
        self.slab.valueChanged.connect(lambda v: state.set_slab(slab_mm=v))
        self.overlays: dict[str, QCheckBox] = {}
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 0, 4, 0)
        for widget in (QLabel("Show"), self.series, QLabel("Window"), self.preset):
            layout.addWidget(widget)
        layout.addWidget(self.window_label)
        layout.addWidget(self.mip)
        layout.addWidget(self.slab)
        for name in OVERLAYS:
            box = QCheckBox(OVERLAY_LABELS[name], self)
            box.setChecked(state.visible[name])
            box.toggled.connect(lambda on, n=name: state.set_overlay(n, on))
            self.overlays[name] = box
            layout.addWidget(box)
        self.opacity = QSlider(Qt.Orientation.Horizontal, self)
        self.opacity.setRange(0, 100)
        self.opacity.setValue(int(state.opacity * 100))
        self.opacity.setMaximumWidth(90)
        self.opacity.setToolTip("overlay opacity")
        self.opacity.valueChanged.connect(lambda v: state.set_opacity(v / 100.0))
        layout.addWidget(QLabel("Opacity"))
        layout.addWidget(self.opacity)
        layout.addStretch(1)
        state.window_changed.connect(self._sync_window)
        state.overlays_changed.connect(self._sync_overlays)
        state.slab_changed.connect(self._sync_slab)
        self._sync_window()

    def set_presets(self, presets: tuple[WindowPreset, ...]) -> None:
        self.presets = presets
        self.preset.clear()
        for n, p in enumerate(presets, start=1):
            self.preset.addItem(f"{n}  {p.label}" if n <= 9 else p.label)
        self._sync_window()

    def apply_preset(self, index: int) -> None:
        if 0 <= index < len(self.presets):
            p = self.presets[index]
            self.state.set_window(p.width, p.level)

    def preset_index(self, name: str) -> int:
        return next((n for n, p in enumerate(self.presets) if p.name == name), -1)

    def set_roles(self, roles: list[tuple[str, str]], current: str) -> None:
        """Fill the 'Show' combo with (role, label) pairs without emitting."""
        self.series.blockSignals(True)
        self.series.clear()
        for role, label in roles:
            self.series.addItem(label, role)
        self.series.setCurrentIndex(max(self.series.findData(current), 0))
        self.series.blockSignals(False)

    def select_role(self, role: str) -> None:
        """Show ``role`` as current in the 'Show' combo without emitting."""
        self.series.blockSignals(True)
        self.series.setCurrentIndex(max(self.series.findData(role), 0))
        self.series.blockSignals(False)

    def _on_series(self, _index: int) -> None:
        role = self.series.currentData()
        if role:
            self.role_selected.emit(str(role))

    def _on_preset(self, index: int) -> None:
        self.apply_preset(index)

    def _sync_window(self) -> None:
        w = self.state.window
        self.window_label.setText(f"W {w.width:.0f} / L {w.level:.0f}")
        match = next(
            (n for n, p in enumerate(self.presets) if (p.width, p.level) == (w.width, w.level)),
            -1,
        )
        self.preset.blockSignals(True)
        self.preset.setCurrentIndex(match)
        self.preset.blockSignals(False)

    def _sync_overlays(self) -> None:
        for name, box in self.overlays.items():
            box.blockSignals(True)
            box.setChecked(self.state.visible[name])
            box.blockSignals(False)

    def _sync_slab(self) -> None:
        self.mip.blockSignals(True)
        self.mip.setChecked(self.state.mip)
        self.mip.blockSignals(False)
        self.slab.blockSignals(True)
        self.slab.setValue(self.state.slab_mm)
        self.slab.blockSignals(False)
