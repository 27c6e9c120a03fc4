"""Results the DICOM node computed open from the Worklist without running again: an HT
result on the follow-up study (mask, results panel, its boxes), and a thrombus result with
the NCCT on the CTA grid through the motion the results hold."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from test_gui_window import wait_idle
from test_gui_worklist import _add_study, _double_click, _stored_result, _window

from strokescope import pipeline
from strokescope.errors import InputError
from strokescope.gui.main_window import REGISTERED, MainWindow
from strokescope.gui.worklist_dock import WorklistDock, read_ht_results
from strokescope.hemorrhage import HemorrhageResult
from strokescope.node import ht_queue
from strokescope.node.index import INDEX_NAME, Index
from strokescope.volume import Volume


def _never(name: str):  # type: ignore[no-untyped-def]
    def fail(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"pipeline.{name} ran: the stored result must be read, not computed")

    return fail


def _open(qtbot, win: MainWindow, uid: str) -> WorklistDock:  # type: ignore[no-untyped-def]
    """Double-click the study ``uid`` in the worklist."""
    dock = win.worklist
    row = next(r for r, e in enumerate(dock.entries) if e.study_uid == uid)
    item = dock.table.item(row, 0)
    assert item is not None
    _double_click(dock.table.viewport(), dock.table.visualItemRect(item).center())
    return dock


@pytest.fixture
def ht_node(tmp_path: Path, study) -> tuple[Path, str, HemorrhageResult]:  # type: ignore[no-untyped-def]
    """A node storage folder holding the session phantom's follow-up as a study of its own,
    with an HT request at the bleed that the node measured and exported."""
    storage = tmp_path / "data"
    folder = storage / "studies" / "fu"
    shutil.copytree(study.root / "followup", folder / "followup")
    (series,) = pipeline.scan(folder).series
    followup = pipeline.load(series)
    k, j, i = (
        int(round(v)) for v in followup.geometry.lps_to_index(np.asarray(study.bleed_centre_lps))
    )
    click = f"z={k} y={j} x={i}"
    measured = pipeline.measure_hemorrhage_text(followup, clicks=[click])
    out = storage / "results" / "fu" / "ht-001"
    results = pipeline.export_results(out, source=followup, hemorrhage=measured).folder
    index = Index(storage / INDEX_NAME)
    try:
        uid = _add_study(index, storage, "studies/fu")
        row = index.claim_complete(0.0)
        assert row is not None
        index.finish(row.id, state="not analysed", detail="not analysed: no CTA series")
        ht_queue.add_request(index, study_id=row.id, series_key=series.key, rois=[], clicks=[click])
        request = ht_queue.claim_request(index)
        assert request is not None
        ht_queue.finish_request(
            index, request, state="done", detail=measured.impression(),
            results=results.relative_to(storage).as_posix(),
        )  # fmt: skip
    finally:
        index.close()
    return storage, uid, pipeline.read_hemorrhage_results(results)


def test_double_click_shows_the_node_ht_result_without_measuring(
    qtbot, tmp_path, ht_node, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    storage, uid, stored = ht_node
    for name in ("measure_hemorrhage", "measure_hemorrhage_text"):
        monkeypatch.setattr(pipeline, name, _never(name))
    win = _window(qtbot, tmp_path)
    win.worklist.set_folder(storage)
    (entry,) = win.worklist.entries
    assert entry.ht_results_folder is not None and entry.results_folder is None
    assert win.worklist.table.item(0, 3).text() == "not analysed ✓"
    _open(qtbot, win, uid)
    qtbot.waitUntil(lambda: win.ht.result is not None or win.last_error is not None, timeout=30000)
    wait_idle(qtbot, win)
    assert win.last_error is None
    result = win.ht.result
    followup = win.volumes["followup"]
    assert followup.meta.study_uid == uid and win.prepared is not None
    # The rules call a lone NCCT the baseline; the series the node measured is the follow-up.
    chosen = win.picker.series_for("followup")
    assert chosen is not None and chosen.key == entry.ht_series_key
    assert "baseline" not in win.volumes
    assert result is not None and result is win.results.hemorrhage
    assert result.mask.geometry == followup.geometry  # the follow-up's exact grid: drawn
    assert np.array_equal(result.mask.array, stored.mask.array)
    assert result.impression() == stored.impression()
    assert win.state.masks["hemorrhage"] is result.mask
    assert win.state.volume_role == "followup"
    assert f"Volume {stored.volume_ml:.2f} mL" in win.results.ht_volume.text()
    # The node's box, with its click, is on the follow-up: an edit measures it again.
    assert win.ht.rois == [r.roi for r in stored.rois] and len(win.ht.items) == 1
    assert win.ht.rois[0].seed == stored.rois[0].roi.seed is not None


def test_a_stored_ht_result_on_another_grid_is_a_one_line_error(ht_node) -> None:  # type: ignore[no-untyped-def]
    storage, _, _ = ht_node
    (entry,) = pipeline.node_worklist(storage)
    assert entry.ht_results_folder is not None
    other = Volume.from_array(np.zeros((4, 8, 8)), (1.0, 1.0, 1.0))
    with pytest.raises(InputError, match="another grid than the follow-up NCCT loaded"):
        read_ht_results(entry.ht_results_folder, other)


@pytest.fixture
def moved_node(tmp_path: Path, study) -> tuple[Path, str, np.ndarray]:  # type: ignore[no-untyped-def]
    """A node storage folder with the session phantom's NCCT + CTA and a thrombus result
    whose registration moved the CTA 3 mm to the left and 2 mm up onto the NCCT."""
    storage = tmp_path / "data"
    folder = storage / "studies" / "s1"
    for series in ("ncct", "cta"):
        shutil.copytree(study.root / series, folder / series)
    motion = np.eye(4)
    motion[:3, 3] = (3.0, 0.0, 2.0)
    results = _stored_result(storage, folder, study.thrombus_centroid_lps, motion)
    index = Index(storage / INDEX_NAME)
    try:
        uid = _add_study(index, storage, "studies/s1")
        row = index.claim_complete(0.0)
        assert row is not None
        index.finish(
            row.id,
            state="analysed",
            detail="Left M1",
            results=results.relative_to(storage).as_posix(),
        )
    finally:
        index.close()
    return storage, uid, motion


def test_a_stored_thrombus_result_shows_the_ncct_on_the_cta_grid(
    qtbot, tmp_path, moved_node, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    storage, uid, motion = moved_node
    monkeypatch.setattr(pipeline, "analyze_thrombus", _never("analyze_thrombus"))
    calls: list[np.ndarray | None] = []
    registered_ncct = pipeline.registered_ncct

    def spy(ncct, result):  # type: ignore[no-untyped-def]
        calls.append(result.cta_to_ncct)
        return registered_ncct(ncct, result)

    monkeypatch.setattr(pipeline, "registered_ncct", spy)
    win = _window(qtbot, tmp_path)
    win.worklist.set_folder(storage)
    _open(qtbot, win, uid)
    qtbot.waitUntil(lambda: REGISTERED in win.volumes or win.last_error is not None, timeout=30000)
    wait_idle(qtbot, win)
    assert win.last_error is None
    result, cta, ncct = win.thrombus, win.volumes["cta"], win.volumes["baseline"]
    assert result is not None and result.cta_to_ncct is not None
    assert np.array_equal(result.cta_to_ncct, motion)
    assert len(calls) == 1 and np.array_equal(calls[0], motion)
    shown = win.volumes[REGISTERED]
    assert shown.geometry == cta.geometry  # the NCCT resampled onto the CTA's grid
    assert np.array_equal(shown.array, registered_ncct(ncct, result).array)
    combo = win.controls.series
    assert REGISTERED in [combo.itemData(n) for n in range(combo.count())]  # "Show" lists it
