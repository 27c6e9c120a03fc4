"""The node's settings, read from a TOML file (``strokescope listen --config node.toml``).

Example::

    [node]
    ae_title = "STROKESCOPE"     # our AE title (1-16 characters)
    port = 11112                 # DICOM port we listen on
    bind = "0.0.0.0"             # address to listen on (default: every interface)
    storage = "node-data"        # study store, SQLite index, results, log (relative to
                                 # this file's folder)
    quiet_seconds = 30           # a study is complete after this long without an instance

    [[allowed]]                  # who may store to us; anyone else is rejected
    ae_title = "PACS"
    host = "10.0.0.5"            # optional: without it, any host with this AE title

    [[destinations]]             # where results are sent (C-STORE); zero or more
    ae_title = "PACS"
    host = "10.0.0.5"
    port = 104

    [retry]                      # backoff of a failed send: first, doubling, capped
    first_delay_seconds = 10
    max_delay_seconds = 600

    [analysis]                   # how strokescope.pipeline.analyze_thrombus runs
    threads = 2
    device = "cpu"
    models = "/opt/models"       # optional: default the installed models
    outcome_model = "/opt/outcome"  # optional: an installed outcome model run on each study

A bad file is an :class:`~strokescope.errors.InputError` naming the file and the key.
"""

from __future__ import annotations

import re
import socket
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from strokescope.errors import InputError
from strokescope.node.index import INDEX_NAME

_AE_RE = re.compile(r"^[\x20-\x5b\x5d-\x7e]{1,16}$")  # printable ASCII, no backslash
_DEVICES = ("auto", "cpu", "cuda", "dml")


@dataclass(frozen=True)
class Peer:
    """A calling AE title allowed to store, optionally only from the addresses of ``host``."""

    ae_title: str
    host: str | None = None
    addresses: frozenset[str] = frozenset()

    def admits(self, ae_title: str, address: str) -> bool:
        """Whether an association from ``ae_title`` at IP ``address`` matches this entry."""
        return ae_title == self.ae_title and (self.host is None or address in self.addresses)


@dataclass(frozen=True)
class Destination:
    """A C-STORE SCP the results are sent to."""

    ae_title: str
    host: str
    port: int

    @property
    def key(self) -> str:
        """``AE@host:port``: how the send queue and the log name this destination."""
        return f"{self.ae_title}@{self.host}:{self.port}"


@dataclass(frozen=True)
class Retry:
    """Backoff of a failed send: ``first_delay_s``, doubled per failure up to ``max_delay_s``.
    A send is retried until it succeeds; it is never dropped."""

    first_delay_s: float = 10.0
    max_delay_s: float = 600.0

    def delay(self, attempts: int) -> float:
        """Seconds to wait after the ``attempts``-th failure (1, 2, ...)."""
        return float(min(self.max_delay_s, self.first_delay_s * 2 ** max(0, attempts - 1)))


@dataclass(frozen=True)
class NodeConfig:
    """Every setting of a node (see the module docstring for the file format)."""

    ae_title: str
    port: int
    storage: Path
    allowed: tuple[Peer, ...]
    destinations: tuple[Destination, ...] = ()
    bind: str = "0.0.0.0"
    quiet_s: float = 30.0
    retry: Retry = Retry()
    threads: int = 2
    device: str = "cpu"
    models: Path | None = None
    outcome_model: Path | None = None
    source: Path | None = None

    @property
    def index_path(self) -> Path:
        return self.storage / INDEX_NAME

    @property
    def log_path(self) -> Path:
        return self.storage / "logs" / "node.log"

    def admits(self, ae_title: str, address: str) -> bool:
        """Whether ``ae_title`` calling from ``address`` may associate."""
        return any(peer.admits(ae_title.strip(), address) for peer in self.allowed)


