"""Menus, toolbars and keyboard shortcuts of the main window.

Shortcuts: Ctrl+O open · Ctrl+E export results · Up/Down and PageUp/PageDown slices of the
view under the mouse · 1-9 window presets · M slab MIP · T/H/B thrombus, hemorrhage, brain
overlays · R ROI tool · Ctrl+Z undo ROI · Delete delete ROI · F fit views · Ctrl+T thrombus
analysis · D ruler · E ellipse ROI · C clear measurements · S side by side · I smooth zoom ·
F1 mouse and keys (:func:`shortcut_lines` lists them from the actions themselves).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QSpinBox, QToolBar

from strokescope import pipeline
from strokescope.gui import export_action

if TYPE_CHECKING:
    from strokescope.gui.main_window import MainWindow

LEFT = Qt.DockWidgetArea.LeftDockWidgetArea
RIGHT = Qt.DockWidgetArea.RightDockWidgetArea
NO_THROMBUS_MODEL = "thrombus model not installed"


def _action(
    win: MainWindow,
    text: str,
    shortcut: str | QKeySequence.StandardKey | None,
    slot: Callable[[], object],
) -> QAction:
    act = QAction(text, win)
    if shortcut is not None:
        act.setShortcut(QKeySequence(shortcut))
        act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    act.triggered.connect(lambda _checked=False: slot())
    win.addAction(act)
    return act


def _slice_step(win: MainWindow, delta: int) -> Callable[[], None]:
    return lambda: win.active_view.scroll(delta)


def _toggler(win: MainWindow, name: str) -> Callable[[], None]:
    return lambda: win.state.set_overlay(name, not win.state.visible[name])


def _preset(win: MainWindow, index: int) -> Callable[[], None]:
    return lambda: win.controls.apply_preset(index)


def build(win: MainWindow) -> dict[str, QAction]:
    """Create every action, the menus and the toolbars; return the actions by name."""
    acts: dict[str, QAction] = {
        "open": _action(win, "&Open folder…", QKeySequence.StandardKey.Open, win.choose_folder),
        "export": _action(win, "&Export results…", "Ctrl+E", lambda: export_action.export(win)),
        "export_anon": _action(
            win,
            "Export results (&anonymized)…",
            None,
            lambda: export_action.export(win, anonymize=True),
        ),
        "quit": _action(win, "&Quit", QKeySequence.StandardKey.Quit, win.close),
        "thrombus": _action(win, "&Thrombus analysis", "Ctrl+T", win.run_thrombus),
        "roi": _action(win, "HT &ROI tool", "R", lambda: None),
        "undo": _action(win, "&Undo ROI", QKeySequence.StandardKey.Undo, win.ht.undo),
        "delete": _action(win, "&Delete ROI", QKeySequence.StandardKey.Delete, win.ht.delete),
        "clear": _action(win, "Clear all ROIs", None, win.ht.clear),
        "presets": _action(win, "Edit window &presets…", None, win.edit_presets),
        "fit": _action(win, "&Fit views", "F", win.fit_views),
        "mip": _action(win, "Slab &MIP", "M", lambda: win.state.set_slab(mip=not win.state.mip)),
        "about": _action(win, "&About StrokeScope", None, win.about),
        "up": _action(win, "Next slice", "Up", _slice_step(win, 1)),
        "down": _action(win, "Previous slice", "Down", _slice_step(win, -1)),
        "pgup": _action(win, "Next 5 slices", "PgUp", _slice_step(win, 5)),
        "pgdown": _action(win, "Previous 5 slices", "PgDown", _slice_step(win, -5)),
        "ruler": _action(win, "Distance &ruler", "D", lambda: None),
        "ellipse": _action(win, "HU &ellipse ROI", "E", lambda: None),
        "clear_measure": _action(win, "&Clear measurements", "C", win.measure.clear),
        "side_by_side": _action(win, "&Side by side", "S", lambda: None),
        "smooth": _action(win, "Smooth (&interpolated) zoom", "I", lambda: None),
        "help": _action(win, "&Mouse and keys", QKeySequence.StandardKey.HelpContents, win.help),
    }
    _toggle(acts["ruler"], lambda on: win.set_measure_mode("ruler" if on else ""))
    _toggle(acts["ellipse"], lambda on: win.set_measure_mode("ellipse" if on else ""))
    _toggle(acts["side_by_side"], win.set_side_by_side)
    _toggle(acts["smooth"], win.area.set_smooth)
    acts["smooth"].setChecked(True)
    _toggle(acts["roi"], win.set_roi_tool)
    win.ht.result_changed.connect(lambda _result: win.update_actions())
    for key, name in (("T", "thrombus"), ("H", "hemorrhage"), ("B", "brain")):
        acts[f"toggle_{name}"] = _action(
            win,
            f"Toggle {name} overlay",
            key,
            _toggler(win, name),
        )
    for n in range(9):
        acts[f"preset{n + 1}"] = _action(win, f"Window preset {n + 1}", str(n + 1), _preset(win, n))

    menu = win.menuBar()
    file_menu = menu.addMenu("&File")
    file_menu.addActions([acts["open"], acts["export"], acts["export_anon"]])
    file_menu.addSeparator()
    file_menu.addAction(acts["quit"])
    view_menu = menu.addMenu("&View")
    view_menu.addActions([acts[n] for n in ("fit", "mip", "presets", "side_by_side", "smooth")])
    view_menu.addSeparator()
    view_menu.addActions([acts[f"toggle_{n}"] for n in ("thrombus", "hemorrhage", "brain")])
    analysis = menu.addMenu("&Analysis")
    analysis.addActions(
        [acts["thrombus"], acts["roi"], acts["undo"], acts["delete"], acts["clear"]]
    )
    measure = menu.addMenu("&Measure")
    measure.addActions([acts["ruler"], acts["ellipse"], acts["clear_measure"]])
    menu.addMenu("&Help").addActions([acts["help"], acts["about"]])

    main = QToolBar("Main", win)
    main.setObjectName("mainToolbar")
    main.addActions([acts[n] for n in ("open", "thrombus", "roi", "undo", "delete")])
    main.addActions([acts[n] for n in ("ruler", "ellipse", "side_by_side")])
    depth = QSpinBox(win)
    depth.setObjectName("roiDepth")
    depth.setRange(-1, 50)
    depth.setValue(win.ht.depth)
    depth.setSpecialValueText("all slices")
    depth.setPrefix("± ")
    depth.setSuffix(" slices")
    depth.setToolTip("slices either side of the current one for a drawn ROI")
    depth.valueChanged.connect(lambda v: setattr(win.ht, "depth", v))
    main.addWidget(QLabel(" ROI depth "))
    main.addWidget(depth)
    win.addToolBar(main)
    view_bar = QToolBar("View", win)
    view_bar.setObjectName("viewToolbar")
    view_bar.addWidget(win.controls)
    win.addToolBarBreak()
    win.addToolBar(view_bar)
    return acts


def _toggle(act: QAction, slot: Callable[[bool], object]) -> None:
    """Make ``act`` checkable, calling ``slot(checked)`` when it is toggled."""
    act.setCheckable(True)
    act.triggered.disconnect()
    act.toggled.connect(slot)


MOUSE_LINES = (
    ("Left click", "move the crosshair (all views follow)"),
    ("Left drag", "pan; with the ruler, ellipse or HT ROI tool on: draw"),
    ("Middle drag", "pan, with any tool"),
    ("Wheel", "next / previous slice"),
    ("Ctrl + wheel", "zoom (smooth, interpolated: I turns it off)"),
    ("Right drag", "window (left-right: width, up-down: level)"),
    ("Right click on a ruler or ellipse", "remove it"),
)


def shortcut_lines(acts: Mapping[str, QAction]) -> list[tuple[str, str]]:
    """(keys, what) for the mouse and for every action with a shortcut, for the help."""
    keys = [
        (a.shortcut().toString(QKeySequence.SequenceFormat.NativeText), a.text().replace("&", ""))
        for a in acts.values()
        if not a.shortcut().isEmpty()
    ]
    return [*MOUSE_LINES, *keys]


def update(win: MainWindow) -> None:
    """Enable actions for the current study and job state."""
    acts, idle = win.acts, not win.busy
    has_model = pipeline.thrombus_models_installed()
    thrombus = acts["thrombus"]
    thrombus.setEnabled(has_model and idle and "baseline" in win.volumes)
    if not has_model:
        thrombus.setToolTip(NO_THROMBUS_MODEL)
    elif "baseline" not in win.volumes:
        thrombus.setToolTip("assign and load a baseline NCCT (and CTA) first")
    else:
        thrombus.setToolTip("segment and measure thrombi on baseline NCCT + CTA (Ctrl+T)")
    acts["roi"].setEnabled(win.ht.ready)
    acts["roi"].setToolTip(
        "click a bleed to propose an ROI, or drag a rectangle (R)"
        if win.ht.ready
        else "load a follow-up NCCT first (it is prepared in the background)"
    )
    for name in ("undo", "delete", "clear"):
        acts[name].setEnabled(win.ht.ready)
    acts["open"].setEnabled(idle)
    export_action.update(win)
