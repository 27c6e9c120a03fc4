"""Helpers of the node tests: free ports, node configurations, a DICOM sender, Orthanc."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

NODE_AE = "STROKESCOPE"
SENDER_AE = "SCANNER"
ORTHANC_AE = "ORTHANC"


def free_port() -> int:
    """A TCP port nobody listens on now (localhost)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_config(
    folder: Path,
    *,
    port: int,
    allowed: Sequence[tuple[str, str | None]] = ((SENDER_AE, "127.0.0.1"),),
    destinations: Sequence[tuple[str, int]] = (),
    quiet_s: float = 1.0,
    first_delay_s: float = 0.5,
    max_delay_s: float = 2.0,
    outcome_model: str | None = None,
) -> Path:
    """A node.toml in ``folder`` (storage ``folder/data``); destinations are (AE, port)
    on localhost; ``outcome_model`` the ``[analysis]`` key, when given."""
    lines = [
        "[node]",
        f'ae_title = "{NODE_AE}"',
        f"port = {port}",
        'bind = "127.0.0.1"',
        'storage = "data"',
        f"quiet_seconds = {quiet_s}",
        "[retry]",
        f"first_delay_seconds = {first_delay_s}",
        f"max_delay_seconds = {max_delay_s}",
        "[analysis]",
        "threads = 2",
        *([f'outcome_model = "{outcome_model}"'] if outcome_model else []),
    ]
    for ae, host in allowed:
        lines += ["[[allowed]]", f'ae_title = "{ae}"'] + ([f'host = "{host}"'] if host else [])
    for ae, dest_port in destinations:
        lines += ["[[destinations]]", f'ae_title = "{ae}"', 'host = "127.0.0.1"']
        lines += [f"port = {dest_port}"]
    path = folder / "node.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def dicom_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.dcm") if p.is_file())


def send_files(
    files: Sequence[Path],
    port: int,
    *,
    calling: str = SENDER_AE,
    after_each: Callable[[int], None] | None = None,
) -> list[int]:
    """C-STORE ``files`` to the node on ``port`` in one association (pynetdicom SCU); the
    status of each (-1: no answer). Raises ``ConnectionError`` when it is not accepted."""
    import pydicom
    from pynetdicom import AE

    ae = AE(ae_title=calling)
    for path in files[:1]:
        meta = pydicom.filereader.read_file_meta_info(path)
        ae.add_requested_context(meta.MediaStorageSOPClassUID, meta.TransferSyntaxUID)
    assoc = ae.associate("127.0.0.1", port, ae_title=NODE_AE)
    if not assoc.is_established:
        raise ConnectionError("rejected" if assoc.is_rejected else "not established")
    statuses = []
    try:
        for n, path in enumerate(files):
            status = assoc.send_c_store(path) if assoc.is_established else None
            ok = status is not None and "Status" in status
            statuses.append(int(status.Status) if ok else -1)
            if after_each is not None:
                after_each(n)
    finally:
        if assoc.is_established:
            assoc.release()
    return statuses


def wait_for(check: Callable[[], Any], timeout_s: float, what: str, poll_s: float = 0.25) -> Any:
    """Poll ``check`` until it returns something true; fail with ``what`` on timeout."""
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        time.sleep(poll_s)
    raise AssertionError(f"timed out after {timeout_s:.0f} s waiting for {what}")


class Orthanc:
    """An Orthanc server on free localhost ports with its storage in ``folder``."""

    def __init__(self, folder: Path, *, node_port: int) -> None:
        self.dicom_port, self.http_port = free_port(), free_port()
        folder.mkdir(parents=True, exist_ok=True)
        config = {
            "Name": "strokescope-test",
            "DicomAet": ORTHANC_AE,
            "DicomPort": self.dicom_port,
            "HttpPort": self.http_port,
            "RemoteAccessAllowed": False,
            "AuthenticationEnabled": False,
            "StorageDirectory": str(folder / "storage"),
            "IndexDirectory": str(folder / "index"),
            "DicomModalities": {"node": [NODE_AE, "127.0.0.1", node_port]},
            "Plugins": [],
        }
        self.config = folder / "orthanc.json"
        self.config.write_text(json.dumps(config, indent=2), encoding="utf-8")
        self.log = open(folder / "orthanc.log", "wb")  # noqa: SIM115 - closed in stop()
        binary = shutil.which("Orthanc")
        assert binary is not None
        self.process = subprocess.Popen(
            [binary, str(self.config)], stdout=self.log, stderr=subprocess.STDOUT
        )
        wait_for(self._alive, 30, "Orthanc's REST API")

    def _alive(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"Orthanc exited with {self.process.returncode}")
        try:
            self.get("/system")
        except OSError:
            return False
        return True

    def request(self, method: str, path: str, body: bytes | None = None) -> Any:
        url = f"http://127.0.0.1:{self.http_port}{path}"
        req = urllib.request.Request(url, data=body, method=method)
        with urllib.request.urlopen(req, timeout=60) as rsp:
            return json.loads(rsp.read() or b"null")

    def get(self, path: str) -> Any:
        return self.request("GET", path)

    def upload(self, files: Sequence[Path]) -> str:
        """POST ``files`` to /instances; the Orthanc ID of their (one) study."""
        studies = {self.request("POST", "/instances", p.read_bytes())["ParentStudy"] for p in files}
        assert len(studies) == 1, studies
        return studies.pop()

    def series_by_modality(self, study_uid: str) -> dict[str, list[dict[str, Any]]]:
        """The series of the study with this Study Instance UID, by Modality."""
        found = self.request(
            "POST",
            "/tools/find",
            json.dumps({"Level": "Study", "Query": {"StudyInstanceUID": study_uid}}).encode(),
        )
        out: dict[str, list[dict[str, Any]]] = {}
        for study in found:
            for series in self.get(f"/studies/{study}/series"):
                out.setdefault(series["MainDicomTags"].get("Modality", ""), []).append(series)
        return out

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
