"""``strokescope --bundle-probe [FILE ...]``: what the frozen bundle really contains (JSON).

Only the bundle's entry script (entry_cli.py) offers this; the smoke test uses it to prove,
inside the bundle and with no Python installed, that

- the thrombus model folder resolves inside the bundle (``strokescope.resources``);
- pylibjpeg's decoder plugins are registered through their entry points (dist-info copied);
- pydicom's ``pylibjpeg`` decoding plugin is available for JPEG-LS, JPEG 2000 and JPEG
  Lossless, and decodes each FILE with it (the sha256 of the decoded pixels is reported);
- the Qt platform plugins (``offscreen`` among them) are in the bundle.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

SYNTAXES = {
    "jpeg-ls": "1.2.840.10008.1.2.4.80",
    "jpeg-2000": "1.2.840.10008.1.2.4.90",
    "jpeg-lossless-sv1": "1.2.840.10008.1.2.4.70",
}


def probe(files: list[str]) -> dict[str, Any]:
    """The bundle's resources, decoders and Qt plugins; decode ``files`` with pylibjpeg."""
    import pydicom
    from pydicom.pixels import get_decoder, pixel_array
    from pylibjpeg.utils import get_pixel_data_decoders

    from strokescope.resources import bundle_root, is_frozen, models_dir

    decoders = get_pixel_data_decoders()
    report: dict[str, Any] = {
        "frozen": is_frozen(),
        "bundle_root": str(bundle_root()),
        "models_dir": str(models_dir()),
        "models": sorted(p.name for p in models_dir().glob("*")) if models_dir().is_dir() else [],
        "pylibjpeg_decoders": sorted(str(uid) for uid in decoders),
        "pydicom_plugins": {
            name: sorted(get_decoder(uid).available_plugins) for name, uid in SYNTAXES.items()
        },
        "qt_platforms": _qt_platforms(),
        "decoded": {},
    }
    for name in files:
        syntax = str(pydicom.dcmread(name, stop_before_pixels=True).file_meta.TransferSyntaxUID)
        arr = pixel_array(name, decoding_plugin="pylibjpeg")
        digest = hashlib.sha256(arr.astype("<i4").tobytes()).hexdigest()
        report["decoded"][name] = {"syntax": syntax, "shape": list(arr.shape), "sha256": digest}
    return report


def _qt_platforms() -> list[str]:
    from PySide6.QtCore import QLibraryInfo

    folder = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms"
    return sorted(p.name for p in folder.glob("*")) if folder.is_dir() else []


def main(files: list[str]) -> int:
    print(json.dumps(probe(files), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
