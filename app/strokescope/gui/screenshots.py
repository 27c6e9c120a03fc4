"""Render the main states of the real app offscreen to PNG files.

``python -m strokescope.gui.screenshots OUTDIR`` (``make screenshots``) writes a small seeded
phantom study to ``OUTDIR/.phantom`` and saves ``01_study_open.png``, ``02_cta_mip.png``,
``03_thrombus_result.png`` (only when ``pipeline.analyze_thrombus`` exists),
``04_ht_result.png``, ``05_error_dialog.png``, ``06_ruler_roi.png`` (a ruler across the
bleed and HU ellipse ROIs on it and on the other hemisphere) and ``07_side_by_side.png``
(baseline NCCT beside its CTA, linked, at the clot).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from strokescope.gui.main_window import MainWindow

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _wait(app: object, done: Callable[[], bool], timeout: float = 120.0) -> None:
    t0 = time.monotonic()
    while not done():
        app.processEvents()  # type: ignore[attr-defined]
        if time.monotonic() - t0 > timeout:
            raise TimeoutError("the viewer did not finish in time")
        time.sleep(0.01)
    for _ in range(5):
        app.processEvents()  # type: ignore[attr-defined]


def _phantom(root: Path) -> Path:
    from strokescope.phantom import PhantomOptions, generate_study, write_study

    study = root / "study"
    if not (study / "truth" / "truth.json").is_file():
        opts = PhantomOptions(
            matrix=192,
            inplane_mm=1.2,
            slice_mm=1.5,
            slices=110,
            followup_matrix=192,
            hemorrhage="PH",
            hemorrhage_ml=20,
        )
        write_study(generate_study(opts), study, processes=1)
    return study


def _tools(
    win: MainWindow,
    shot: Callable[[str], None],
    bleed: tuple[int, int, int],
    clot_lps: tuple[float, float, float],
) -> None:
    """06: ruler and ellipse ROIs on the follow-up; 07: baseline beside CTA at the clot."""
    from PySide6.QtCore import QRectF

    win.set_roi_tool(False)
    axial = win.views["axial"]
    k, j, i = bleed
    win.set_measure_mode("ruler")
    win.measure.add_ruler(  # under the bleed, clear of the ellipses' labels
        axial, axial.view_point((k, j + 22, i - 14)), axial.view_point((k, j + 22, i + 14))
    )
    win.set_measure_mode("ellipse")
    centre = axial.view_point(bleed)
    win.measure.add_ellipse(axial, QRectF(centre.x() - 6, centre.y() - 6, 12, 12))
    mirror = axial.view_point((k, j, win.volumes["followup"].shape[2] - 1 - i))
    win.measure.add_ellipse(axial, QRectF(mirror.x() - 6, mirror.y() - 6, 12, 12))
    win.set_measure_mode("")
    shot("06_ruler_roi.png")
    win.show_role("baseline")
    win.set_side_by_side(True)
    win.show_partner("cta")
    win.state.center_on_lps(clot_lps)
    shot("07_side_by_side.png")
    win.set_side_by_side(False)


def render(out: Path) -> list[Path]:
    """Write the screenshots into ``out`` and return their paths."""
    import json

    import numpy as np
    from PySide6.QtCore import QSettings

    from strokescope import pipeline
    from strokescope.gui.app import application
    from strokescope.gui.main_window import MainWindow
    from strokescope.gui.settings import GuiSettings

    out.mkdir(parents=True, exist_ok=True)
    study = _phantom(out / ".phantom")
    app = application()
    tmp = Path(tempfile.mkdtemp(prefix="strokescope-shots-"))
    win = MainWindow(GuiSettings(QSettings(str(tmp / "s.ini"), QSettings.Format.IniFormat)))
    win.resize(1600, 960)
    win.show()
    written: list[Path] = []

    def shot(name: str) -> None:
        _wait(app, lambda: True)
        path = out / name
        win.grab().save(str(path))
        written.append(path)

    win.open_folder(study)
    _wait(app, lambda: win.prepared is not None and not win.busy)
    shot("01_study_open.png")

    win.show_role("cta")
    win.state.set_slab(mip=True, slab_mm=15.0)
    win.controls.apply_preset(win.controls.preset_index("CTA MIP"))
    truth = json.loads((study / "truth" / "truth.json").read_text())
    win.state.center_on_lps(tuple(truth["thrombus_centroid_lps"]))
    shot("02_cta_mip.png")
    win.state.set_slab(mip=False)

    if pipeline.thrombus_models_installed():
        win.run_thrombus()
        _wait(app, lambda: not win.busy, timeout=600)
        shot("03_thrombus_result.png")

    win.set_roi_tool(True)
    mask_path = next((study / "truth").glob("hemorrhage.*"))
    from strokescope.io.sitk_convert import read_mask

    bleed = read_mask(mask_path)
    fu = win.volumes["followup"]
    centre = bleed.geometry.index_to_lps(np.argwhere(bleed.array).mean(axis=0))
    k, j, i = (int(v) for v in np.rint(fu.geometry.lps_to_index(centre)))
    win.state.set_cursor((k, j, i))
    win.ht.propose(k, j, i)
    shot("04_ht_result.png")
    cx, cy, cz = (float(v) for v in truth["thrombus_centroid_lps"])
    _tools(win, shot, (k, j, i), (cx, cy, cz))

    written.append(_error_dialog(app, win, tmp / "corrupt", out / "05_error_dialog.png"))
    win.close()
    return written


def _error_dialog(app: object, win: MainWindow, bad: Path, path: Path) -> Path:
    """Open a folder holding one corrupt file; save the window with the error box on it."""
    from PySide6.QtGui import QPainter

    bad.mkdir()
    (bad / "IM0001.dcm").write_bytes(b"DICM" + bytes(256))
    win.open_folder(bad)
    _wait(app, lambda: win.last_error is not None)
    box = win.last_error
    assert box is not None
    box.move(win.geometry().center() - box.rect().center())
    _wait(app, lambda: True)
    image = win.grab()
    painter = QPainter(image)
    dialog = box.grab()
    painter.drawPixmap(
        (image.width() - dialog.width()) // 2, (image.height() - dialog.height()) // 2, dialog
    )
    painter.end()
    image.save(str(path))
    box.accept()
    return path


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="render StrokeScope GUI screenshots offscreen")
    parser.add_argument("outdir", nargs="?", default="screenshots")
    args = parser.parse_args(argv)
    for path in render(Path(args.outdir)):
        print(f"wrote {path}")
    sys.stdout.flush()
    os._exit(0)  # skip interpreter teardown of Qt objects (PySide finaliser crash offscreen)


if __name__ == "__main__":
    sys.exit(main())
