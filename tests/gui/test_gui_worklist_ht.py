"""The Worklist dock's "Measure HT at the cursor…": the viewer's cursor on the opened
follow-up study becomes an HT request in the node's index."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings
from test_gui_window import wait_idle
from test_gui_worklist import _add_study

from strokescope.gui import worklist_dock
from strokescope.gui.main_window import MainWindow
from strokescope.gui.settings import GuiSettings
from strokescope.node import ht_queue
from strokescope.node.index import INDEX_NAME, Index


@pytest.fixture
def storage(tmp_path: Path, study) -> tuple[Path, str]:  # type: ignore[no-untyped-def]
    """A node storage folder holding the session phantom's follow-up study, complete."""
    storage = tmp_path / "data"
    shutil.copytree(study.root / "followup", storage / "studies" / "fu" / "followup")
    index = Index(storage / INDEX_NAME)
    uid = _add_study(index, storage, "studies/fu")
    row = index.claim_complete(0.0)
    assert row is not None
    index.finish(row.id, state="not analysed", detail="not analysed: no CTA series in the study")
    index.close()
    return storage, uid


def _window(qtbot, tmp_path: Path, storage: Path) -> MainWindow:  # type: ignore[no-untyped-def]
    settings = GuiSettings(QSettings(str(tmp_path / "gui.ini"), QSettings.Format.IniFormat))
    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.show()
    win.worklist.set_folder(storage)
    win.worklist.table.selectRow(0)
    return win


def _requests(storage: Path) -> list[ht_queue.HtRequest]:
    index = Index(storage / INDEX_NAME)
    try:
        return ht_queue.requests(index)
    finally:
        index.close()


def test_measure_ht_sends_the_cursor_on_the_bleed_to_the_node(
    qtbot, tmp_path, study, storage, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    folder, uid = storage
    asked: list[str] = []
    monkeypatch.setattr(worklist_dock, "confirm", lambda parent, text: asked.append(text) or True)
    win = _window(qtbot, tmp_path, folder)
    win.open_folder(folder / "studies" / "fu")
    qtbot.waitUntil(
        lambda: win.state.volume is not None or win.last_error is not None, timeout=30000
    )
    wait_idle(qtbot, win)
    volume = win.state.volume
    assert win.last_error is None and volume is not None and volume.meta.study_uid == uid
    k, j, i = (
        int(round(v)) for v in volume.geometry.lps_to_index(np.asarray(study.bleed_centre_lps))
    )
    win.state.set_cursor((k, j, i))
    win.worklist.measure_button.click()
    wait_idle(qtbot, win)
    assert win.last_error is None and len(asked) == 1 and f"voxel z={k} y={j} x={i}" in asked[0]
    (request,) = _requests(folder)
    assert (request.study_uid, request.state, request.clicks) == (
        uid,
        "pending",
        (f"z={k} y={j} x={i}",),
    )
    assert win.worklist.status.text().startswith(f"HT request 1 (click z={k} y={j} x={i}): pending")
    assert "HT pending" in win.worklist.entries[0].detail


def test_measure_ht_without_the_study_open_asks_to_open_it(
    qtbot, tmp_path, storage, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    folder, _ = storage
    monkeypatch.setattr(worklist_dock, "confirm", lambda parent, text: pytest.fail("asked"))
    win = _window(qtbot, tmp_path, folder)
    win.worklist.measure_button.click()
    assert win.last_error is not None and "Open the study" in win.last_error.text()
    assert _requests(folder) == []
