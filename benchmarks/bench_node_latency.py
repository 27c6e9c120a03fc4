"""DICOM node latency: last instance received -> every result stored at the destination.

Sends the demo study's NCCT and CTA (512 x 512 x 320 each, 640 instances; generated once
into ``--cache``) to ``strokescope listen`` running in a subprocess, in one association
as a scanner would, and times from the confirmation of the last instance to the moment the
destination (a C-STORE SCP run here, as in ``bench_node_kill.py``) holds every result the
node queued (SEG, SR, Encapsulated PDF) and the node has marked them sent. Bar of the node work:
<= the quiet time + 20 s on 2 cores.

    python benchmarks/bench_node_latency.py [--quiet 5] [--cache cache/demo]

Prints a table and writes ``benchmarks/results/bench_node_latency.json``.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_node_kill import (
    ROOT,
    Destination,
    Node,
    free_port,
    query,
    send_study,
    write_config,
)

SLACK_S = 20.0


def _delivered(db: Path, dest: Destination) -> bool:
    sends = query(db, "SELECT sop_uid, state FROM sends") if db.is_file() else []
    return (
        bool(sends)
        and all(s == "sent" for _, s in sends)
        and ({uid for uid, _ in sends} <= set(dest.received))
    )


def run(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    from strokescope.demo import ensure_demo_study

    demo = ensure_demo_study(args.cache)
    files = sorted(demo.ncct.rglob("*.dcm")) + sorted(demo.cta.rglob("*.dcm"))
    dest, port = Destination(), free_port()
    node = Node(write_config(work, port, dest.port, args.quiet))
    node.start()
    db = work / "data" / "index.sqlite"
    t0 = time.perf_counter()
    sent = send_study(files, port)
    t_last = time.perf_counter()
    while not _delivered(db, dest) and time.perf_counter() - t_last < args.timeout:
        time.sleep(0.1)
    latency = time.perf_counter() - t_last
    node.stop()
    dest.server.shutdown()
    delivered = _delivered(db, dest)
    return {
        "instances": len(files),
        "all_confirmed": sent,
        "receive_seconds": round(t_last - t0, 2),
        "quiet_seconds": args.quiet,
        "last_instance_to_results_stored_s": round(latency, 2),
        "after_quiet_time_s": round(latency - args.quiet, 2),
        "results_stored": len(dest.received),
        "bar_s": args.quiet + SLACK_S,
        "bar_met": bool(sent and delivered and latency <= args.quiet + SLACK_S),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quiet", type=float, default=5.0, help="the node's quiet time (s)")
    parser.add_argument("--cache", default=str(ROOT / "cache" / "demo"), help="demo study cache")
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_node_latency_") as tmp:
        out = run(args, Path(tmp))
    for key, value in out.items():
        print(f"{key:36} {value}")
    target = ROOT / "benchmarks" / "results" / "bench_node_latency.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(out, indent=2) + "\n")
    return 0 if out["bar_met"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
