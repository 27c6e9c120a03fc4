"""The ``strokescope listen`` command: its arguments and the lines it prints.

Imported when the parser is built, so it imports nothing heavy; the node itself is
:class:`strokescope.node.service.Node`.
"""

from __future__ import annotations

import argparse
import sys
import time

DESCRIPTION = (
    "Runs a DICOM node: a Storage SCP that accepts studies from the calling AE titles the "
    "configuration allows, analyses each study once no instance arrived for the quiet time "
    "(thrombus when NCCT + CTA are present) and sends the DICOM SEG, SR and Encapsulated "
    "PDF back to the configured destinations, retrying until they are stored. The queue "
    "lives in STORAGE/index.sqlite: a restarted node resumes where it stopped. Stop it with "
    "Ctrl-C or SIGTERM. The log is STORAGE/logs/node.log."
)


def add_listen_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", required=True, metavar="NODE.toml", help="the node's configuration file"
    )
    parser.add_argument(
        "--status",
        action="store_true",
        help="print the received studies and the send queue, then exit (the node may run)",
    )


def _status(config_path: str) -> str:
    from strokescope.node.config import load_config
    from strokescope.node.index import Index

    config = load_config(config_path)
    if not config.index_path.is_file():
        return f"{config.index_path}: no studies received yet"
    index = Index(config.index_path)
    try:
        studies, sends = index.studies(), index.sends()
    finally:
        index.close()
    lines = [f"{'study':>5}  {'instances':>9}  {'state':<13} detail"]
    for s in studies:
        lines.append(f"{s.id:>5}  {s.instances:>9}  {s.state:<13} {s.detail}")
    pending = [r for r in sends if r.state == "pending"]
    lines.append(f"send queue: {len(sends) - len(pending)} sent, {len(pending)} pending")
    for r in pending:
        when = max(0.0, r.next_try - time.time())
        lines.append(
            f"  study {r.study_id} -> {r.destination}: {r.attempts} attempt(s), next in "
            f"{when:.0f} s, last error: {r.last_error or '-'}"
        )
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Print the status, or run the node until Ctrl-C / SIGTERM; exit status 0."""
    if args.status:
        print(_status(args.config))
        return 0
    from strokescope.node.config import load_config
    from strokescope.node.service import run_node

    config = load_config(args.config)
    print(
        f"listen: AE {config.ae_title} on {config.bind}:{config.port}, storage "
        f"{config.storage}, log {config.log_path} (Ctrl-C stops)",
        file=sys.stderr,
        flush=True,
    )
    return run_node(config)
