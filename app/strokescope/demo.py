"""The built-in demo study: a seeded phantom written once into a cache folder.

`strokescope demo` (and `make demo`) generates it on first use, then reuses it. The study is
a thin-slice (0.5 mm) NCCT + CTA pair with a left M1 occlusion and an ICA-siphon
calcification mimic, plus a 5 mm follow-up NCCT with a 25 mL parenchymal hematoma.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from strokescope.errors import ExportError
from strokescope.phantom import PhantomOptions, PhantomTruth

DEMO_VERSION = 1
DEMO_OPTIONS = PhantomOptions(
    seed=2026,
    occlusion="M1",
    side="left",
    thrombus_length_mm=14.0,
    calcification=True,
    hemorrhage="PH",
    hemorrhage_ml=25.0,
)


@dataclass(frozen=True)
class DemoStudy:
    """Folders of the cached demo study and its ground truth."""

    root: Path
    ncct: Path
    cta: Path
    followup: Path
    truth: dict[str, Any]

    @property
    def hemorrhage_mask(self) -> Path:
        return self.root / "truth" / "hemorrhage.nii.gz"


def _complete(root: Path) -> bool:
    return (root / "truth" / "truth.json").is_file() and (root / "followup").is_dir()


def ensure_demo_study(cache: str | Path) -> DemoStudy:
    """Return the demo study under ``cache``, generating it first if it is not there.

    Generation writes into a temporary sibling folder that is renamed into place when
    complete, so an interrupted run never leaves a half-written study behind.
    """
    from strokescope.phantom import generate_study, write_study

    root = Path(cache) / f"demo-v{DEMO_VERSION}-seed{DEMO_OPTIONS.seed}"
    if not _complete(root):
        try:
            root.parent.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=".demo-", dir=root.parent))
        except OSError as exc:
            raise ExportError(f"{root.parent}: cannot create the demo cache ({exc})") from exc
        try:
            write_study(generate_study(DEMO_OPTIONS), staging, processes=2)
            shutil.rmtree(root, ignore_errors=True)
            staging.rename(root)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    truth = json.loads((root / "truth" / "truth.json").read_text(encoding="utf-8"))
    return DemoStudy(root, root / "ncct", root / "cta", root / "followup", truth)


def click_on_bleed(demo: DemoStudy) -> str:
    """Where a reader would click on the demo bleed: the mask voxel nearest the centre of
    the bleed on its largest axial slice, as ``'z=K y=J x=I'`` voxel indices."""
    from strokescope.io.sitk_convert import read_mask

    mask = read_mask(demo.hemorrhage_mask).array
    areas = mask.sum(axis=(1, 2))
    k = int(np.argmax(areas))
    jj, ii = np.nonzero(mask[k])
    centre = np.array([jj.mean(), ii.mean()])
    nearest = int(np.argmin((jj - centre[0]) ** 2 + (ii - centre[1]) ** 2))
    return f"z={k} y={int(jj[nearest])} x={int(ii[nearest])}"


def truth_of(demo: DemoStudy) -> PhantomTruth:
    """The demo's ground truth as the phantom's typed record."""
    fields = PhantomTruth.__dataclass_fields__
    values: dict[str, Any] = {k: v for k, v in demo.truth.items() if k in fields}
    for key, value in values.items():
        if isinstance(value, list):
            values[key] = tuple(tuple(v) if isinstance(v, list) else v for v in value)
    return PhantomTruth(**values)


def print_demo(cache: str | Path) -> int:
    """``strokescope demo``: make the demo study once, analyse it, print results beside truth."""
    from strokescope.phantom.cli_options import summary
    from strokescope.pipeline import (
        format_hemorrhage,
        format_scan,
        load,
        measure_hemorrhage_text,
        scan,
    )

    demo = ensure_demo_study(cache)
    truth = truth_of(demo)
    print(f"Demo study (synthetic phantom): {demo.root}\n")
    print(format_scan(scan(demo.root)))
    print(f"\nGround truth: {summary(truth)}\n")
    click = click_on_bleed(demo)
    print(f"Hemorrhagic transformation on the follow-up NCCT, one click at {click}:")
    result = measure_hemorrhage_text(load(demo.followup), clicks=[click])
    print(format_hemorrhage(result))
    print(
        f"Truth: {truth.hemorrhage_volume_ml:.2f} mL; measured {result.volume_ml:.2f} mL "
        f"({100 * (result.volume_ml / truth.hemorrhage_volume_ml - 1):+.1f} %)"
    )
    _print_thrombus(demo, truth)
    return 0


def _print_thrombus(demo: DemoStudy, truth: PhantomTruth) -> None:
    """Thrombus part of the demo; skipped with a note while models_onnx/ holds no model."""
    from strokescope.pipeline import (
        analyze_thrombus,
        format_thrombus,
        load,
        thrombus_models_installed,
    )

    print("\nThrombus on the baseline NCCT + CTA:")
    if not thrombus_models_installed():
        print("thrombus model not installed (models_onnx/ has no manifest.json)")
        return
    result = analyze_thrombus(load(demo.ncct), load(demo.cta))
    print(format_thrombus(result))
    print(
        f"Truth: {truth.occlusion_site} {truth.side}, length "
        f"{truth.thrombus_length_mm} mm, volume {truth.thrombus_volume_mm3} mm3"
    )
