"""Draw a PDF page as PNG with poppler's ``pdftoppm``, for previews only.

The exports never need it: when ``pdftoppm`` is not installed (common on Windows and
macOS), :func:`first_page_png` raises :class:`~strokescope.errors.PreviewUnavailable`
with a message saying so, and the caller shows that message instead of the page.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from strokescope.errors import PreviewUnavailable

RENDERER = "pdftoppm"
MISSING = (
    "report preview needs poppler's pdftoppm, which is not installed here (install "
    "poppler-utils to see it); exporting does not need it"
)
TIMEOUT_S = 60.0


def first_page_png(pdf: bytes, *, dpi: float = 60.0) -> bytes:
    """Page 1 of ``pdf`` as PNG bytes at ``dpi`` (60 dpi: an A4 page is 496 x 702 px).

    Raises
    ------
    PreviewUnavailable
        ``pdftoppm`` is not on PATH, fails or writes nothing.
    """
    exe = shutil.which(RENDERER)
    if exe is None:
        raise PreviewUnavailable(MISSING)
    with tempfile.TemporaryDirectory(prefix="strokescope-preview-") as tmp:
        src, out = Path(tmp) / "report.pdf", Path(tmp) / "page"
        src.write_bytes(pdf)
        cmd = [
            exe,
            "-png",
            "-f",
            "1",
            "-l",
            "1",
            "-singlefile",
            "-r",
            f"{dpi:g}",
            str(src),
            str(out),
        ]
        try:
            done = subprocess.run(cmd, capture_output=True, timeout=TIMEOUT_S, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise PreviewUnavailable(f"report preview: {RENDERER} did not run ({exc})") from exc
        png = out.with_suffix(".png")
        if done.returncode != 0 or not png.is_file():
            reason = done.stderr.decode(errors="replace").strip().splitlines()[:1]
            raise PreviewUnavailable(
                f"report preview: {RENDERER} failed ({reason[0] if reason else done.returncode})"
            )
        return png.read_bytes()
