"""Build-time ``ABOUT.txt``, ``about.json`` and ``LICENSES/`` for the offline bundle.

Run by ``strokescope.spec`` after PyInstaller has collected the bundle: it maps every bundled
top-level module to the distribution that installed it (``importlib.metadata``), then writes

- ``ABOUT.txt``: StrokeScope's version, the build date and platform, the sha256 of every file
  in the bundled ``models_onnx/`` (and whether it matches ``manifest.json``), and one line per
  third-party distribution: name, version, licence;
- ``about.json``: the same, machine-readable (the smoke test reads it);
- ``LICENSES/<distribution>/``: the licence and notice files each distribution ships (its
  ``License-File`` entries, or any LICENSE/COPYING/NOTICE file it installed), Python's own
  licence, and a ``METADATA-LICENSE.txt`` when a distribution ships no licence file.

This is build tooling, not part of the app: it runs with the build environment's Python.
"""

from __future__ import annotations

import datetime
import importlib.metadata as md
import json
import platform
import re
import shutil
import sys
import sysconfig
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from strokescope.resources import sha256_file

LICENCE_NAME = re.compile(r"(LICEN[CS]E|COPYING|NOTICE|THIRDPARTY|AUTHORS)", re.IGNORECASE)
MAX_LICENCE_BYTES = 2_000_000
PROJECT = "strokescope"


def bundled_distributions(modules: Iterable[str]) -> list[md.Distribution]:
    """The installed distributions that provide ``modules`` (dotted names), StrokeScope first."""
    owners = md.packages_distributions()
    names: set[str] = set()
    for module in modules:
        names.update(owners.get(module.split(".")[0], ()))
    dists = {_canonical(md.distribution(n).metadata["Name"]): md.distribution(n) for n in names}
    return sorted(
        dists.values(), key=lambda d: (_canonical(d.metadata["Name"]) != PROJECT, _key(d))
    )


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _key(dist: md.Distribution) -> str:
    return _canonical(dist.metadata["Name"])


def _field(dist: md.Distribution, name: str) -> str:
    """One metadata field, '' when absent."""
    values = dist.metadata.get_all(name) or []
    return str(values[0]) if values else ""


def licence_of(dist: md.Distribution) -> str:
    """SPDX expression, else the License field, else the OSI classifiers, else 'unknown'."""
    meta = dist.metadata
    expression = (_field(dist, "License-Expression")).strip()
    if expression:
        return expression
    text = _field(dist, "License").strip()
    if text and "\n" not in text and len(text) < 80:
        return text
    classifiers = [
        c.split("::")[-1].strip() for c in meta.get_all("Classifier") or [] if "License ::" in c
    ]
    return " / ".join(classifiers) if classifiers else "unknown (see LICENSES/)"


def licence_files(dist: md.Distribution) -> list[Path]:
    """The licence/notice files ``dist`` installed (existing files only)."""
    found: list[Path] = []
    for entry in dist.files or ():
        if LICENCE_NAME.search(entry.name) and not entry.name.endswith((".py", ".pyc")):
            path = Path(str(dist.locate_file(entry)))
            if path.is_file() and path.stat().st_size <= MAX_LICENCE_BYTES:
                found.append(path)
    return found


def model_checksums(models: Path) -> list[dict[str, Any]]:
    """sha256 of every file in ``models`` and whether it matches its manifest's entry
    (``manifest.json``, the thrombus networks; ``arteries_ncct.json``, the arterial map)."""
    if not models.is_dir():
        return []
    listed: dict[str, str] = {}
    for manifest in (models / "manifest.json", models / "arteries_ncct.json"):
        if manifest.is_file():
            listed |= _manifest_hashes(json.loads(manifest.read_text(encoding="utf-8")))
    rows = []
    for path in sorted(p for p in models.rglob("*") if p.is_file()):
        name = path.relative_to(models).as_posix()
        digest = sha256_file(path)
        expected = listed.get(name)
        rows.append(
            {
                "file": name,
                "sha256": digest,
                "bytes": path.stat().st_size,
                "manifest": None if expected is None else expected == digest,
            }
        )
    return rows


