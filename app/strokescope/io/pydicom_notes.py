"""What pydicom says while files are read: through logging only, and summed up per series.

Real scans often carry values pydicom flags, e.g. UIDs with a leading zero in a component
("Invalid value for VR UI: '1.2.03.4'. Please see <...>"). pydicom sends each note twice:
to its logger ``pydicom`` and as a ``UserWarning`` (``pydicom.misc.warn_and_log``), so every
note reached the user twice. :func:`log_only` keeps the logging copy and ignores the warning
copy; the tolerant reader (:func:`strokescope.io.dicom_read.read_dataset`) calls it before
each read, so it holds wherever pydicom is used after the first file (exports included).

:class:`PydicomNotes` holds back the log lines of the notes while a scan runs; the scan turns
them into one line per series in :attr:`~strokescope.io.SeriesInfo.problems`
(:func:`summarize`), instead of one raw line per file.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Iterable, Sequence
from types import TracebackType

PYDICOM_LOGGER = "pydicom"
PYDICOM_MODULES = r"pydicom(\.|$)"
MAX_NOTE = 120


def log_only() -> None:
    """Ignore the ``UserWarning`` copy of pydicom's notes (their log line stays).

    Installs one ``warnings`` filter for ``UserWarning`` raised from pydicom's modules
    (pydicom 3 raises each of them right after logging the same text); idempotent.
    """
    for action, _message, category, module, _lineno in warnings.filters:
        ours = getattr(module, "pattern", module) == PYDICOM_MODULES  # a regex, or its text
        if ours and action == "ignore" and category is UserWarning:
            return
    warnings.filterwarnings("ignore", category=UserWarning, module=PYDICOM_MODULES)


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
    """Context manager holding back pydicom's warning log lines, to be summed up.

    ``mark()`` before reading a file and ``since(mark)`` after it give the distinct messages
    of that file.
    """

    def __init__(self) -> None:
        self._keep = _Keep()

    def __enter__(self) -> PydicomNotes:
        log_only()
        logging.getLogger(PYDICOM_LOGGER).addFilter(self._keep)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        logging.getLogger(PYDICOM_LOGGER).removeFilter(self._keep)

    def mark(self) -> int:
        return len(self._keep.messages)

    def since(self, mark: int) -> tuple[str, ...]:
        """Distinct messages recorded after ``mark``, shortened to one line each."""
        return tuple(dict.fromkeys(_short(t) for t in self._keep.messages[mark:]))


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
