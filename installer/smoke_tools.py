"""Helpers of the bundle smoke test (:mod:`smoke_test`): the isolated launcher, the
installed package's reference CLI, JSON comparison, the phantom's bleed ROI and codecs."""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CODECS = {  # name: (transfer syntax UID, how to encode)
    "jpeg-ls": ("1.2.840.10008.1.2.4.80", "dcmcjpls"),
    "jpeg-2000": ("1.2.840.10008.1.2.4.90", "pydicom"),
    "jpeg-lossless-sv1": ("1.2.840.10008.1.2.4.70", "dcmcjpeg"),
}
VOLATILE = {"created", "path", "paths", "folder", "seconds"}  # and keys ending in _seconds or _uid


def isolated(bundle: Path, home: Path, *, network: bool) -> list[str]:
    """Command prefix: empty environment, no network (unless ``network``)."""
    env = [
        "env",
        "-i",
        "PATH=/usr/bin:/bin",
        f"HOME={home}",
        "LANG=C.UTF-8",
        "QT_QPA_PLATFORM=offscreen",
        f"XDG_RUNTIME_DIR={home}",
    ]
    if network:
        return env
    unshare = shutil.which("unshare")
    if unshare is None:
        raise SystemExit("bundle-test: unshare (util-linux) is needed to cut the network off")
    return [*env, unshare, "-n" if os.geteuid() == 0 else "-rn", "--"]


def run(cmd: Sequence[str | Path], *, timeout: float = 300, ok: bool = True) -> str:
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=timeout)
    if ok and proc.returncode != 0:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        raise RuntimeError(
            f"{Path(str(cmd[-1])).name}... exit {proc.returncode}: {' | '.join(tail)}"
        )
    return proc.stdout


def installed(*args: str | Path) -> list[str | Path]:
    """The installed package's CLI (the reference)."""
    return [sys.executable, "-m", "strokescope.cli", *args]


def stable(value: Any) -> Any:
    """``value`` without keys that legitimately differ between two runs (paths, times, UIDs)."""
    if isinstance(value, dict):
        return {
            k: stable(v)
            for k, v in value.items()
            if k not in VOLATILE and not k.endswith(("_seconds", "_uid"))
        }
    if isinstance(value, list):
        return [stable(v) for v in value]
    return value


def close(a: Any, b: Any) -> bool:
    """Equal, floats to 1e-6 relative: ITK's multi-threaded metric sums may differ in the
    last bits between two processes (seen: registration metric -1.03095210927 vs ...9277)."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(close(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def same_json(a: str, b: str, what: str) -> None:
    left, right = stable(json.loads(a)), stable(json.loads(b))
    if not close(left, right):
        raise AssertionError(f"{what} differs from the installed package's: {_diff(left, right)}")


def _diff(a: Any, b: Any, where: str = "") -> str:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b)):
            if a.get(key) != b.get(key):
                return _diff(a.get(key), b.get(key), f"{where}.{key}")
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            if x != y:
                return _diff(x, y, f"{where}[{i}]")
    return f"{where or 'value'}: {a!r} != {b!r}"


def bleed_roi(study: Path) -> str:
    """An ROI box (voxel indices) around the true follow-up bleed, 6 voxels of margin."""
    import numpy as np

    from strokescope.io.sitk_convert import read_mask

    mask = read_mask(study / "truth" / "hemorrhage.nii.gz").array
    if not mask.any():
        raise SystemExit(f"bundle-test: the phantom {study} has no follow-up bleed")
    box = []
    for axis, name in ((1, "y"), (2, "x")):
        idx = np.nonzero(mask.any(axis=tuple(a for a in range(3) if a != axis)))[0]
        lo, hi = max(int(idx.min()) - 6, 0), min(int(idx.max()) + 6, mask.shape[axis] - 1)
        box.append(f"{name}={lo}:{hi}")
    zs = np.nonzero(mask.any(axis=(1, 2)))[0]
    return f"z={int(zs.min())}:{int(zs.max())} " + " ".join(box)


def encode(followup: Path, target: Path, syntax: str, how: str) -> list[Path]:
    """Copy the follow-up series into ``target`` re-encoded losslessly with ``syntax``."""
    import pydicom

    target.mkdir(parents=True, exist_ok=True)
    out = []
    for source in sorted(followup.glob("*.dcm")):
        dest = target / source.name
        if how == "pydicom":
            ds = pydicom.dcmread(source)
            ds.compress(syntax, encoding_plugin="pylibjpeg")
            ds.save_as(dest, enforce_file_format=True)
        else:
            tool = shutil.which(how)
            if tool is None:
                raise SystemExit(f"bundle-test: {how} (Debian package dcmtk) is needed")
            run([tool, source, dest])
        out.append(dest)
    found = str(pydicom.dcmread(out[0], stop_before_pixels=True).file_meta.TransferSyntaxUID)
    if found != syntax:
        raise SystemExit(f"bundle-test: {how} wrote {found}, not {syntax}")
    return out


def pixels_sha256(path: Path) -> str:
    import pydicom

    arr = pydicom.dcmread(path).pixel_array
    return hashlib.sha256(arr.astype("<i4").tobytes()).hexdigest()


def folder_mb(folder: Path) -> float:
    """Size on disk (allocated blocks, links not followed), MiB."""
    total = 0
    for path in folder.rglob("*"):
        if not path.is_symlink() and path.is_file():
            total += path.stat().st_blocks * 512
    return total / 2**20
