"""``make bundle-test``: prove that dist/StrokeScope runs with no Python and no network.

Run with the development environment's Python (it makes the inputs and the reference numbers
with the installed package), after ``make bundle``::

    python installer/smoke_test.py [--bundle dist/StrokeScope] [--work cache/bundle-test]

Every bundled command runs from a fresh environment (``env -i``: PATH=/usr/bin:/bin, no
virtual environment, no PYTHONPATH, an empty HOME) inside a new network namespace with no
interface but a downed loopback (``unshare -n``, or ``unshare -rn`` when not root). Checks:

1. the bundle's size on disk (printed; at most ``--max-mb``);
2. ``--bundle-probe``: models folder inside the bundle, pylibjpeg decoders registered through
   their entry points, Qt's offscreen platform plugin present;
3. a phantom study (made by the installed package, 128 matrix): ``info`` and ``ht`` with an
   ROI around the true bleed, exports via ``--out``, all equal to the installed package's;
4. the follow-up re-encoded as JPEG-LS, JPEG 2000 and JPEG Lossless SV1 (dcmtk's dcmcjpls and
   dcmcjpeg, pydicom + openjpeg): each file decoded by the bundle's pylibjpeg equals the
   uncompressed pixels, and ``ht`` on each gives the uncompressed result;
5. thrombus analysis, when the bundle holds a model and the CLI has a ``thrombus`` command;
6. the GUI offscreen: opens the study, loads every series, exits 0 (``--quit-after-load``).

Prints one line per check and ``N passed, N failed``; exits 1 if any check failed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
CODECS = {  # name: (transfer syntax UID, how to encode)
    "jpeg-ls": ("1.2.840.10008.1.2.4.80", "dcmcjpls"),
    "jpeg-2000": ("1.2.840.10008.1.2.4.90", "pydicom"),
    "jpeg-lossless-sv1": ("1.2.840.10008.1.2.4.70", "dcmcjpeg"),
}
VOLATILE = {"created", "path", "paths", "folder", "seconds"}  # and keys ending in _seconds or _uid


class Checks:
    """Collects pass/fail lines."""

    def __init__(self) -> None:
        self.passed = 0
        self.failed: list[str] = []

    def run(self, name: str, fn: Callable[[], str]) -> None:
        start = time.perf_counter()
        try:
            detail = fn()
        except Exception as exc:  # one failed check must not stop the others
            self.failed.append(name)
            print(f"FAIL {name}: {type(exc).__name__}: {exc}", flush=True)
            return
        self.passed += 1
        print(
            f"ok   {name} ({time.perf_counter() - start:.1f} s){': ' + detail if detail else ''}",
            flush=True,
        )


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


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bundle", type=Path, default=ROOT / "dist" / "StrokeScope")
    p.add_argument("--work", type=Path, default=ROOT / "cache" / "bundle-test")
    p.add_argument("--max-mb", type=float, default=450.0, help="size bar for the bundle")
    p.add_argument("--allow-network", action="store_true", help="do not cut the network off")
    args = p.parse_args(argv)
    bundle = args.bundle.resolve()
    exe, gui = bundle / "strokescope", bundle / "strokescope-gui"
    if not exe.is_file():
        raise SystemExit(f"bundle-test: no bundle at {bundle} (run make bundle)")
    work = args.work.resolve()
    shutil.rmtree(work, ignore_errors=True)
    (work / "home").mkdir(parents=True)
    iso = isolated(bundle, work / "home", network=args.allow_network)
    study = work / "study"
    checks = Checks()

    def size() -> str:
        mb = folder_mb(bundle)
        if mb > args.max_mb:
            raise AssertionError(f"{mb:.0f} MiB on disk > {args.max_mb:.0f} MiB")
        return f"{mb:.0f} MiB on disk (bar {args.max_mb:.0f})"

    checks.run("bundle size", size)

    def sealed() -> str:
        out = run(
            [
                *iso,
                "/bin/sh",
                "-c",
                "echo $PATH; tail -n +3 /proc/net/dev | cut -d: -f1; "
                "command -v python3 python || true",
            ]
        )
        lines = out.split()
        if ".venv" in out or "VIRTUAL_ENV" in out:
            raise AssertionError(f"a virtual environment leaks into the shell: {out!r}")
        if not args.allow_network and [n for n in lines[1:] if n.startswith(("eth", "en"))]:
            raise AssertionError(f"network interfaces visible: {lines[1:]}")
        return f"PATH={lines[0]}, interfaces {[n for n in lines[1:] if '/' not in n]}"

    checks.run("fresh shell without network", sealed)

    run(
        installed(
            "phantom",
            "--matrix",
            "128",
            "--inplane-mm",
            "1.8",
            "--slice-mm",
            "2",
            "--hemorrhage",
            "PH:20",
            "--seed",
            "3",
            study,
        )
    )
    roi = bleed_roi(study)
    encoded = {
        name: encode(study / "followup", work / name, syntax, how)
        for name, (syntax, how) in CODECS.items()
    }

    def version() -> str:
        from strokescope import __version__

        out = run([*iso, exe, "--version"]).strip()
        if out != f"strokescope {__version__}":
            raise AssertionError(f"{out!r} != strokescope {__version__}")
        return out

    checks.run("version", version)

    probe: dict[str, Any] = {}

    def bundle_probe() -> str:
        files = [paths[0] for paths in encoded.values()]
        probe.update(json.loads(run([*iso, exe, "--bundle-probe", *files])))
        if not probe["frozen"] or not probe["models_dir"].startswith(str(bundle)):
            raise AssertionError(f"models folder outside the bundle: {probe['models_dir']}")
        shipped = (
            sorted(p.name for p in (ROOT / "models_onnx").glob("*"))
            if (ROOT / "models_onnx").is_dir()
            else []
        )
        if probe["models"] != shipped:
            raise AssertionError(f"bundled models {probe['models']} != models_onnx {shipped}")
        for name, (syntax, _) in CODECS.items():
            if syntax not in probe["pylibjpeg_decoders"]:
                raise AssertionError(f"pylibjpeg has no {name} decoder in the bundle")
            if "pylibjpeg" not in probe["pydicom_plugins"][name]:
                raise AssertionError(f"pydicom's pylibjpeg plugin unavailable for {name}")
        for name, paths in encoded.items():
            got = probe["decoded"][str(paths[0])]["sha256"]
            if got != pixels_sha256(study / "followup" / paths[0].name):
                raise AssertionError(f"{name}: decoded pixels differ from the original")
        if "libqoffscreen.so" not in probe["qt_platforms"]:
            raise AssertionError(f"no offscreen Qt plugin: {probe['qt_platforms']}")
        return (
            f"models {probe['models'] or 'none'}; pylibjpeg decoded {', '.join(CODECS)} "
            f"exactly; Qt platforms {len(probe['qt_platforms'])}"
        )

    checks.run("bundle probe (models, decoders, Qt plugins)", bundle_probe)

    def info() -> str:
        same_json(
            run([*iso, exe, "info", "--json", study]),
            run(installed("info", "--json", study)),
            "info --json",
        )
        return "3 series"

    checks.run("info on the phantom study", info)

    ht_args: list[str | Path] = ["ht", "--ncct", study / "followup", "--roi", roi, "--json"]
    reference = run(installed(*ht_args, "--out", work / "out-installed"))

    def files(folder: Path) -> list[str]:
        return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())

    def ht() -> str:
        got = run([*iso, exe, *ht_args, "--out", work / "out-bundle"])
        same_json(got, reference, "ht --json")
        ours, theirs = files(work / "out-bundle"), files(work / "out-installed")
        if ours != theirs or not ours:
            raise AssertionError(f"exported files {ours} != {theirs}")
        for name in (n for n in ours if n.endswith(".json")):
            same_json(
                (work / "out-bundle" / name).read_text(),
                (work / "out-installed" / name).read_text(),
                name,
            )
        return f"{json.loads(got)['volume_ml']} mL in {roi!r}; {len(ours)} files exported"

    checks.run("ht with an ROI + exports", ht)

    for name in CODECS:

        def ht_codec(name: str = name) -> str:
            got = run([*iso, exe, "ht", "--ncct", work / name, "--roi", roi, "--json"])
            same_json(got, reference, f"ht on {name}")
            return f"{json.loads(got)['volume_ml']} mL"

        checks.run(f"ht on the {name} follow-up", ht_codec)

    def thrombus() -> str:
        commands = run([*iso, exe, "--help"])
        if "thrombus" not in commands:
            return "skipped: this build's CLI has no thrombus command"
        if "manifest.json" not in probe.get("models", []):
            return "skipped: no model in models_onnx/"
        cmd = ["thrombus", "--ncct", study / "ncct", "--cta", study / "cta", "--json"]
        same_json(
            run([*iso, exe, *cmd], timeout=900),
            run(installed(*cmd), timeout=900),
            "thrombus --json",
        )
        return "equal to the installed package"

    checks.run("thrombus analysis", thrombus)

    def gui_smoke() -> str:
        start = time.perf_counter()
        out = run([*iso, gui, "--quit-after-load", study], timeout=300)
        if "main window shown" not in out or "idle; loaded" not in out:
            raise AssertionError(f"unexpected GUI output {out!r}")
        loaded = out.split("idle; loaded", 1)[1].strip()
        return f"{loaded} in {time.perf_counter() - start:.1f} s"

    checks.run("GUI offscreen: open the study, exit cleanly", gui_smoke)

    print(f"bundle-test: {checks.passed} passed, {len(checks.failed)} failed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
