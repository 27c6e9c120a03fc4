"""What the viewer remembers (QSettings) and where it writes its log (the user's data folder)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, QStandardPaths

from strokescope.gui.presets import WindowPreset, presets_from_json, presets_to_json

log = logging.getLogger(__name__)

ORGANIZATION = "StrokeScope"
APPLICATION = "StrokeScope"
DATA_DIR_ENV = "STROKESCOPE_GUI_DATA"
"""Overrides the data folder (log file); tests and screenshots point it at a temp folder."""


def data_dir() -> Path:
    """The user's data folder (QStandardPaths.AppDataLocation, or ``$STROKESCOPE_GUI_DATA``)."""
    override = os.environ.get(DATA_DIR_ENV)
    if override:
        return Path(override)
    location = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(location or Path.home() / ".strokescope")


class GuiSettings:
    """Typed access to the persisted settings.

    Parameters
    ----------
    qsettings
        Where to store; ``None`` uses an INI file in :func:`data_dir` (so a test that sets
        ``$STROKESCOPE_GUI_DATA`` never touches the real user's settings).
    """

    def __init__(self, qsettings: QSettings | None = None) -> None:
        if qsettings is None:
            path = data_dir() / "settings.ini"
            qsettings = QSettings(str(path), QSettings.Format.IniFormat)
        self.q = qsettings

    def last_folder(self) -> str:
        return str(self.q.value("last_folder", "") or "")

    def set_last_folder(self, folder: str | Path) -> None:
        self.q.setValue("last_folder", str(folder))

    def worklist_folder(self) -> str:
        """The DICOM node's storage folder the worklist reads ("" when none is chosen)."""
        return str(self.q.value("worklist/folder", "") or "")

    def set_worklist_folder(self, folder: str | Path) -> None:
        self.q.setValue("worklist/folder", str(folder))

    def outcome_model(self) -> str | None:
        """The outcome model folder chosen in the viewer: ``None`` when never chosen (the
        default applies, ``$STROKESCOPE_OUTCOME_MODEL``), ``""`` when turned off."""
        value = self.q.value("outcome/model")
        return None if value is None else str(value)

    def set_outcome_model(self, folder: str | Path) -> None:
        """Remember ``folder`` (``""``: no model, whatever the default)."""
        self.q.setValue("outcome/model", str(folder))

    def presets(self) -> tuple[WindowPreset, ...]:
        return presets_from_json(str(self.q.value("presets", "") or ""))

    def set_presets(self, presets: tuple[WindowPreset, ...]) -> None:
        self.q.setValue("presets", presets_to_json(presets))

    def geometry(self) -> QByteArray | None:
        value = self.q.value("window/geometry")
        return value if isinstance(value, QByteArray) else None

    def window_state(self) -> QByteArray | None:
        value = self.q.value("window/state")
        return value if isinstance(value, QByteArray) else None

    def set_window(self, geometry: QByteArray, state: QByteArray) -> None:
        self.q.setValue("window/geometry", geometry)
        self.q.setValue("window/state", state)

    def slab_mm(self) -> float:
        try:
            return float(self.q.value("slab_mm", 10.0))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return 10.0

    def set_slab_mm(self, value: float) -> None:
        self.q.setValue("slab_mm", float(value))

    def sync(self) -> None:
        self.q.sync()


def setup_log_file(folder: Path | None = None) -> Path:
    """Append INFO logs of ``strokescope`` to ``<data dir>/strokescope-gui.log``; return it."""
    folder = folder or data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "strokescope-gui.log"
    root = logging.getLogger("strokescope")
    if not any(getattr(h, "baseFilename", None) == str(path) for h in root.handlers):
        handler = logging.FileHandler(path, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    root.setLevel(logging.INFO)
    log.info("log file %s", path)
    return path
