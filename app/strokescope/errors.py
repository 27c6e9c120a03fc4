"""Typed errors. Each carries a one-line message naming the file, series or option at fault.

The CLI prints ``str(error)`` and exits non-zero; the GUI shows it in one dialog. Nothing
else in the package should turn an error into text.
"""

from __future__ import annotations


class StrokeScopeError(Exception):
    """Base class: a problem with the user's input that we can explain in one line."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))


class DicomLoadError(StrokeScopeError):
    """A folder, file or series cannot be read or turned into a volume."""


class GeometryError(DicomLoadError):
    """A series' slice geometry cannot be repaired (or repairing was refused by option)."""


class InputError(StrokeScopeError):
    """An argument such as an ROI or an option is out of range or inconsistent."""


class ModelError(StrokeScopeError):
    """A model file is missing, altered (checksum) or does not match its manifest."""


class ExportError(StrokeScopeError):
    """Results could not be written."""


class PreviewUnavailable(StrokeScopeError):
    """The report preview cannot be drawn here (no PDF renderer); exporting still works."""


class Cancelled(Exception):
    """Raised from an ``on_progress`` callback to stop a running pipeline step."""
