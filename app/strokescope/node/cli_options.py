"""The ``strokescope listen`` command: its arguments and the lines it prints.

Imported when the parser is built, so it imports nothing heavy; the node itself is
:class:`strokescope.node.service.Node`.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from strokescope.errors import InputError

if TYPE_CHECKING:
    from strokescope.node.ht_queue import HtRequest

DESCRIPTION = (
    "Runs a DICOM node: a Storage SCP that accepts studies from the calling AE titles the "
    "configuration allows, analyses each study once no instance arrived for the quiet time "
    "(thrombus when NCCT + CTA are present) and sends the DICOM SEG, SR and Encapsulated "
    "PDF back to the configured destinations, retrying until they are stored. The queue "
    "lives in STORAGE/index.sqlite: a restarted node resumes where it stopped. Stop it with "
    "Ctrl-C or SIGTERM. The log is STORAGE/logs/node.log. HT volumetry runs on request: "
    "'--ht STUDY --click POINT' (or --lps, --roi) queues a measurement on the study's "
    "follow-up NCCT for the node (running or at its next start) and exits."
)


def add_listen_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", required=True, metavar="NODE.toml", help="the node's configuration file"
    )
    parser.add_argument(
        "--status",
        action="store_true",
        help="print the received studies, the HT requests and the send queue, then exit "
        "(the node may run)",
    )
    ht = parser.add_argument_group(
        "HT on request",
        "queue an HT measurement on the follow-up NCCT of a received study (the NCCT the "
        "series rules call follow-up, or the NCCT of a study without CTA); it is checked "
        "now, measured by the node and its SEG, SR and PDF sent like thrombus results",
    )
    ht.add_argument(
        "--ht",
        metavar="STUDY",
        help="the study: its number in --status, its Study Instance UID or the UID's end",
    )
    ht.add_argument(
        "--click",
        action="append",
        default=[],
        help="a point on the bleed in voxels, e.g. 'z=12 y=150 x=140' (repeatable)",
    )
    ht.add_argument(
        "--lps",
        action="append",
        nargs=3,
        type=float,
        default=[],
        metavar=("X", "Y", "Z"),
        help="a point on the bleed in patient LPS mm, e.g. --lps -40.5 12 30 (repeatable)",
    )
    ht.add_argument(
        "--roi", action="append", default=[], help="an ROI box, as 'strokescope ht --roi'"
    )


def _status(config_path: str) -> str:
    from strokescope.node import ht_queue
    from strokescope.node.config import load_config
    from strokescope.node.index import Index

    config = load_config(config_path)
    if not config.index_path.is_file():
        return f"{config.index_path}: no studies received yet"
    index = Index(config.index_path)
    try:
        studies, sends, requests = index.studies(), index.sends(), ht_queue.requests(index)
    finally:
        index.close()
    lines = [f"{'study':>5}  {'instances':>9}  {'state':<13} detail"]
    for s in studies:
        lines.append(f"{s.id:>5}  {s.instances:>9}  {s.state:<13} {s.detail}")
    lines.extend(_request_lines(requests))
    pending = [r for r in sends if r.state == "pending"]
    lines.append(f"send queue: {len(sends) - len(pending)} sent, {len(pending)} pending")
    for r in pending:
        when = max(0.0, r.next_try - time.time())
        lines.append(
            f"  study {r.study_id} -> {r.destination}: {r.attempts} attempt(s), next in "
            f"{when:.0f} s, last error: {r.last_error or '-'}"
        )
    return "\n".join(lines)


def _request_lines(requests: Sequence[HtRequest]) -> list[str]:
    if not requests:
        return []
    lines = [f"HT requests: {len(requests)}"]
    for r in requests:
        detail = f": {r.detail}" if r.detail else ""
        lines.append(f"  {r.id} study {r.study_id} ({r.where}): {r.state}{detail}")
    return lines


def _request_ht(args: argparse.Namespace) -> int:
    from strokescope.node.config import load_config
    from strokescope.node.ht_request import submit_ht_request

    config = load_config(args.config)
    request, new = submit_ht_request(
        config.storage,
        args.ht,
        clicks=args.click,
        rois=args.roi,
        points_lps=[(x, y, z) for x, y, z in args.lps],
    )
    if new:
        n = len(config.destinations)
        sends = f"SEG, SR and PDF go to {n} destination(s)" if n else "no destination configured"
        print(
            f"HT request {request.id} queued for study {request.study_id} ({request.where}); "
            f"the node measures it (now if it runs, else at its next start); {sends}"
        )
    else:
        detail = f": {request.detail}" if request.detail else ""
        print(f"HT request {request.id} for study {request.study_id} is {request.state}{detail}")
    return 0


def run(args: argparse.Namespace) -> int:
    """Print the status, queue an HT request, or run the node until Ctrl-C / SIGTERM;
    exit status 0."""
    ht_options = args.click or args.lps or args.roi
    if ht_options and args.ht is None:
        raise InputError("--click, --lps and --roi go with --ht STUDY")
    if args.ht is not None:
        if args.status:
            raise InputError("give --status or --ht, not both")
        return _request_ht(args)
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
