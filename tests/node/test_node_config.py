"""The node's TOML configuration: a good file parses; each bad one is one line naming the
file and the key."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from node_helpers import write_config

from strokescope.errors import InputError
from strokescope.node.config import Retry, load_config

GOOD = """
[node]
ae_title = "STROKESCOPE"
port = 11112
storage = "store"

[[allowed]]
ae_title = "PACS"
host = "127.0.0.1"

[[allowed]]
ae_title = "CT1"

[[destinations]]
ae_title = "PACS"
host = "127.0.0.1"
port = 4242
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "node.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_parses_with_defaults(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, GOOD))
    assert config.ae_title == "STROKESCOPE" and config.port == 11112
    assert config.storage == tmp_path / "store"
    assert config.quiet_s == 30.0 and config.bind == "0.0.0.0"
    assert [d.key for d in config.destinations] == ["PACS@127.0.0.1:4242"]
    assert config.admits("PACS", "127.0.0.1")
    assert not config.admits("PACS", "10.1.2.3")  # known AE, other host
    assert config.admits("CT1", "10.1.2.3")  # no host given: any host
    assert not config.admits("OTHER", "127.0.0.1")


def test_the_helper_writes_a_valid_file(tmp_path: Path) -> None:
    config = load_config(write_config(tmp_path, port=2000, destinations=[("O", 3000)]))
    assert config.quiet_s == 1.0 and config.destinations[0].port == 3000


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (("port = 11112", 'port = "x"'), "key 'node.port': expected int, got str 'x'"),
        (("port = 11112", "port = 70000"), "key 'node.port': 70000 is not a port"),
        (('ae_title = "STROKESCOPE"', 'ae_title = "A_TITLE_FAR_TOO_LONG"'), "node.ae_title"),
        (("[node]", "[node]\nquiet = 3"), "key 'node.quiet': unknown key"),
        (('storage = "store"', ""), "key 'node.storage': missing"),
        (("port = 4242", 'port = 4242\ncolour = "red"'), "key 'destinations[0].colour'"),
        (
            ('host = "127.0.0.1"\n\n[[allowed]]', 'host = "no.such.host.invalid"\n\n[[allowed]]'),
            "key 'allowed[0].host': cannot resolve host 'no.such.host.invalid'",
        ),
        (("[node]", '[analysis]\ndevice = "tpu"\n[node]'), "key 'analysis.device': 'tpu'"),
        (("[node]", "[retry]\nfirst_delay_seconds = -1\n[node]"), "retry.first_delay_seconds"),
    ],
)
def test_a_bad_value_names_the_file_and_the_key(
    tmp_path: Path, edit: tuple[str, str], message: str
) -> None:
    path = _write(tmp_path, GOOD.replace(*edit, 1))
    with pytest.raises(InputError) as err:
        load_config(path)
    assert str(path) in str(err.value) and message in str(err.value)
    assert "\n" not in str(err.value)


def test_without_allowed_callers_the_file_is_refused(tmp_path: Path) -> None:
    text = GOOD.split("[[allowed]]")[0]
    with pytest.raises(InputError, match=r"key 'allowed': missing"):
        load_config(_write(tmp_path, text))


def test_unreadable_and_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read the node configuration"):
        load_config(tmp_path / "absent.toml")
    with pytest.raises(InputError, match="not valid TOML"):
        load_config(_write(tmp_path, "[node\nport = 1"))


def test_backoff_doubles_up_to_the_cap() -> None:
    retry = Retry(first_delay_s=2, max_delay_s=10)
    assert [retry.delay(n) for n in (1, 2, 3, 4)] == [2, 4, 8, 10]


def test_the_cli_prints_one_line_and_exits_2(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD.replace("port = 11112", "port = -5"))
    run = subprocess.run(
        [sys.executable, "-m", "strokescope.cli", "listen", "--config", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2
    assert run.stderr.strip().splitlines() == [
        f"strokescope listen: error: {path}: key 'node.port': -5 is not a port (1-65535)"
    ]
