"""GUI test fixtures: offscreen Qt, settings and log in tmp, one small phantom study per session."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@dataclass(frozen=True)
class Study:
    root: Path
    hemorrhage_ml: float
    bleed_centre_lps: tuple[float, float, float]
    thrombus_centroid_lps: tuple[float, float, float]


@pytest.fixture(scope="session", autouse=True)
def gui_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Keep the log file and default settings out of the user's data folder."""
    folder = tmp_path_factory.mktemp("gui_data")
    old = os.environ.get("STROKESCOPE_GUI_DATA")
    os.environ["STROKESCOPE_GUI_DATA"] = str(folder)
    from strokescope.gui.app import configure_qt

    configure_qt()
    yield folder
    import gc

    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is not None:  # delete widgets while Qt is alive (PySide crashes in teardown GC)
        for widget in QApplication.topLevelWidgets():
            widget.deleteLater()
        QApplication.sendPostedEvents(None, 0)
        app.processEvents()
    gc.collect()
    if old is None:
        os.environ.pop("STROKESCOPE_GUI_DATA", None)
    else:
        os.environ["STROKESCOPE_GUI_DATA"] = old


@pytest.fixture(scope="session")
def study(tmp_path_factory: pytest.TempPathFactory) -> Study:
    """A small seeded phantom: thin NCCT + CTA (80 x 128 x 128) and a 12 mL PH follow-up."""
    from strokescope.io.sitk_convert import read_mask
    from strokescope.phantom import PhantomOptions, generate_study, write_study

    opts = PhantomOptions(seed=0, hemorrhage="PH", hemorrhage_ml=12).small()
    generated = generate_study(opts)
    paths = write_study(generated, tmp_path_factory.mktemp("phantom") / "study", processes=1)
    truth = json.loads(paths.truth_json.read_text())
    bleed = read_mask(paths.masks["hemorrhage"])
    idx = np.argwhere(bleed.array).mean(axis=0)
    centre = tuple(float(v) for v in bleed.geometry.index_to_lps(idx))
    return Study(
        paths.root,
        float(truth["hemorrhage_volume_ml"]),
        centre,  # type: ignore[arg-type]
        tuple(truth["thrombus_centroid_lps"]),
    )


@pytest.fixture(autouse=True)
def _collect_qt_garbage(qtbot) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Free each test's widgets while the QApplication lives (PySide crashes if GC runs
    on pyqtgraph items during interpreter teardown)."""
    yield
    import gc

    from PySide6.QtWidgets import QApplication

    for widget in QApplication.topLevelWidgets():
        widget.close()
        widget.deleteLater()
    QApplication.sendPostedEvents(None, 0)
    QApplication.processEvents()
    gc.collect()


@pytest.fixture
def window(qtbot, tmp_path: Path) -> Iterator[object]:  # type: ignore[no-untyped-def]
    """A shown main window with settings in tmp; its running job is cancelled afterwards."""
    from PySide6.QtCore import QSettings

    from strokescope.gui.main_window import MainWindow
    from strokescope.gui.settings import GuiSettings

    settings = GuiSettings(QSettings(str(tmp_path / "gui.ini"), QSettings.Format.IniFormat))
    win = MainWindow(settings)
    qtbot.addWidget(win)
    win.resize(1300, 820)
    win.show()
    yield win
    win.cancel_job()
    win.pool.waitForDone(5000)