def _manifest_hashes(manifest: Any) -> dict[str, str]:
    """``{file: sha256}`` from wherever the manifest lists them (``files`` or per stage)."""
    found: dict[str, str] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            name, digest = node.get("file") or node.get("path"), node.get("sha256")
            if isinstance(name, str) and isinstance(digest, str):
                found[name] = digest
            for key, value in node.items():
                if isinstance(value, str) and re.fullmatch(r"[0-9a-f]{64}", value):
                    found.setdefault(key, value)
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(manifest)
    return found


def write_about(
    bundle: Path, *, modules: Iterable[str], models: Path, version: str
) -> dict[str, Any]:
    """Write ``ABOUT.txt``, ``about.json`` and ``LICENSES/`` into ``bundle``; return the record."""
    dists = bundled_distributions(modules)
    licences = bundle / "LICENSES"
    shutil.rmtree(licences, ignore_errors=True)
    third_party = []
    for dist in dists:
        name = dist.metadata["Name"]
        folder = licences / _canonical(name)
        folder.mkdir(parents=True, exist_ok=True)
        files = licence_files(dist)
        for path in files:
            shutil.copyfile(path, folder / _unique(folder, path.name))
        if not files:
            (folder / "METADATA-LICENSE.txt").write_text(
                f"{name} {dist.version}: licence from its package metadata: {licence_of(dist)}\n"
                f"Home page: {_field(dist, 'Home-page') or _urls(dist)}\n",
                encoding="utf-8",
            )
        third_party.append({"name": name, "version": dist.version, "licence": licence_of(dist)})
    python_licence = Path(sysconfig.get_paths()["stdlib"]) / "LICENSE.txt"
    if python_licence.is_file():
        (licences / "python").mkdir(exist_ok=True)
        shutil.copyfile(python_licence, licences / "python" / "LICENSE.txt")
    record = {
        "name": "StrokeScope",
        "version": version,
        "built": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "platform": f"{platform.system()} {platform.machine()}",
        "python": platform.python_version(),
        "models": model_checksums(models),
        "distributions": [
            {"name": "Python", "version": platform.python_version(), "licence": "PSF-2.0"},
            *third_party,
        ],
    }
    (bundle / "about.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    (bundle / "ABOUT.txt").write_text(format_about(record), encoding="utf-8")
    return record


def _unique(folder: Path, name: str) -> str:
    candidate, n = name, 1
    while (folder / candidate).exists():
        n += 1
        candidate = f"{n}-{name}"
    return candidate


def _urls(dist: md.Distribution) -> str:
    return ", ".join(
        u.split(",", 1)[-1].strip() for u in dist.metadata.get_all("Project-URL") or []
    )


def format_about(record: dict[str, Any]) -> str:
    """The human-readable ABOUT.txt."""
    lines = [
        f"StrokeScope {record['version']} offline bundle",
        "Research use only, not for diagnosis.",
        f"Built {record['built']} on {record['platform']} with Python {record['python']}.",
        "",
        "Models (models_onnx/, sha256):",
    ]
    if not record["models"]:
        lines.append("  none bundled: thrombus analysis is unavailable in this build")
    for row in record["models"]:
        check = {None: "not in manifest", True: "matches manifest", False: "DIFFERS from manifest"}
        lines.append(f"  {row['sha256']}  {row['file']} ({check[row['manifest']]})")
    lines += ["", "Third-party software (licence texts in LICENSES/):"]
    width = max(len(d["name"]) for d in record["distributions"])
    for dist in record["distributions"]:
        lines.append(f"  {dist['name']:<{width}}  {dist['version']:<12}  {dist['licence']}")
    lines += [
        "",
        "pylibjpeg-libjpeg is GPL-3.0: this bundle as a whole is distributed under GPL-3.0",
        "terms; Qt (PySide6) is used under LGPL-3.0 and its libraries are the unmodified",
        "shared libraries in _internal/PySide6, which a user may replace.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":  # python installer/about.py BUNDLE MODELS: regenerate by hand
    out = write_about(
        Path(sys.argv[1]), modules=["strokescope"], models=Path(sys.argv[2]), version="dev"
    )
    print(format_about(out))
