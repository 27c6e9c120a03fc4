"""Read a results folder an export wrote (:mod:`strokescope.outputs.export`) back in.

The readers of each result (:mod:`strokescope.thrombus.result_io`,
:mod:`strokescope.hemorrhage.result_io`) share these two steps: the JSON document, checked
for a schema major version they understand, and a NIfTI mask that ``files.masks`` names.
Each problem is one line (:class:`~strokescope.errors.InputError`) naming the file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from strokescope.errors import InputError, StrokeScopeError
from strokescope.volume import Mask

RESULTS_JSON = "results.json"
"""The JSON document's name in a results folder (``strokescope.outputs.export``)."""
KNOWN_MAJOR = "1"
"""The schema major version the readers understand (``schema_version`` "1.x")."""


def read_document(folder: Path) -> dict[str, Any]:
    """The ``results.json`` of ``folder`` as a dict.

    Raises
    ------
    InputError
        No or unreadable ``results.json``, or a schema major version other than 1.
    """
    path = folder / RESULTS_JSON
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(f"{folder}: no {RESULTS_JSON} (not a results folder)") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: cannot read the results ({exc})") from exc
    version = str(doc.get("schema_version", "")) if isinstance(doc, dict) else ""
    if version.split(".")[0] != KNOWN_MAJOR:
        raise InputError(f"{path}: results schema {version or '?'} is not 1.x")
    return doc


def read_named_mask(folder: Path, doc: dict[str, Any], kind: str) -> Mask:
    """The NIfTI mask of ``kind`` ("thrombus", "hemorrhage") that ``doc``'s ``files.masks``
    names (the file name starts with ``kind``), read from ``folder`` as mask ``kind``.

    Raises
    ------
    InputError
        The document names no such mask, or the file is missing or unreadable.
    """
    from strokescope.io.sitk_convert import read_mask

    files = doc.get("files")
    names = files.get("masks") if isinstance(files, dict) else None
    masks = [m for m in names or () if isinstance(m, str) and m.startswith(kind)]
    if not masks:
        raise InputError(f"{folder}: the results name no {kind} mask")
    try:
        return read_mask(folder / masks[0], kind)
    except (RuntimeError, OSError, StrokeScopeError) as exc:
        raise InputError(f"{folder / masks[0]}: cannot read the {kind} mask") from exc
