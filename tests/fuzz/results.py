"""What a fuzz run produced: the summaries compared with the baseline, and its warnings.

``info --json`` is summarised as the series found; ``results.json`` of ``ht --out`` as the
HT volume (mL), of ``thrombus --out`` as the call, segments and volume. Results match within
the tolerances below.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import numpy as np
from tests.fuzz.cli_run import CliRun

HT_REL_TOL, HT_ABS_TOL_ML = 0.03, 0.05
THROMBUS_REL_TOL, THROMBUS_ABS_TOL_MM3 = 0.10, 5.0


def warning_lines(run: CliRun) -> list[str]:
    lines = [ln for ln in run.stderr.splitlines() if re.search(r"warn", ln, re.IGNORECASE)]
    lines += [ln for ln in run.stdout.splitlines() if ln.lower().startswith("warning")]
    return lines


def _json_warnings(doc: dict[str, Any], *sections: str) -> list[str]:
    found = [str(w) for w in doc.get("warnings", [])]
    for name in sections:
        part = doc.get(name) or {}
        found += [str(w) for w in part.get("warnings", [])]
    return found


def summarise_info(doc: dict[str, Any], folder: Path) -> tuple[dict[str, Any], list[str]]:
    """The series listed (UID, slices, rows, columns) and how many listed files
    lie outside ``folder`` (a DICOMDIR or a symbolic link reaching out)."""
    series = sorted(
        (
            str(s.get("series_uid")),
            int(s.get("n_slices") or 0),
            int(s.get("rows") or 0),
            int(s.get("columns") or 0),
        )
        for s in doc.get("series", [])
    )
    root = os.path.realpath(folder) + os.sep
    files = [str(f) for s in doc.get("series", []) for f in s.get("files", [])]
    outside = sum(1 for f in files if not os.path.realpath(f).startswith(root))
    warnings = [str(w) for w in doc.get("warnings", [])]
    warnings += [f"skipped: {s}" for s in doc.get("skipped", [])]
    for s in doc.get("series", []):
        warnings += [f"problem: {p}" for p in s.get("problems", [])]
    return {"series": [list(s) for s in series], "outside": outside}, warnings


def summarise_ht(doc: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    h = doc["hemorrhage"]
    return {"volume_ml": float(h["volume_ml"])}, _json_warnings(doc, "hemorrhage")


def summarise_thrombus(doc: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    t = doc["thrombus"]
    result = {
        "occlusion": t["occlusion"],
        "lvo": t["lvo"],
        "occlusion_class": t["occlusion_class"],
        "assessed": t["assessed"],
        "segments": sorted(f"{th['side']} {th['segment']}" for th in t["thrombi"]),
        "volume_mm3": float(t["total_volume_mm3"]),
    }
    return result, _json_warnings(doc, "thrombus")


def same_result(command: str, got: dict[str, Any], want: dict[str, Any]) -> bool:
    if command == "ht":
        g, w = got["volume_ml"], want["volume_ml"]
        return bool(np.isfinite(g)) and abs(g - w) <= max(HT_REL_TOL * abs(w), HT_ABS_TOL_ML)
    if command == "thrombus":
        g, w = got["volume_mm3"], want["volume_mm3"]
        close = abs(g - w) <= max(THROMBUS_REL_TOL * abs(w), THROMBUS_ABS_TOL_MM3)
        strip = ("volume_mm3",)
        same = {k: v for k, v in got.items() if k not in strip} == {
            k: v for k, v in want.items() if k not in strip
        }
        return bool(np.isfinite(g)) and close and same
    # info: every baseline series listed unchanged, nothing from outside the folder; more
    # series inside the folder (files of another series copied in) are a correct listing
    return all(s in got["series"] for s in want["series"]) and got["outside"] == want["outside"]
