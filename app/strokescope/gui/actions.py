"""Menus, toolbars and keyboard shortcuts of the main window.

Shortcuts: Ctrl+O open · Ctrl+E export results · Up/Down and PageUp/PageDown slices of the
view under the mouse · 1-9 window presets · M slab MIP · T/H/B thrombus, hemorrhage, brain
overlays · R ROI tool · Ctrl+Z undo ROI · Delete delete ROI · F fit views · Ctrl+T thrombus
analysis · D ruler · E ellipse ROI · C clear measurements · S side by side · I smooth zoom ·
F1 mouse and keys (:func:`shortcut_lines` lists them from the actions themselves).

The actions, menus and toolbars hang on a ``QMainWindow`` frame; what they call is reached
only through :class:`ActionHost`, which names what they use of the main window.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol

from PySide6.QtCore import Qt, SignalInstance
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QSpinBox, QToolBar

from strokescope import pipeline
from strokescope.gui import export_action, outcome_model, tree_action
from strokescope.gui.controls import ViewControls
from strokescope.hemorrhage import HemorrhageResult

LEFT = Qt.DockWidgetArea.LeftDockWidgetArea
RIGHT = Qt.DockWidgetArea.RightDockWidgetArea
NO_THROMBUS_MODEL = "thrombus model not installed"
Shortcut = str | QKeySequence.StandardKey | None


class _RoiTool(Protocol):
    depth: int

    @property
    def result(self) -> HemorrhageResult | None: ...
    @property
    def ready(self) -> bool: ...
    @property
    def result_changed(self) -> SignalInstance: ...

    def undo(self) -> bool: ...
    def delete(self, index: int | None = None) -> None: ...
    def clear(self) -> None: ...


class _Overlays(Protocol):
    @property
    def mip(self) -> bool: ...
    @property
    def visible(self) -> Mapping[str, bool]: ...

    def set_slab(self, *, mip: bool | None = None, slab_mm: float | None = None) -> None: ...
    def set_overlay(self, name: str, visible: bool) -> None: ...


class _Scroll(Protocol):
    def scroll(self, delta: int) -> None: ...


class _Clear(Protocol):
    def clear(self) -> None: ...


class _Worklist(Protocol):
    def choose_folder(self) -> None: ...
    def toggleViewAction(self) -> QAction: ...


class _Smooth(Protocol):
    def set_smooth(self, on: bool) -> None: ...


class ActionHost(outcome_model.OutcomeHost, tree_action.TreeHost, Protocol):
    """What the actions use of the main window (besides what the export and outcome-model
    actions use)."""

    @property
    def ht(self) -> _RoiTool: ...
    @property
    def state(self) -> _Overlays: ...
    @property
    def active_view(self) -> _Scroll: ...
    @property
    def measure(self) -> _Clear: ...
    @property
    def area(self) -> _Smooth: ...
    @property
    def controls(self) -> ViewControls: ...
    @property
    def worklist(self) -> _Worklist: ...

    def choose_folder(self) -> None: ...
    def run_thrombus(self) -> None: ...
    def edit_presets(self) -> None: ...
    def fit_views(self) -> None: ...
    def about(self) -> None: ...
    def help(self) -> None: ...
    def set_measure_mode(self, mode: str) -> None: ...
    def set_side_by_side(self, on: bool) -> None: ...
    def set_roi_tool(self, on: bool) -> None: ...
    def update_actions(self) -> None: ...


def _action(
    win: QMainWindow,
    text: str,
    shortcut: Shortcut,
    slot: Callable[[], object],
) -> QAction:
    act = QAction(text, win)
    if shortcut is not None:
        act.setShortcut(QKeySequence(shortcut))
        act.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
    act.triggered.connect(lambda _checked=False: slot())
    win.addAction(act)
    return act


def _slice_step(win: ActionHost, delta: int) -> Callable[[], None]:
    return lambda: win.active_view.scroll(delta)


def _toggler(win: ActionHost, name: str) -> Callable[[], None]:
    return lambda: win.state.set_overlay(name, not win.state.visible[name])


def _preset(win: ActionHost, index: int) -> Callable[[], None]:
    return lambda: win.controls.apply_preset(index)


def build(frame: QMainWindow, win: ActionHost) -> dict[str, QAction]:
    """Create every action, the menus and the toolbars on ``frame``; return the actions by
    name. ``win`` is what they act on (the main window is both)."""
    acts = _actions(frame, win)
    _toggle(acts["ruler"], lambda on: win.set_measure_mode("ruler" if on else ""))
    _toggle(acts["ellipse"], lambda on: win.set_measure_mode("ellipse" if on else ""))
    _toggle(acts["side_by_side"], win.set_side_by_side)
    _toggle(acts["smooth"], win.area.set_smooth)
    acts["smooth"].setChecked(True)
    _toggle(acts["roi"], win.set_roi_tool)
    win.ht.result_changed.connect(lambda _result: win.update_actions())
    for key, name in (("T", "thrombus"), ("H", "hemorrhage"), ("B", "brain")):
        acts[f"toggle_{name}"] = _action(frame, f"Toggle {name} overlay", key, _toggler(win, name))
    for n in range(9):
        acts[f"preset{n + 1}"] = _action(
            frame, f"Window preset {n + 1}", str(n + 1), _preset(win, n)
        )
    acts["worklist"] = win.worklist.toggleViewAction()
    _menus(frame, acts)
    _toolbars(frame, win, acts)
    return acts


def _actions(frame: QMainWindow, win: ActionHost) -> dict[str, QAction]:
    """The named actions (checkable ones still plain: :func:`build` makes them toggle)."""

    def act(
        text: str, shortcut: str | QKeySequence.StandardKey | None, slot: Callable[[], object]
    ) -> QAction:
        return _action(frame, text, shortcut, slot)

    keys = QKeySequence.StandardKey
    return {
        "open": act("&Open folder…", keys.Open, win.choose_folder),
        "worklist_folder": act("&Worklist folder…", None, lambda: win.worklist.choose_folder()),
        "export": act("&Export results…", "Ctrl+E", lambda: export_action.export(win)),
        "export_anon": act(
            "Export results (&anonymized)…",
            None,
            lambda: export_action.export(win, anonymize=True),
        ),
        "quit": act("&Quit", keys.Quit, frame.close),
        "thrombus": act("&Thrombus analysis", "Ctrl+T", win.run_thrombus),
        "arteries": act("Arterial t&ree (research)", None, lambda: tree_action.run(win)),
        "outcome_model": act("&Outcome model…", None, lambda: outcome_model.choose(win)),
        "no_outcome_model": act("&No outcome model", None, lambda: outcome_model.turn_off(win)),
        "roi": act("HT &ROI tool", "R", lambda: None),
        "undo": act("&Undo ROI", keys.Undo, win.ht.undo),
        "delete": act("&Delete ROI", keys.Delete, win.ht.delete),
        "clear": act("Clear all ROIs", None, win.ht.clear),
        "presets": act("Edit window &presets…", None, win.edit_presets),
        "fit": act("&Fit views", "F", win.fit_views),
        "mip": act("Slab &MIP", "M", lambda: win.state.set_slab(mip=not win.state.mip)),
        "about": act("&About StrokeScope", None, win.about),
        "up": act("Next slice", "Up", _slice_step(win, 1)),
        "down": act("Previous slice", "Down", _slice_step(win, -1)),
        "pgup": act("Next 5 slices", "PgUp", _slice_step(win, 5)),
        "pgdown": act("Previous 5 slices", "PgDown", _slice_step(win, -5)),
        "ruler": act("Distance &ruler", "D", lambda: None),
        "ellipse": act("HU &ellipse ROI", "E", lambda: None),
        "clear_measure": act("&Clear measurements", "C", win.measure.clear),
        "side_by_side": act("&Side by side", "S", lambda: None),
        "smooth": act("Smooth (&interpolated) zoom", "I", lambda: None),
        "help": act("&Mouse and keys", keys.HelpContents, win.help),
    }


def _menus(frame: QMainWindow, acts: Mapping[str, QAction]) -> None:
    menu = frame.menuBar()
    file_menu = menu.addMenu("&File")
    file_menu.addActions([acts["open"], acts["worklist_folder"]])
    file_menu.addActions([acts["export"], acts["export_anon"]])
    file_menu.addSeparator()
    file_menu.addAction(acts["quit"])
    view_menu = menu.addMenu("&View")
    view_menu.addActions([acts[n] for n in ("fit", "mip", "presets", "side_by_side", "smooth")])
    view_menu.addAction(acts["worklist"])
    view_menu.addSeparator()
    view_menu.addActions([acts[f"toggle_{n}"] for n in ("thrombus", "hemorrhage", "brain")])
    analysis = menu.addMenu("&Analysis")
    analysis.addActions(
        [acts["thrombus"], acts["roi"], acts["undo"], acts["delete"], acts["clear"]]
    )
    analysis.addSeparator()
    analysis.addAction(acts["arteries"])
    analysis.addActions([acts["outcome_model"], acts["no_outcome_model"]])
    measure = menu.addMenu("&Measure")
    measure.addActions([acts["ruler"], acts["ellipse"], acts["clear_measure"]])
    menu.addMenu("&Help").addActions([acts["help"], acts["about"]])


def _toolbars(frame: QMainWindow, win: ActionHost, acts: Mapping[str, QAction]) -> None:
    main = QToolBar("Main", frame)
    main.setObjectName("mainToolbar")
    main.addActions([acts[n] for n in ("open", "thrombus", "roi", "undo", "delete")])
    main.addActions([acts[n] for n in ("ruler", "ellipse", "side_by_side")])
    depth = QSpinBox(frame)
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
    frame.addToolBar(main)
    view_bar = QToolBar("View", frame)
    view_bar.setObjectName("viewToolbar")
    view_bar.addWidget(win.controls)
    frame.addToolBarBreak()
    frame.addToolBar(view_bar)


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


def update(win: ActionHost) -> None:
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
    outcome_model.update(win)
