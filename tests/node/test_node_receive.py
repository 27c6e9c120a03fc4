"""The Storage SCP in-process: who may associate, idempotent storage, the association log,
and a study without a CTA recorded as not analysed."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from node_helpers import NODE_AE, SENDER_AE, free_port, send_files, wait_for, write_config

from conftest import PhantomFiles
from strokescope.node.config import load_config
from strokescope.node.service import Node


def _node(tmp_path: Path, **options: object) -> Node:
    return Node(load_config(write_config(tmp_path, port=free_port(), **options)))  # type: ignore[arg-type]


def _log(node: Node) -> str:
    return node.config.log_path.read_text(encoding="utf-8")


def test_a_forbidden_calling_ae_title_is_rejected_and_logged(tmp_path: Path) -> None:
    from pynetdicom import AE
    from pynetdicom.sop_class import Verification  # type: ignore[attr-defined]

    with _node(tmp_path, quiet_s=3600) as node:
        ae = AE(ae_title="INTRUDER")
        ae.add_requested_context(Verification)
        assoc = ae.associate("127.0.0.1", node.config.port, ae_title=NODE_AE)
        assert assoc.is_rejected
        allowed = AE(ae_title=SENDER_AE)
        allowed.add_requested_context(Verification)
        assoc = allowed.associate("127.0.0.1", node.config.port, ae_title=NODE_AE)
        assert assoc.is_established
        assert int(assoc.send_c_echo().Status) == 0
        assoc.release()
    text = _log(node)
    assert "AE 'INTRUDER' at 127.0.0.1 rejected: calling AE title not in the allowed list" in text
    assert f"from AE '{SENDER_AE}' at 127.0.0.1: 0 instances stored" in text


def test_an_allowed_title_from_another_host_is_rejected(
    tmp_path: Path, phantom: PhantomFiles
) -> None:
    node = _node(tmp_path, allowed=[(SENDER_AE, "127.0.0.2")], quiet_s=3600)
    with node, pytest.raises(ConnectionError, match="rejected"):
        send_files(phantom.ncct[:1], node.config.port)
    assert "rejected: calling AE title not allowed from this host" in _log(node)


@pytest.mark.skipif(shutil.which("storescu") is None, reason="dcmtk storescu not installed")
def test_dcmtk_storescu_from_a_forbidden_title_is_rejected(
    tmp_path: Path, phantom: PhantomFiles
) -> None:
    with _node(tmp_path, quiet_s=3600) as node:
        args = ["-aec", NODE_AE, "127.0.0.1", str(node.config.port), str(phantom.ncct[0])]
        bad = subprocess.run(["storescu", "-aet", "INTRUDER", *args], capture_output=True)
        good = subprocess.run(["storescu", "-aet", SENDER_AE, *args], capture_output=True)
        stored = node.index.instance_count()
    assert bad.returncode != 0 and b"Calling AE Title Not Recognized" in bad.stderr
    assert good.returncode == 0 and stored == 1


def test_instances_are_stored_once_by_sop_instance_uid(
    tmp_path: Path, phantom: PhantomFiles
) -> None:
    files = list(phantom.ncct[:5])
    with _node(tmp_path, quiet_s=3600) as node:
        assert send_files(files, node.config.port) == [0] * 5
        assert send_files(files[:3], node.config.port) == [0] * 3  # a resend: success
        studies = node.index.studies()
    stored = sorted((node.config.storage / "studies").rglob("*.dcm"))
    assert len(stored) == 5 and [p.read_bytes()[128:132] for p in stored] == [b"DICM"] * 5
    assert len(studies) == 1 and studies[0].instances == 5 and studies[0].state == "receiving"
    with sqlite3.connect(node.config.index_path) as db:
        assert db.execute("SELECT COUNT(*) FROM instances").fetchone() == (5,)
    text = _log(node)
    assert "5 instances stored, 0 already held" in text
    assert "0 instances stored, 3 already held" in text
    assert phantom.study_uid not in text  # no identifiers at INFO


def test_a_study_without_cta_is_recorded_not_analysed(
    tmp_path: Path, phantom: PhantomFiles
) -> None:
    with _node(tmp_path, quiet_s=0.5) as node:
        send_files(phantom.ncct, node.config.port)
        done = wait_for(
            lambda: [s for s in node.index.studies() if s.state not in ("receiving", "analysing")],
            60,
            "the study's outcome",
        )
        assert node.index.sends() == []
    assert done[0].state == "not analysed"
    assert done[0].detail == "not analysed: no CTA series in the study"


def test_status_lists_the_studies_and_the_queue(
    tmp_path: Path, phantom: PhantomFiles, capsys: pytest.CaptureFixture[str]
) -> None:
    from strokescope.cli import main

    config = write_config(tmp_path, port=free_port(), quiet_s=3600)
    assert main(["listen", "--config", str(config), "--status"]) == 0
    assert "no studies received yet" in capsys.readouterr().out
    with Node(load_config(config)) as node:
        send_files(phantom.ncct[:4], node.config.port)
        assert main(["listen", "--config", str(config), "--status"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].split()[:3] == ["1", "4", "receiving"]
    assert out[-1] == "send queue: 0 sent, 0 pending"
