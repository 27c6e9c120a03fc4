"""DICOM node restart safety: kill -9 cycles at random moments during a multi-study run.

Writes S small seeded phantom studies (default 3, 160 instances each), starts
``strokescope listen`` in a subprocess with a C-STORE destination run here, and sends the
studies to it from a thread that, like a PACS, sends a study again from its first instance
whenever an association fails. Meanwhile the node is killed with SIGKILL K times (default
10) and restarted, each time in a phase drawn at random (receiving, analysing, sending:
read from its index) after a random delay (seeded). Then it waits until every study is analysed
and every result confirmed, and checks the node work's bar: each study stored once per SOP
Instance UID, analysed into one results folder, its results delivered (the destination
holds each result SOP Instance UID; only a C-STORE in flight at a kill may repeat).

    python benchmarks/bench_node_kill.py [--studies 3] [--kills 10] [--seed 0]

Prints a table and writes ``benchmarks/results/bench_node_kill.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
NODE_AE, SENDER_AE, DEST_AE = "STROKESCOPE", "SCANNER", "ARCHIVE"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_studies(folder: Path, count: int) -> list[list[Path]]:
    from strokescope.phantom import PhantomOptions, generate_study, write_study

    studies = []
    for n in range(count):
        occlusion = ("M1", "none", "M2")[n % 3]
        study = generate_study(PhantomOptions(seed=100 + n, occlusion=occlusion).small())  # type: ignore[arg-type]
        paths = write_study(study, folder / f"s{n}", processes=1)
        studies.append(sorted(paths.ncct.rglob("*.dcm")) + sorted(paths.cta.rglob("*.dcm")))  # type: ignore[union-attr]
    return studies


class Destination:
    """A C-STORE SCP recording every SOP Instance UID it is sent."""

    def __init__(self) -> None:
        from pynetdicom import AE, AllStoragePresentationContexts, evt

        self.received: list[str] = []
        self.port = free_port()
        ae = AE(ae_title=DEST_AE)
        ae.supported_contexts = AllStoragePresentationContexts
        handlers = [(evt.EVT_C_STORE, self._store)]
        self.server = ae.start_server(("127.0.0.1", self.port), block=False, evt_handlers=handlers)

    def _store(self, event: Any) -> int:
        self.received.append(str(event.request.AffectedSOPInstanceUID))
        return 0x0000


def send_study(files: list[Path], port: int) -> bool:
    """One association sending ``files``; whether every instance was confirmed."""
    import pydicom
    from pynetdicom import AE

    ae = AE(ae_title=SENDER_AE)
    meta = pydicom.filereader.read_file_meta_info(files[0])
    ae.add_requested_context(meta.MediaStorageSOPClassUID, meta.TransferSyntaxUID)
    assoc = ae.associate("127.0.0.1", port, ae_title=NODE_AE)
    if not assoc.is_established:
        return False
    try:
        for path in files:
            status = assoc.send_c_store(path) if assoc.is_established else None
            if status is None or "Status" not in status or int(status.Status) != 0:
                return False
    finally:
        if assoc.is_established:
            assoc.release()
    return True


def sender(studies: list[list[Path]], port: int, done: threading.Event) -> None:
    """Send each study until it went through in one association (a PACS's retry)."""
    for files in studies:
        while not send_study(files, port):
            time.sleep(0.5)
    done.set()


class Node:
    def __init__(self, config: Path) -> None:
        self.config, self.process = config, None
        self.log = config.parent / "data" / "logs" / "node.log"

    def _starts(self) -> int:
        return self.log.read_text().count("listening as AE") if self.log.is_file() else 0

    def start(self) -> None:
        before = self._starts()
        cmd = [sys.executable, "-m", "strokescope.cli", "listen", "--config", str(self.config)]
        with open(self.config.parent / "stderr.txt", "ab") as err:
            self.process = subprocess.Popen(cmd, stdout=err, stderr=err, cwd=ROOT)
        while self._starts() == before:
            time.sleep(0.1)

    def kill(self) -> None:
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(60)


def query(db: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return conn.execute(sql).fetchall()


def finished(db: Path, studies: int) -> bool:
    """Every study analysed and every queued result confirmed (a negative study has no
    SEG: two results)."""
    rows = query(db, "SELECT state FROM studies")
    sends = query(db, "SELECT state FROM sends")
    return (
        len(rows) == studies
        and all(s == "analysed" for (s,) in rows)
        and len(sends) >= 2 * studies
        and all(s == "sent" for (s,) in sends)
    )


PHASES = {
    "receive": "SELECT 1 FROM studies WHERE state='receiving' LIMIT 1",
    "analysis": "SELECT 1 FROM studies WHERE state='analysing' LIMIT 1",
    "send": "SELECT 1 FROM sends WHERE state='pending' LIMIT 1",
}
"""The node is in a phase while this query returns a row."""


def wait_phase(db: Path, phase: str, limit_s: float = 30.0) -> bool:
    """Wait until the node is in ``phase``; whether it got there within ``limit_s``."""
    end = time.perf_counter() + limit_s
    while time.perf_counter() < end:
        if db.is_file() and query(db, PHASES[phase]):
            return True
        time.sleep(0.02)
    return False


def write_config(work: Path, port: int, dest_port: int, quiet: float, *, extra: str = "") -> Path:
    """``work/node.toml``: the node on ``port`` (storage ``work/data``), the sender allowed,
    the destination on ``dest_port``; ``extra`` TOML appended."""
    config = work / "node.toml"
    config.write_text(
        f'[node]\nae_title = "{NODE_AE}"\nport = {port}\nbind = "127.0.0.1"\n'
        f'storage = "data"\nquiet_seconds = {quiet}\n'
        f'[[allowed]]\nae_title = "{SENDER_AE}"\nhost = "127.0.0.1"\n'
        f'[[destinations]]\nae_title = "{DEST_AE}"\nhost = "127.0.0.1"\nport = {dest_port}\n'
        + extra
    )
    return config


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    studies = write_studies(work / "studies", args.studies)
    dest, port = Destination(), free_port()
    retry = "[retry]\nfirst_delay_seconds = 0.5\nmax_delay_seconds = 2\n"
    config = write_config(work, port, dest.port, args.quiet, extra=retry)
    node, rng, done = Node(config), random.Random(args.seed), threading.Event()
    start = time.perf_counter()
    node.start()
    threading.Thread(target=sender, args=(studies, port, done), daemon=True).start()
    db = work / "data" / "index.sqlite"
    kills = []
    for _ in range(args.kills):
        phase = rng.choice(sorted(PHASES))
        hit = wait_phase(db, phase)
        time.sleep(rng.uniform(0.0, 0.2 if phase == "send" else 1.5))
        kills.append(f"{phase if hit else 'random'}@{time.perf_counter() - start:.1f}s")
        node.kill()
        node.start()
    while not (done.is_set() and finished(db, args.studies)):
        if time.perf_counter() - start > args.timeout:
            break
        time.sleep(0.5)
    node.stop()
    dest.server.shutdown()
    instances = query(db, "SELECT COUNT(*), COUNT(DISTINCT sop_uid) FROM instances")[0]
    files = sum(1 for p in (work / "data" / "studies").rglob("*") if p.is_file())
    folders = sorted(p.parent.parent.name for p in (work / "data" / "results").rglob("results-*"))
    queued = {uid for (uid,) in query(db, "SELECT sop_uid FROM sends")}
    per_study = query(db, "SELECT instances, analyses, state FROM studies ORDER BY id")
    ok = (
        finished(db, args.studies)
        and instances == (160 * args.studies,) * 2
        and files == 160 * args.studies
        and len(folders) == len(set(folders)) == args.studies
        and set(dest.received) == queued
        and len(queued) >= 2 * args.studies
    )
    return {
        "studies": args.studies,
        "kills": args.kills,
        "kills_at": kills,
        "seconds": round(time.perf_counter() - start, 1),
        "instances_indexed_distinct": list(instances),
        "instance_files": files,
        "results_folders": len(folders),
        "per_study_instances_analyses_state": per_study,
        "results_queued": len(queued),
        "results_received": len(dest.received),
        "results_received_distinct": len(set(dest.received)),
        "bar_met": ok,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--studies", type=int, default=3)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quiet", type=float, default=3.0, help="the node's quiet time (s)")
    parser.add_argument("--timeout", type=float, default=900.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_node_kill_") as tmp:
        out = run(args, Path(tmp))
    for key, value in out.items():
        print(f"{key:36} {value}")
    target = ROOT / "benchmarks" / "results" / "bench_node_kill.json"
    target.write_text(json.dumps(out, indent=2) + "\n")
    return 0 if out["bar_met"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
