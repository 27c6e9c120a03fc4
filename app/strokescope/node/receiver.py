"""The Storage SCP: who may associate, and how each received instance is stored.

Only a calling AE title (and host) named in the configuration may associate; anyone
else gets an A-ASSOCIATE-RJ ("calling AE title not recognised") and one log line with
the reason. Verification (C-ECHO) is answered. Each C-STORE is written atomically to
``STORAGE/studies/<study>/<series>/<instance>.dcm`` (folder names are digests of the
UIDs) and then indexed; an instance already indexed (same SOP Instance UID) is answered
"success" without writing it again. A write that fails (disk full) answers 0xA700 "out
of resources" so the sender keeps the instance and retries; the log says why.

Every association is logged at INFO when it ends: calling AE, host, instances stored,
outcome. Patient identifiers never reach INFO; UIDs appear at DEBUG only.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from strokescope.atomic import atomic_write_bytes
from strokescope.errors import InputError
from strokescope.node.config import NodeConfig
from strokescope.node.index import Index

if TYPE_CHECKING:
    from pynetdicom.transport import ThreadedAssociationServer

log = logging.getLogger(__name__)

OUT_OF_RESOURCES = 0xA700
CANNOT_UNDERSTAND = 0xC000


def uid_key(uid: str) -> str:
    """A short, file-system-safe folder or file name for a UID (first 20 hex of SHA-256)."""
    return hashlib.sha256(uid.encode("ascii", "replace")).hexdigest()[:20]


@dataclass
class _Tally:
    """What one association did (for its log line)."""

    number: int
    calling: str
    address: str
    stored: int = 0
    repeated: int = 0
    failed: int = 0


class Receiver:
    """The SCP's event handlers over one index and storage folder."""

    def __init__(self, config: NodeConfig, index: Index) -> None:
        self.config = config
        self.index = index
        self._numbers = itertools.count(1)
        self._tallies: dict[int, _Tally] = {}
        self._lock = threading.Lock()

    def _tally(self, assoc: Any, calling: str = "") -> _Tally:
        with self._lock:
            tally = self._tallies.get(id(assoc))
            if tally is None:
                address = str(assoc.requestor.address)
                tally = _Tally(next(self._numbers), calling, address)
                self._tallies[id(assoc)] = tally
            return tally

    def on_requested(self, event: Any) -> None:
        """EVT_REQUESTED: reject a calling AE title (or host) that is not configured."""
        assoc = event.assoc
        primitive = assoc.requestor.primitive
        calling = str(primitive.calling_ae_title).strip()
        address = str(assoc.requestor.address)
        if self.config.admits(calling, address):
            self._tally(assoc, calling)
            return
        known = any(peer.ae_title == calling for peer in self.config.allowed)
        reason = "not allowed from this host" if known else "not in the allowed list"
        log.warning(
            "association from AE %r at %s rejected: calling AE title %s", calling, address, reason
        )
        assoc.acse.send_reject(0x01, 0x01, 0x03)  # permanent, service user, calling AE
        assoc.kill()  # returns once the A-ASSOCIATE-RJ is sent

    def on_echo(self, event: Any) -> int:
        """EVT_C_ECHO: answer success."""
        return 0x0000

    def on_store(self, event: Any) -> int:
        """EVT_C_STORE: store and index one instance (see the module docstring)."""
        tally = self._tally(event.assoc)
        sop_uid = str(event.request.AffectedSOPInstanceUID)
        if self.index.seen_instance(sop_uid):
            tally.repeated += 1
            return 0x0000
        try:
            dataset = event.dataset
            study_uid = str(dataset.StudyInstanceUID)
            series_uid = str(dataset.SeriesInstanceUID)
        except Exception as exc:  # a header we cannot read: refuse this instance only
            tally.failed += 1
            log.error("instance refused: cannot read its UIDs (%s)", type(exc).__name__)
            return CANNOT_UNDERSTAND
        folder = Path("studies") / uid_key(study_uid)
        path = folder / uid_key(series_uid) / f"{uid_key(sop_uid)}.dcm"
        try:
            atomic_write_bytes(self.config.storage / path, event.encoded_dataset())
        except OSError as exc:
            tally.failed += 1
            log.error("instance not stored (the sender keeps it and retries): %s", exc.strerror)
            return OUT_OF_RESOURCES
        if self.index.add_instance(
            study_uid=study_uid,
            folder=folder.as_posix(),
            series_uid=series_uid,
            sop_uid=sop_uid,
            path=path.as_posix(),
        ):
            tally.stored += 1
        else:
            tally.repeated += 1
        log.debug("stored %s of study %s", sop_uid, study_uid)
        return 0x0000

    def on_end(self, event: Any) -> None:
        """EVT_RELEASED / EVT_ABORTED: one log line for the association."""
        with self._lock:
            tally = self._tallies.pop(id(event.assoc), None)
        if tally is None:
            return
        outcome = "released" if event.event.name == "EVT_RELEASED" else "aborted"
        log.info(
            "association %d from AE %r at %s: %d instances stored, %d already held, %d refused; %s",
            tally.number,
            tally.calling,
            tally.address,
            tally.stored,
            tally.repeated,
            tally.failed,
            outcome,
        )


def remove_partial_files(storage: Path) -> int:
    """Delete the temporary files of writes a killed node left in the study store (an
    instance is indexed only after its file is complete, so none of them is indexed)."""
    partial = list((storage / "studies").rglob(".*.tmp"))
    for path in partial:
        path.unlink(missing_ok=True)
    return len(partial)


def start_scp(config: NodeConfig, index: Index) -> ThreadedAssociationServer:
    """Start the Storage + Verification SCP in background threads; stop it with
    ``server.shutdown()``. Every storage SOP class is accepted in every transfer syntax
    pynetdicom knows (a PACS may send compressed images)."""
    from pynetdicom import AE, ALL_TRANSFER_SYNTAXES, StoragePresentationContexts, evt
    from pynetdicom.sop_class import Verification  # type: ignore[attr-defined]

    receiver = Receiver(config, index)
    ae = AE(ae_title=config.ae_title)
    for context in StoragePresentationContexts:
        ae.add_supported_context(str(context.abstract_syntax), ALL_TRANSFER_SYNTAXES)
    ae.add_supported_context(Verification)
    ae.maximum_associations = 16
    handlers: list[Any] = [
        (evt.EVT_REQUESTED, receiver.on_requested),
        (evt.EVT_C_ECHO, receiver.on_echo),
        (evt.EVT_C_STORE, receiver.on_store),
        (evt.EVT_RELEASED, receiver.on_end),
        (evt.EVT_ABORTED, receiver.on_end),
    ]
    try:
        server = ae.start_server((config.bind, config.port), block=False, evt_handlers=handlers)
    except OSError as exc:
        raise InputError(
            f"{config.source or 'node'}: cannot listen on {config.bind}:{config.port} "
            f"({exc.strerror or exc})"
        ) from exc
    assert server is not None  # block=False returns the server
    log.info("listening as AE %r on %s:%d", config.ae_title, config.bind, config.port)
    return server
