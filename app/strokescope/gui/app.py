"""Entry point: ``strokescope gui [DIR]`` and ``strokescope-gui [DIR]``."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication

from strokescope import RESEARCH_ONLY, __version__
from strokescope.gui.settings import APPLICATION, ORGANIZATION, GuiSettings, setup_log_file

if TYPE_CHECKING:
    from strokescope.gui.main_window import MainWindow

log = logging.getLogger(__name__)


def configure_qt() -> None:
    """Application names (settings and data paths) and pyqtgraph options; call before windows."""
    QCoreApplication.setOrganizationName(ORGANIZATION)
    QCoreApplication.setApplicationName(APPLICATION)
    QCoreApplication.setApplicationVersion(__version__)
    pg.setConfigOptions(imageAxisOrder="row-major", antialias=False)


def application(argv: Sequence[str] = ()) -> QApplication:
    """The running QApplication (created once)."""
    app = QApplication.instance()
    if app is None:
        app = QApplication([sys.argv[0] if sys.argv else "strokescope-gui", *argv])
    configure_qt()
    assert isinstance(app, QApplication)
    return app


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="strokescope-gui", description=f"StrokeScope desktop viewer. {RESEARCH_ONLY}"
    )
    p.add_argument("folder", nargs="?", help="DICOM folder to open")
    p.add_argument(
        "--quit-after-load",
        action="store_true",
        help="smoke test: print a line when the window is shown and when every job has "
        "ended, then exit (status 1 if an error dialog opened or nothing loaded)",
    )
    return p


def _quit_when_idle(app: QApplication, window: MainWindow, folder: str | None) -> None:
    """``--quit-after-load``: report the shown window, wait for the jobs, exit with a status."""
    print(f"strokescope-gui: main window shown {window.windowTitle()!r}", flush=True)

    def check() -> None:
        if window.busy:
            return
        loaded = {role: vol.shape for role, vol in window.volumes.items()}
        ok = window.last_error is None and (bool(loaded) or not folder)
        print(
            f"strokescope-gui: idle; loaded {loaded}; error dialog: {window.last_error is not None}"
        )
        app.exit(0 if ok else 1)

    window.busy_changed.connect(lambda busy: busy or QTimer.singleShot(0, check))
    if folder:
        window.open_folder(Path(folder))
    else:
        QTimer.singleShot(0, check)


def run(folder: str | None = None, *, quit_after_load: bool = False) -> int:
    """Open the main window (and ``folder`` if given) and run the event loop."""
    from strokescope.gui.main_window import MainWindow

    app = application()
    path = setup_log_file()
    log.info("StrokeScope GUI %s started; log %s", __version__, path)
    window = MainWindow(GuiSettings())
    window.show()
    if quit_after_load:
        QTimer.singleShot(0, lambda: _quit_when_idle(app, window, folder))
    elif folder:
        window.open_folder(Path(folder))
    return int(app.exec())


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return run(args.folder, quit_after_load=args.quit_after_load)


if __name__ == "__main__":
    sys.exit(main())
