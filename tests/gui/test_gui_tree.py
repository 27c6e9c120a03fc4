"""The arterial tree in the viewer: the results panel's tree box (score, segments, profile of
the selected segment, the caveat and the disagreements among the warnings) and Analysis ->
Arterial tree, which traces it on the shown result in the worker."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np

from strokescope.gui import tree_action
from strokescope.gui.results_panel import ResultsPanel
from strokescope.gui.thrombus_job import REGISTERED
from strokescope.phantom import PhantomOptions, generate_study
from strokescope.thrombus import ThrombusResult
from strokescope.thrombus.result import Thrombus
from strokescope.vessels.cbs import ClotBurden
from strokescope.vessels.reading import TREE_CAVEAT, ClotOnTree, TreeReading
from strokescope.vessels.result import (
    NOT_OPACIFIED,
    OPACIFIED,
    ArterialTree,
    ArterySegment,
    Profile,
)
from thrombus_results import thrombus_result


def _segment(label: str, clot: bool) -> ArterySegment:
    d = np.arange(0.0, 20.5, 0.5)
    opac = ~((d >= 8.0) & (d <= 14.0)) if clot else np.ones(len(d), bool)
    hu = np.where(opac, 350.0, 60.0).astype(np.float32)
    profile = Profile("ICA terminus", d, hu, hu - 40.0, opac)
    pts = np.stack([d, np.zeros(len(d)), np.zeros(len(d))], axis=1)
    status = NOT_OPACIFIED if clot else OPACIFIED
    return ArterySegment(
        label, "left", pts, np.ones(len(d), np.float32), profile, status, 8.0 if clot else None
    )


def _text(item: Any) -> str:
    assert item is not None
    return str(item.text())


def _with_tree() -> ThrombusResult:
    t = Thrombus(1, 120.0, 18.0, 3.0, 70.0, 5.0, 80.0, 10.0, 1.6, "left", (0, 0, 0), "M1", 0.9)
    tree = ArterialTree(
        (_segment("ICA supraclinoid", False), _segment("M1", True)), (), {}, None,
        ClotBurden(8, "left", ("M1 distal",)), 6.5,
    )  # fmt: skip
    warning = "left M2 superior: the contrast column drops 4 mm from the ICA terminus"
    on = ClotOnTree(1, "M1", "left", 8.0, "ICA terminus", 1.0, True)
    return replace(thrombus_result(t), arteries=TreeReading(tree, (on,), (warning,)))


def test_the_tree_box_shows_score_segments_and_the_segment_with_the_clot(qtbot) -> None:  # type: ignore[no-untyped-def]
    panel = ResultsPanel()
    qtbot.addWidget(panel)
    panel.set_thrombus(_with_tree())
    box = panel.tree
    assert not box.isHidden()
    assert "Clot burden score 8/10" in box.score.text() and TREE_CAVEAT in box.score.text()
    cells = [[_text(box.table.item(r, c)) for c in range(4)] for r in range(box.table.rowCount())]
    assert cells == [
        ["ICA supraclinoid", "left", OPACIFIED, ""],
        ["M1", "left", NOT_OPACIFIED, "8"],
    ]
    assert box.segment is not None and box.segment.label == "M1"  # the one with the clot
    x, y = box.gap.getData()
    assert x is not None and len(x) == 13 and float(np.max(y)) == 60.0  # 8-14 mm unfilled
    box.show_segment(0)
    gap_x = box.gap.getData()[0]
    assert box.segment.label == "ICA supraclinoid" and (gap_x is None or len(gap_x) == 0)
    warnings = panel.all_warnings()
    assert TREE_CAVEAT in warnings and any("column drops" in w for w in warnings)
    panel.set_thrombus(replace(_with_tree(), arteries=None))
    assert box.isHidden() and TREE_CAVEAT not in panel.all_warnings()


class _Host:
    """The main window as the action sees it; jobs run at once."""

    def __init__(self, result: ThrombusResult | None, volumes: dict[str, Any]) -> None:
        self.thrombus = result
        self.volumes = volumes
        self.messages: list[str] = []
        self.shown: list[tuple[ThrombusResult, Any]] = []

    def statusBar(self) -> Any:
        host = self

        class Bar:
            def showMessage(self, text: str, timeout: int = 0) -> None:
                host.messages.append(text)

        return Bar()

    def run_job(self, name: str, fn: Any, *args: Any, on_done: Any, **kwargs: Any) -> None:
        on_done(fn(*args, **kwargs))

    def set_thrombus_views(self, done: tuple[ThrombusResult, Any]) -> None:
        self.thrombus = done[0]
        self.shown.append(done)


def test_the_action_traces_the_tree_on_the_shown_result() -> None:
    study = generate_study(
        PhantomOptions(seed=800_001, occlusion="M1", inplane_mm=1.0, matrix=200, slice_mm=1.0)
    )
    assert study.cta is not None
    host = _Host(None, {"baseline": study.ncct, "cta": study.cta})
    tree_action.run(host)  # type: ignore[arg-type]
    assert host.messages == [tree_action.NOTHING] and not host.shown
    clot = study.masks["thrombus"]
    t = Thrombus(
        1, clot.volume_mm3, 10.0, 3.0, 60.0, 5.0, 70.0, 10.0, 1.4, "left", (0, 0, 0), "M1", 0.9
    )
    result = replace(thrombus_result(t), mask=clot, cta_to_ncct=np.eye(4))
    registered = study.ncct
    host = _Host(result, {"baseline": study.ncct, "cta": study.cta, REGISTERED: registered})
    tree_action.run(host)  # type: ignore[arg-type]
    ((shown, kept),) = host.shown
    assert shown.arteries is not None and shown.thrombi == result.thrombi and kept is registered
    tree_action.done(host, result, shown)  # type: ignore[arg-type]  # another result shown: left alone
    assert len(host.shown) == 1


def test_the_tree_is_an_overlay_one_colour_per_class_the_controls_can_hide(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    from strokescope.colors import SEGMENT_COLORS
    from strokescope.gui.main_window import MainWindow
    from strokescope.vessels.raster import CLASSES, tree_labels
    from strokescope.volume import Geometry, Mask

    grid = Geometry((24, 24, 48), (1.0, 1.0, 1.0))
    result = replace(_with_tree(), mask=Mask(np.zeros(grid.shape, bool), grid, "thrombus"))
    assert result.arteries is not None
    tree = result.arteries.tree
    ica = replace(tree.segments[0], points=tree.segments[0].points + [0.0, 10.0, 0.0])
    arteries = replace(result.arteries, tree=replace(tree, segments=(ica, tree.segments[1])))
    result = replace(result, arteries=arteries)
    drawn = tree_labels(result)
    assert drawn is not None and drawn.geometry.same_grid(grid)
    # M1 along x from the origin, the ICA 10 mm behind it, 0-20 mm, radius 1 mm: two tubes
    m1, ica_code = CLASSES.index("M1") + 1, CLASSES.index("ICA") + 1
    assert (drawn.array[0, 0, :20] == m1).all() and drawn.array[0, 0, 22:].sum() == 0
    assert (drawn.array[0, 10, :20] == ica_code).all() and not drawn.array[0, 5, 10]
    assert drawn.array[0, 1, 10] == m1 and not drawn.array[0, 3, 10]
    assert drawn.palette[m1] == SEGMENT_COLORS["M1"] != drawn.palette[ica_code]
    assert tree_labels(replace(result, arteries=None)) is None
    win = MainWindow()
    qtbot.addWidget(win)
    win.set_thrombus(result)
    shown = win.state.masks["arteries"]
    assert shown is not None and np.array_equal(shown.array, drawn.array)
    swatch = win.results.tree.table.item(1, 0)  # M1's row: the overlay's colour
    assert swatch is not None and _text(swatch) == "M1"
    colour = swatch.data(Qt.ItemDataRole.DecorationRole)
    assert (colour.red(), colour.green(), colour.blue()) == SEGMENT_COLORS["M1"]
    box = win.controls.overlays["arteries"]
    assert box.text() == "Arteries" and box.isChecked()
    box.setChecked(False)
    assert win.state.visible["arteries"] is False
    win.set_thrombus(None)
    assert win.state.masks["arteries"] is None


def test_the_box_shows_the_reformat_of_the_selected_segment_cta_above_ncct(qtbot) -> None:  # type: ignore[no-untyped-def]
    from strokescope.volume import Geometry, Mask, Volume

    grid = Geometry((24, 24, 48), (1.0, 1.0, 1.0))
    cta = np.full(grid.shape, 20.0, np.float32)
    cta[:3, :3, :] = 400.0  # the artery along x at the origin
    clot = np.zeros(grid.shape, bool)
    clot[:2, :2, 8:14] = True
    result = replace(_with_tree(), mask=Mask(clot, grid, "thrombus"), cta_to_ncct=np.eye(4))
    panel = ResultsPanel()
    qtbot.addWidget(panel)
    panel.set_thrombus(result)
    box = panel.tree
    assert box.cpr_view.isHidden()  # no images yet
    box.set_images(Volume(cta, grid), Volume(np.full(grid.shape, 30.0, np.float32), grid))
    assert not box.cpr_view.isHidden()
    rgb = box.cpr_image.image
    assert rgb is not None and rgb.shape[2] == 3
    across = 41  # -10..10 mm every 0.5 mm, per strip
    assert rgb.shape[0] == 2 * across + 2
    box.show_result(replace(result, cta_to_ncct=None))  # not registered: the CTA alone
    box.set_images(Volume(cta, grid), Volume(np.full(grid.shape, 30.0, np.float32), grid))
    assert box.cpr_image.image is not None and box.cpr_image.image.shape[0] == across
    box.set_images(None, None)
    assert box.cpr_view.isHidden()
