"""The shipped thrombus model through the real GUI: worker, pipeline, ONNX, results table.

Needs ``models_onnx/`` (the trained model ships in the repository). The study is an M1
occlusion phantom at 0.8 mm, inside the model's validated range, written as DICOM.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pytest
from gui_helpers import STALL_LIMIT_S, StallMeter
from PySide6.QtCore import QSettings
from PySide6.QtGui import QTextDocument
from test_gui_window import wait_idle

from strokescope.gui.main_window import MainWindow
from strokescope.gui.settings import GuiSettings
from strokescope.resources import models_dir

SIDE: Literal["left", "right"] = "left"


@pytest.fixture(scope="module")
def occluded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:  # type: ignore[type-arg]
    from strokescope.phantom import PhantomOptions, generate_study, write_study

    opts = PhantomOptions(
        seed=11,
        occlusion="M1",
        side=SIDE,
        thrombus_length_mm=14.0,
        inplane_mm=0.8,
        matrix=256,
        slice_mm=1.0,
        followup_matrix=128,
    )
    paths = write_study(generate_study(opts), tmp_path_factory.mktemp("m1") / "study", processes=1)
    return paths.root, json.loads(paths.truth_json.read_text())


def _text(item: Any) -> str:
    assert item is not None
    return str(item.text())


def test_shipped_model_finds_the_phantom_clot_and_gui_stays_responsive(
    qtbot, tmp_path, occluded
) -> None:  # type: ignore[no-untyped-def]
    assert (models_dir() / "manifest.json").is_file(), "no model in models_onnx/"
    root, truth = occluded
    win = MainWindow(GuiSettings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)))
    qtbot.addWidget(win)
    win.show()
    win.open_folder(root)
    qtbot.waitUntil(lambda: "cta" in win.volumes or win.last_error is not None, timeout=120000)
    wait_idle(qtbot, win, timeout=60000)
    assert win.last_error is None
    assert win.acts["thrombus"].isEnabled()
    meter = StallMeter()
    meter.start()
    win.acts["thrombus"].trigger()
    wait_idle(qtbot, win, timeout=180000)
    meter.stop()
    gaps = meter.gaps
    assert win.last_error is None
    result = win.thrombus
    assert result is not None and result.occlusion and result.lvo
    table = win.results.thrombus_table
    rows = [[_text(table.item(r, c)) for c in range(2)] for r in range(table.rowCount())]
    assert ["M1", SIDE] in rows
    clot = next(t for t in result.thrombi if t.segment == "M1")
    offset = np.subtract(clot.centroid_lps, truth["thrombus_centroid_lps"])
    assert float(np.linalg.norm(offset)) < 5.0
    assert "LVO" in win.results.thrombus_call.text()
    panel = win.results
    assert result.decision_rule not in panel.thrombus_call.text()  # the rule is behind "details"
    assert not panel.thrombus_details.isVisible()
    panel.thrombus_call.linkActivated.emit("details")
    assert panel.thrombus_details.isVisible()
    doc = QTextDocument()
    doc.setHtml(panel.thrombus_details.text())
    assert result.decision_rule in doc.toPlainText()  # "<=" in the rule is escaped, not markup
    assert len(gaps) > 100
    assert max(gaps) < STALL_LIMIT_S, f"GUI thread stalled {1000 * max(gaps):.0f} ms in analysis"