class _Reader:
    """Typed access to one TOML table; every error names the file and the dotted key."""

    def __init__(self, path: Path, table: dict[str, Any], prefix: str) -> None:
        self.path, self.table, self.prefix = path, table, prefix

    def fail(self, key: str, problem: str) -> InputError:
        return InputError(f"{self.path}: key '{self.prefix}{key}': {problem}")

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = None) -> Any:
        if key not in self.table:
            if default is None:
                raise self.fail(key, "missing")
            return default
        value = self.table[key]
        if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
            names = kind.__name__ if isinstance(kind, type) else "/".join(k.__name__ for k in kind)
            raise self.fail(key, f"expected {names}, got {type(value).__name__} {value!r}")
        return value

    def ae_title(self, key: str) -> str:
        title = str(self.get(key, str)).strip()
        if not _AE_RE.match(title):
            raise self.fail(key, f"{title!r} is not an AE title (1-16 printable characters)")
        return title

    def port(self, key: str) -> int:
        value = int(self.get(key, int))
        if not 1 <= value <= 65535:
            raise self.fail(key, f"{value} is not a port (1-65535)")
        return value

    def seconds(self, key: str, default: float) -> float:
        value = float(self.get(key, (int, float), default))
        if not 0 <= value <= 86400:
            raise self.fail(key, f"{value} is out of range (0-86400 seconds)")
        return value

    def unknown(self, known: tuple[str, ...]) -> None:
        extra = sorted(set(self.table) - set(known))
        if extra:
            raise self.fail(extra[0], f"unknown key (known: {', '.join(known)})")


def _addresses(reader: _Reader, key: str, host: str) -> frozenset[str]:
    """The IP addresses ``host`` resolves to (a literal address resolves to itself)."""
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError as exc:
        raise reader.fail(key, f"cannot resolve host {host!r} ({exc})") from exc
    return frozenset(str(info[4][0]) for info in infos)


def _tables(reader: _Reader, key: str) -> list[_Reader]:
    items = reader.get(key, list, [])
    out = []
    for n, item in enumerate(items):
        if not isinstance(item, dict):
            raise reader.fail(f"{key}[{n}]", "expected a table ([[...]])")
        out.append(_Reader(reader.path, item, f"{key}[{n}]."))
    return out


def _peer(r: _Reader) -> Peer:
    r.unknown(("ae_title", "host"))
    host = r.get("host", str, "") or None
    addresses = _addresses(r, "host", host) if host else frozenset()
    return Peer(r.ae_title("ae_title"), host, addresses)


def _destination(r: _Reader) -> Destination:
    r.unknown(("ae_title", "host", "port"))
    return Destination(r.ae_title("ae_title"), str(r.get("host", str)), r.port("port"))


def _section(root: _Reader, name: str, known: tuple[str, ...]) -> _Reader:
    table = root.get(name, dict, {})
    reader = _Reader(root.path, table, f"{name}.")
    reader.unknown(known)
    return reader


def parse_config(path: Path, data: dict[str, Any]) -> NodeConfig:
    """A :class:`NodeConfig` from parsed TOML ``data`` (``path`` names it in errors and
    anchors a relative storage folder)."""
    root = _Reader(path, data, "")
    root.unknown(("node", "allowed", "destinations", "retry", "analysis"))
    node = _section(root, "node", ("ae_title", "port", "bind", "storage", "quiet_seconds"))
    if "node" not in data:
        raise root.fail("node", "missing")
    retry = _section(root, "retry", ("first_delay_seconds", "max_delay_seconds"))
    analysis = _section(root, "analysis", ("threads", "device", "models", "outcome_model"))
    allowed = tuple(_peer(r) for r in _tables(root, "allowed"))
    if not allowed:
        raise root.fail("allowed", "missing: name at least one calling AE title that may store")
    device = analysis.get("device", str, "cpu")
    if device not in _DEVICES:
        raise analysis.fail("device", f"{device!r} is not one of {', '.join(_DEVICES)}")
    threads = int(analysis.get("threads", int, 2))
    if not 1 <= threads <= 256:
        raise analysis.fail("threads", f"{threads} is out of range (1-256)")
    models = analysis.get("models", str, "")
    outcome = analysis.get("outcome_model", str, "")
    return NodeConfig(
        ae_title=node.ae_title("ae_title"),
        port=node.port("port"),
        storage=path.parent / str(node.get("storage", str)),
        allowed=allowed,
        destinations=tuple(_destination(r) for r in _tables(root, "destinations")),
        bind=str(node.get("bind", str, "0.0.0.0")),
        quiet_s=node.seconds("quiet_seconds", 30.0),
        retry=Retry(
            retry.seconds("first_delay_seconds", 10.0), retry.seconds("max_delay_seconds", 600.0)
        ),
        threads=threads,
        device=device,
        models=path.parent / models if models else None,
        outcome_model=path.parent / outcome if outcome else None,
        source=path,
    )


def load_config(path: str | Path) -> NodeConfig:
    """Read and check a node's TOML file (see the module docstring)."""
    file = Path(path)
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{file}: cannot read the node configuration ({exc.strerror})") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{file}: not valid TOML ({exc})") from exc
    return parse_config(file, data)
