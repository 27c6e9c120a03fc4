"""The Worklist dock over a node index built with the node's own API: states, refresh,
and a double click that opens the study with the node's stored thrombus result."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pydicom
import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget
from test_gui_window import wait_idle

from strokescope import pipeline
from strokescope.gui.main_window import MainWindow
from strokescope.gui.settings import GuiSettings
from strokescope.gui.worklist_dock import NO_FOLDER, WorklistDock
from strokescope.node.index import INDEX_NAME, Index
from strokescope.thrombus import Thrombus, ThrombusResult
from strokescope.volume import Mask


def _add_study(index: Index, storage: Path, folder: str) -> str:
    """Index every DICOM file under ``storage/folder`` as the receiver would."""
    uid = ""
    for path in sorted((storage / folder).rglob("*.dcm")):
        ds = pydicom.dcmread(path, stop_before_pixels=True)
        uid = str(ds.StudyInstanceUID)
        index.add_instance(
            study_uid=uid, folder=folder, series_uid=str(ds.SeriesInstanceUID),
            sop_uid=str(ds.SOPInstanceUID), path=path.relative_to(storage).as_posix(),
        )  # fmt: skip
    return uid


def _stored_result(
    storage: Path,
    study_folder: Path,
    centre_lps: tuple[float, ...],
    motion: np.ndarray | None = None,
) -> Path:
    """A thrombus result on the study's CTA grid, exported as the node exports it, with
    ``motion`` as its CTA-to-NCCT registration (4x4 LPS)."""
    cta = pipeline.load(study_folder / "cta")
    array = np.zeros(cta.geometry.shape, dtype=bool)
    k, j, i = (int(round(v)) for v in cta.geometry.lps_to_index(np.asarray(centre_lps)))
    array[k - 1 : k + 2, j - 1 : j + 2, i - 1 : i + 2] = True
    clot = Thrombus(1, 27.0, 9.5, 3.0, 55.0, 4.0, 80.0, 25.0, 1.4, "left", centre_lps, "M1", 0.9)  # type: ignore[arg-type]
    result = ThrombusResult(
        thrombi=(clot,),
        occlusion=True,
        lvo=True,
        occlusion_class="LVO",
        mask=Mask(array, cta.geometry, "thrombus"),
        cta_to_ncct=motion,
        registration_metric=-0.5,
        model_version="stored-1",
        model_sha256={"fine": "ab" * 32},
        decision_rule="LVO if clot in ICA/M1",
        warnings=("computed by the node",),
    )
    out = storage / "results" / study_folder.name / "thrombus"
    return pipeline.export_results(out, source=cta, thrombus=result).folder


@pytest.fixture
def node(tmp_path: Path, study) -> tuple[Path, str, ThrombusResult]:  # type: ignore[no-untyped-def]
    """A node storage folder with an analysed study (NCCT + CTA of the session phantom,
    results exported), a failed one and one still receiving."""
    storage = tmp_path / "data"
    folder = storage / "studies" / "s1"
    for series in ("ncct", "cta"):
        shutil.copytree(study.root / series, folder / series)
    index = Index(storage / INDEX_NAME)
    try:
        uid = _add_study(index, storage, "studies/s1")
        results = _stored_result(storage, folder, study.thrombus_centroid_lps)
        for other in ("1.2.3.4.5", "1.2.3.4.6"):
            index.add_instance(
                study_uid=other, folder=f"studies/{other}", series_uid="1", sop_uid=f"{other}.1",
                path="x.dcm",
            )  # fmt: skip
        for _ in range(3):
            row = index.claim_complete(0.0)
            assert row is not None
            if row.study_uid == uid:
                relative = results.relative_to(storage).as_posix()
                index.finish(row.id, state="analysed", detail="Left M1", results=relative)
            elif row.study_uid == "1.2.3.4.5":
                index.finish(row.id, state="failed", detail="analysis failed: no memory")
            else:
                index.requeue(row.id, "disk full")  # receiving again, within the quiet time
    finally:
        index.close()
    stored = pipeline.read_thrombus_results(results)
    return storage, uid, stored


def _window(qtbot, tmp_path: Path) -> MainWindow:  # type: ignore[no-untyped-def]
    settings = GuiSettings(QSettings(str(tmp_path / "gui.ini"), QSettings.Format.IniFormat))
    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.resize(1300, 820)
    win.show()
    return win


def _double_click(widget: QWidget, pos: QPoint) -> None:
    """A real double click: press and release, then the double-click event and release."""
    left, none = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    QTest.mouseClick(widget, left, none, pos)
    QTest.mouseDClick(widget, left, none, pos)


def _texts(dock: WorklistDock, col: int) -> list[str]:
    items = [dock.table.item(r, col) for r in range(dock.table.rowCount())]
    return [item.text() if item is not None else "" for item in items]


def test_dock_lists_the_node_studies_with_their_states(qtbot, tmp_path, node) -> None:  # type: ignore[no-untyped-def]
    storage, uid, _ = node
    win = _window(qtbot, tmp_path)
    dock = win.worklist
    assert dock.status.text() == NO_FOLDER and dock.table.rowCount() == 0
    dock.set_folder(storage)
    assert dock.isVisible()
    assert win.settings.worklist_folder() == str(storage)
    states = dict(zip(_texts(dock, 0), _texts(dock, 3), strict=True))
    short = next(e.short_uid for e in dock.entries if e.study_uid == uid)
    assert states == {short: "analysed ✓", "1.2.3.4.5": "failed", "1.2.3.4.6": "receiving"}
    details = dict(zip(_texts(dock, 0), _texts(dock, 4), strict=True))
    assert details["1.2.3.4.5"] == "analysis failed: no memory"
    assert str(dock.table.item(_texts(dock, 0).index(short), 2).text()) == "160"
    # A new study at the node shows at the next refresh, without a click.
    dock.timer.setInterval(50)
    index = Index(storage / INDEX_NAME)
    index.add_instance(
        study_uid="1.2.3.4.7", folder="studies/x", series_uid="1", sop_uid="7", path="p"
    )
    index.close()
    qtbot.waitUntil(lambda: "1.2.3.4.7" in _texts(dock, 0), timeout=5000)
    # The folder is remembered: a new window reads it at once.
    win2 = MainWindow(win.settings)
    qtbot.addWidget(win2)
    assert len(win2.worklist.entries) == 4


def test_double_click_opens_the_study_with_the_stored_result(
    qtbot, tmp_path, node, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    storage, uid, stored = node

    def no_analysis(*args: object, **kwargs: object) -> None:
        raise AssertionError("the stored result must not be computed again")

    monkeypatch.setattr(pipeline, "analyze_thrombus", no_analysis)
    win = _window(qtbot, tmp_path)
    dock = win.worklist
    dock.set_folder(storage)
    row = next(r for r, e in enumerate(dock.entries) if e.study_uid == uid)
    item = dock.table.item(row, 0)
    assert item is not None
    _double_click(dock.table.viewport(), dock.table.visualItemRect(item).center())
    qtbot.waitUntil(lambda: win.thrombus is not None or win.last_error is not None, timeout=30000)
    wait_idle(qtbot, win)
    assert win.last_error is None
    result = win.thrombus
    assert result is not None
    cta = win.volumes["cta"]
    assert cta.meta.study_uid == uid and "baseline" in win.volumes
    assert result.mask.geometry == cta.geometry  # on the CTA's exact grid: overlay drawn
    assert np.array_equal(result.mask.array, stored.mask.array)
    assert result.thrombi == stored.thrombi
    assert result.impression() == stored.impression()
    assert result.model_version == "stored-1"
    assert win.state.masks["thrombus"] is result.mask
    assert "Left M1 occlusion (LVO)" in win.results.thrombus_call.text()
    assert "ncct_registered" not in win.volumes  # the stored result holds no motion


def test_double_click_on_a_study_without_results_only_opens_it(qtbot, tmp_path, node) -> None:  # type: ignore[no-untyped-def]
    storage, uid, _ = node
    win = _window(qtbot, tmp_path)
    dock = win.worklist
    dock.set_folder(storage)
    opened: list[Path] = []
    win.open_folder = opened.append  # type: ignore[method-assign]
    failed = next(e for e in dock.entries if e.state == "failed")
    dock.open_entry(failed)
    assert opened == [failed.study_folder] and dock.pending is None


def test_a_folder_without_a_node_says_so(qtbot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    win = _window(qtbot, tmp_path)
    win.worklist.set_folder(tmp_path)
    assert "no DICOM node here" in win.worklist.status.text()
    assert win.worklist.table.rowCount() == 0
    assert win.acts["worklist_folder"].text() == "&Worklist folder…"
