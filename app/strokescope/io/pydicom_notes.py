"""Collect what pydicom says while headers are read, instead of letting it print.

Real scans often carry values pydicom flags, e.g. UIDs with a leading zero in a component
("Invalid value for VR UI: '1.2.03.4'. Please see <...>"). pydicom both warns
(``UserWarning``) and logs each one, once per file, so a 300-slice series printed 600 raw
lines. :class:`PydicomNotes` records both while a scan runs; the scan turns them into one
line per series in :attr:`~strokescope.io.SeriesInfo.problems` (:func:`summarize`).

``warnings.catch_warnings`` is process-wide: a warning raised by another thread while a scan
runs is collected (and dropped) too. Scans run one at a time in the CLI and the viewer.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Iterable, Sequence
from types import TracebackType

PYDICOM_LOGGER = "pydicom"
MAX_NOTE = 120


class _Keep(logging.Filter):
    """Keeps pydicom's log records in a list instead of passing them on."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            self.messages.append(record.getMessage())
            return False
        return True


class PydicomNotes:
    """Context manager recording pydicom's warnings and warning log lines.

    ``mark()`` before reading a file and ``since(mark)`` after it give the distinct messages
    of that file (each pydicom note is both a warning and a log line: counted once).
    """

    def __init__(self) -> None:
        self._keep = _Keep()
        self._catcher = warnings.catch_warnings(record=True)
        self._caught: list[warnings.WarningMessage] = []

    def __enter__(self) -> PydicomNotes:
        logging.getLogger(PYDICOM_LOGGER).addFilter(self._keep)
        self._caught = self._catcher.__enter__() or []
        warnings.simplefilter("always")
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._catcher.__exit__(exc_type, exc, tb)
        logging.getLogger(PYDICOM_LOGGER).removeFilter(self._keep)

    def mark(self) -> tuple[int, int]:
        return len(self._caught), len(self._keep.messages)

    def since(self, mark: tuple[int, int]) -> tuple[str, ...]:
        """Distinct messages recorded after ``mark``, shortened to one line each."""
        texts = [str(w.message) for w in self._caught[mark[0] :]]
        texts += self._keep.messages[mark[1] :]
        return tuple(dict.fromkeys(_short(t) for t in texts))


def _short(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else "(empty message)"
    line = line.split(" Please see <")[0].rstrip()
    return line if len(line) <= MAX_NOTE else line[: MAX_NOTE - 1] + "~"


def _kind(note: str) -> str:
    """A note with its quoted values blanked: "Invalid value for VR UI: '...'."."""
    return re.sub(r"'[^']*'", "'...'", note)


def summarize(per_file: Sequence[tuple[str, ...]], n_files: int, extra: Iterable[str] = ()) -> str:
    """One problems line for a series: how many files pydicom warned about, and about what.

    ``per_file`` holds the notes of each file that had any; ``extra`` notes found while
    reading series-level attributes. Notes that differ only in a quoted value (each file's
    own invalid UID) are one kind; the line quotes the first note and counts the other
    kinds. Returns ``""`` when there is nothing to report.
    """
    notes = [n for file_notes in per_file for n in file_notes] + list(extra)
    if not notes:
        return ""
    kinds = dict.fromkeys(_kind(n) for n in notes)
    where = f"in {len(per_file)} of {n_files} file(s)" if per_file else "in the series header"
    more = f" (and {len(kinds) - 1} other kind(s))" if len(kinds) > 1 else ""
    return f"pydicom warnings {where}: {notes[0]}{more}"
