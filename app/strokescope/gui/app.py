"""Entry point: ``strokescope gui [DIR]`` and ``strokescope-gui [DIR]``."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication

from strokescope import RESEARCH_ONLY, __version__
from strokescope.gui.settings import APPLICATION, ORGANIZATION, GuiSettings, setup_log_file

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
    return p


def run(folder: str | None = None) -> int:
    """Open the main window (and ``folder`` if given) and run the event loop."""
    from strokescope.gui.main_window import MainWindow

    app = application()
    path = setup_log_file()
    log.info("StrokeScope GUI %s started; log %s", __version__, path)
    window = MainWindow(GuiSettings())
    window.show()
    if folder:
        window.open_folder(Path(folder))
    return int(app.exec())


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    return run(args.folder)


if __name__ == "__main__":
    sys.exit(main())
