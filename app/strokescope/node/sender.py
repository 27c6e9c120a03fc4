"""Send queued result files to their destinations by C-STORE (pynetdicom SCU).

:func:`send_due` takes the pending sends whose next try has come, opens one association
per destination and stores each file. A file the destination confirmed (status 0x0000,
or a warning 0xB000-0xBFFF) is marked ``sent``; any other outcome (destination down,
association rejected, a failure status, a missing file) counts an attempt and schedules
the next one with exponential backoff (:class:`strokescope.node.config.Retry`). Nothing
is dropped: a send stays queued until it succeeds, and each failure is logged.

A node killed after the destination stored a file but before the node recorded it sends
that file once more after restart, with the same SOP Instance UID: a PACS keeps one copy
of an instance per SOP Instance UID.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from itertools import groupby
from pathlib import Path
from typing import Any

from strokescope.node.config import Destination, NodeConfig
from strokescope.node.index import Index, SendRow

log = logging.getLogger(__name__)


def _status_ok(status: Any) -> bool:
    """Whether a C-STORE response status means the destination holds the instance."""
    if status is None or "Status" not in status:
        return False
    code = int(status.Status)
    return code == 0x0000 or 0xB000 <= code <= 0xBFFF


def _contexts(paths: Sequence[Path]) -> list[tuple[str, str]]:
    """(SOP Class UID, Transfer Syntax UID) of each file, from its file meta."""
    import pydicom

    found: list[tuple[str, str]] = []
    for path in paths:
        meta = pydicom.filereader.read_file_meta_info(path)
        pair = (str(meta.MediaStorageSOPClassUID), str(meta.TransferSyntaxUID))
        if pair not in found:
            found.append(pair)
    return found


def _fail(
    config: NodeConfig, index: Index, dest: Destination, rows: Sequence[SendRow], error: str
) -> None:
    for row in rows:
        attempts = index.mark_failed(row.id, error, config.retry.delay(row.attempts + 1))
        log.debug("send %d to %s: attempt %d failed", row.id, dest.key, attempts)
    delay = config.retry.delay(rows[0].attempts + 1)
    log.warning(
        "%d result file(s) for %s not sent (%s); queued, next try in %.0f s",
        len(rows),
        dest.key,
        error,
        delay,
    )


def _existing(
    config: NodeConfig, index: Index, dest: Destination, rows: Sequence[SendRow]
) -> list[SendRow]:
    """The rows whose file is on disk; the others are failed attempts (and logged)."""
    present = [r for r in rows if (config.storage / r.path).is_file()]
    missing = [r for r in rows if r not in present]
    if missing:
        _fail(config, index, dest, missing, "result file missing from the storage folder")
    return present


def send_to(config: NodeConfig, index: Index, dest: Destination, rows: Sequence[SendRow]) -> int:
    """Send ``rows`` to ``dest`` in one association; the number confirmed."""
    from pynetdicom import AE

    rows = _existing(config, index, dest, rows)
    if not rows:
        return 0
    paths = [config.storage / r.path for r in rows]
    ae = AE(ae_title=config.ae_title)
    ae.acse_timeout = ae.dimse_timeout = ae.network_timeout = 30
    for sop_class, syntax in _contexts(paths):
        ae.add_requested_context(sop_class, syntax)
    try:
        assoc = ae.associate(dest.host, dest.port, ae_title=dest.ae_title)
    except (OSError, RuntimeError) as exc:
        _fail(config, index, dest, rows, f"cannot connect: {exc}")
        return 0
    if not assoc.is_established:
        outcome = "rejected" if assoc.is_rejected else "unreachable or aborted"
        _fail(config, index, dest, rows, f"association {outcome}")
        return 0
    sent = 0
    try:
        for row, path in zip(rows, paths, strict=True):
            status = assoc.send_c_store(path) if assoc.is_established else None
            if _status_ok(status):
                index.mark_sent(row.id)
                sent += 1
            else:
                answered = status is not None and "Status" in status
                code = f"status 0x{int(status.Status):04X}" if answered else "no response"
                _fail(config, index, dest, [row], f"C-STORE {code}")
    finally:
        if assoc.is_established:
            assoc.release()
    log.info("sent %d of %d result file(s) to %s", sent, len(rows), dest.key)
    return sent


def send_due(config: NodeConfig, index: Index) -> int:
    """Send every due pending file, one association per destination; the number sent.

    Rows for a destination no longer in the configuration stay queued (and are logged),
    so that editing the configuration never drops results silently.
    """
    by_key = {d.key: d for d in config.destinations}
    sent = 0
    for key, group in groupby(index.due_sends(), key=lambda r: r.destination):
        rows = list(group)
        dest = by_key.get(key)
        if dest is None:
            for row in rows:
                index.mark_failed(row.id, "destination not configured", config.retry.max_delay_s)
            log.warning("%d result file(s) queued for %s, which is not configured", len(rows), key)
            continue
        sent += send_to(config, index, dest, rows)
    return sent
