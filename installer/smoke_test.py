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
import json
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from smoke_tools import (
    CODECS,
    ROOT,
    bleed_roi,
    encode,
    folder_mb,
    installed,
    isolated,
    pixels_sha256,
    run,
    same_json,
)


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


@dataclass
class Bundle:
    """What the checks share: the bundle, its isolated launcher prefix, the work folder, the
    phantom study and what earlier steps found."""

    root: Path
    iso: list[str]
    work: Path
    max_mb: float
    allow_network: bool
    roi: str = ""
    encoded: dict[str, list[Path]] = field(default_factory=dict)
    probe: dict[str, Any] = field(default_factory=dict)
    reference: str = ""

    @property
    def exe(self) -> Path:
        return self.root / "strokescope"

    @property
    def gui(self) -> Path:
        return self.root / "strokescope-gui"

    @property
    def study(self) -> Path:
        return self.work / "study"


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bundle", type=Path, default=ROOT / "dist" / "StrokeScope")
    p.add_argument("--work", type=Path, default=ROOT / "cache" / "bundle-test")
    p.add_argument("--max-mb", type=float, default=450.0, help="size bar for the bundle")
    p.add_argument("--allow-network", action="store_true", help="do not cut the network off")
    args = p.parse_args(argv)
    bundle = args.bundle.resolve()
    if not (bundle / "strokescope").is_file():
        raise SystemExit(f"bundle-test: no bundle at {bundle} (run make bundle)")
    work = args.work.resolve()
    shutil.rmtree(work, ignore_errors=True)
    (work / "home").mkdir(parents=True)
    iso = isolated(bundle, work / "home", network=args.allow_network)
    b = Bundle(bundle, iso, work, args.max_mb, args.allow_network)
    checks = Checks()
    checks.run("bundle size", lambda: size(b))
    checks.run("fresh shell without network", lambda: sealed(b))
    make_study(b)
    checks.run("version", lambda: version(b))
    checks.run("bundle probe (models, decoders, Qt plugins)", lambda: bundle_probe(b))
    checks.run("info on the phantom study", lambda: info(b))
    ht_args: list[str | Path] = ["ht", "--ncct", b.study / "followup", "--roi", b.roi, "--json"]
    b.reference = run(installed(*ht_args, "--out", work / "out-installed"))
    checks.run("ht with an ROI + exports", lambda: ht(b, ht_args))
    for name in CODECS:
        checks.run(f"ht on the {name} follow-up", partial(ht_codec, b, name))
    checks.run("thrombus analysis", lambda: thrombus(b))
    checks.run("GUI offscreen: open the study, exit cleanly", lambda: gui_smoke(b))
    print(f"bundle-test: {checks.passed} passed, {len(checks.failed)} failed")
    return 1 if checks.failed else 0


def size(b: Bundle) -> str:
    mb = folder_mb(b.root)
    if mb > b.max_mb:
        raise AssertionError(f"{mb:.0f} MiB on disk > {b.max_mb:.0f} MiB")
    return f"{mb:.0f} MiB on disk (bar {b.max_mb:.0f})"


def sealed(b: Bundle) -> str:
    out = run(
        [
            *b.iso,
            "/bin/sh",
            "-c",
            "echo $PATH; tail -n +3 /proc/net/dev | cut -d: -f1; command -v python3 python || true",
        ]
    )
    lines = out.split()
    if ".venv" in out or "VIRTUAL_ENV" in out:
        raise AssertionError(f"a virtual environment leaks into the shell: {out!r}")
    if not b.allow_network and [n for n in lines[1:] if n.startswith(("eth", "en"))]:
        raise AssertionError(f"network interfaces visible: {lines[1:]}")
    return f"PATH={lines[0]}, interfaces {[n for n in lines[1:] if '/' not in n]}"


def make_study(b: Bundle) -> None:
    """The phantom study (installed package), its bleed ROI and the re-encoded follow-ups."""
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
            b.study,
        )
    )
    b.roi = bleed_roi(b.study)
    b.encoded = {
        name: encode(b.study / "followup", b.work / name, syntax, how)
        for name, (syntax, how) in CODECS.items()
    }


def version(b: Bundle) -> str:
    from strokescope import __version__

    out = run([*b.iso, b.exe, "--version"]).strip()
    if out != f"strokescope {__version__}":
        raise AssertionError(f"{out!r} != strokescope {__version__}")
    return out


def bundle_probe(b: Bundle) -> str:
    files = [paths[0] for paths in b.encoded.values()]
    probe = b.probe
    probe.update(json.loads(run([*b.iso, b.exe, "--bundle-probe", *files])))
    if not probe["frozen"] or not probe["models_dir"].startswith(str(b.root)):
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
    for name, paths in b.encoded.items():
        got = probe["decoded"][str(paths[0])]["sha256"]
        if got != pixels_sha256(b.study / "followup" / paths[0].name):
            raise AssertionError(f"{name}: decoded pixels differ from the original")
    if "libqoffscreen.so" not in probe["qt_platforms"]:
        raise AssertionError(f"no offscreen Qt plugin: {probe['qt_platforms']}")
    return (
        f"models {probe['models'] or 'none'}; pylibjpeg decoded {', '.join(CODECS)} "
        f"exactly; Qt platforms {len(probe['qt_platforms'])}"
    )


def info(b: Bundle) -> str:
    same_json(
        run([*b.iso, b.exe, "info", "--json", b.study]),
        run(installed("info", "--json", b.study)),
        "info --json",
    )
    return "3 series"


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def ht(b: Bundle, ht_args: list[str | Path]) -> str:
    got = run([*b.iso, b.exe, *ht_args, "--out", b.work / "out-bundle"])
    same_json(got, b.reference, "ht --json")
    ours, theirs = _files(b.work / "out-bundle"), _files(b.work / "out-installed")
    if ours != theirs or not ours:
        raise AssertionError(f"exported files {ours} != {theirs}")
    for name in (n for n in ours if n.endswith(".json")):
        same_json(
            (b.work / "out-bundle" / name).read_text(),
            (b.work / "out-installed" / name).read_text(),
            name,
        )
    return f"{json.loads(got)['volume_ml']} mL in {b.roi!r}; {len(ours)} files exported"


def ht_codec(b: Bundle, name: str) -> str:
    got = run([*b.iso, b.exe, "ht", "--ncct", b.work / name, "--roi", b.roi, "--json"])
    same_json(got, b.reference, f"ht on {name}")
    return f"{json.loads(got)['volume_ml']} mL"


def thrombus(b: Bundle) -> str:
    commands = run([*b.iso, b.exe, "--help"])
    if "thrombus" not in commands:
        return "skipped: this build's CLI has no thrombus command"
    if "manifest.json" not in b.probe.get("models", []):
        return "skipped: no model in models_onnx/"
    cmd: list[str | Path] = [
        "thrombus",
        "--ncct",
        b.study / "ncct",
        "--cta",
        b.study / "cta",
        "--json",
    ]
    same_json(
        run([*b.iso, b.exe, *cmd], timeout=900),
        run(installed(*cmd), timeout=900),
        "thrombus --json",
    )
    return "equal to the installed package"


def gui_smoke(b: Bundle) -> str:
    start = time.perf_counter()
    out = run([*b.iso, b.gui, "--quit-after-load", b.study], timeout=300)
    if "main window shown" not in out or "idle; loaded" not in out:
        raise AssertionError(f"unexpected GUI output {out!r}")
    loaded = out.split("idle; loaded", 1)[1].strip()
    return f"{loaded} in {time.perf_counter() - start:.1f} s"


if __name__ == "__main__":
    sys.exit(main())
