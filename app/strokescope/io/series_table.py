"""Text and JSON listings of a folder scan, for ``strokescope info``."""

from __future__ import annotations

import json

from strokescope.io.series_info import FolderScan, SeriesInfo

COLUMNS = (
    ("#", 2),
    ("MOD", 4),
    ("DESCRIPTION", 30),
    ("SLICES", 6),
    ("SPACING mm row x col x z", 24),
    ("THICK", 5),
    ("KERNEL", 8),
    ("TILT", 5),
    ("CONTRAST", 10),
    ("SYNTAX", 18),
    ("PROBLEMS", 8),
)


def _fit(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "~"


def _num(value: float | None, fmt: str = ".3g") -> str:
    return "-" if value is None else format(value, fmt)


def syntax_name(uid: str) -> str:
    """Short name of a transfer syntax UID (the UID itself when unknown)."""
    from pydicom.uid import UID

    names = []
    for part in uid.split(", "):
        name = UID(part).name if part else "?"
        names.append(name.replace("Little Endian", "LE").replace("Big Endian", "BE"))
    return ", ".join(names)


def _row(i: int, s: SeriesInfo) -> list[str]:
    spacing = f"{s.pixel_spacing[0]:.3g} x {s.pixel_spacing[1]:.3g} x {_num(s.slice_spacing)}"
    return [
        str(i),
        s.modality or "-",
        s.description or "-",
        str(s.n_slices),
        spacing,
        _num(s.slice_thickness),
        s.kernel or "-",
        f"{s.gantry_tilt_deg:.1f}",
        s.contrast_agent or "-",
        syntax_name(s.transfer_syntax) if s.transfer_syntax else "-",
        str(len(s.problems)) if s.problems else "none",
    ]


def format_scan(scan: FolderScan) -> str:
    """A table of the series found, then their keys, problems, skipped files and warnings."""
    source = scan.source or ("DICOMDIR" if scan.used_dicomdir else "folder walk")
    lines = [
        f"{scan.folder}: {len(scan.series)} image series in {scan.n_files} files ({source})",
        "  ".join(name.ljust(width) for name, width in COLUMNS).rstrip(),
    ]
    for i, s in enumerate(scan.series, start=1):
        cells = _row(i, s)
        lines.append(
            "  ".join(
                _fit(c, w).rjust(w) if name in ("#", "SLICES") else _fit(c, w).ljust(w)
                for c, (name, w) in zip(cells, COLUMNS, strict=True)
            ).rstrip()
        )
    lines.append("")
    lines.append("Series keys (--series takes the row number # or the key):")
    lines.extend(f"  {i:>2}  {s.key}" for i, s in enumerate(scan.series, start=1))
    problems = [(i, p) for i, s in enumerate(scan.series, start=1) for p in s.problems]
    if problems:
        lines.append("Problems:")
        lines.extend(f"  {i:>2}  {p}" for i, p in problems)
    if scan.skipped:
        lines.append(f"Left out ({len(scan.skipped)}):")
        lines.extend(f"      {item.path}: {item.reason}" for item in scan.skipped[:20])
        if len(scan.skipped) > 20:
            lines.append(f"      ... and {len(scan.skipped) - 20} more")
    if scan.ignored:
        lines.append(
            f"Not DICOM by name, not read: {scan.ignored} NIfTI/NRRD/MHA/JSON file(s) "
            "(e.g. the truth/ folder of a phantom)"
        )
    if scan.warnings:
        lines.append("Warnings:")
        lines.extend(f"      {w}" for w in scan.warnings)
    return "\n".join(lines)


def scan_json(scan: FolderScan) -> str:
    """The scan as indented JSON (see :meth:`FolderScan.to_dict`)."""
    return json.dumps(scan.to_dict(), indent=2)
