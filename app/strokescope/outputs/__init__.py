"""Results that travel: DICOM SEG and TID 1500 SR, PDF report (+ Encapsulated PDF), JSON,
CSV and NIfTI, optionally de-identified, in atomic, never-overwritten results folders.

``export_results(out_dir, source=..., hemorrhage=..., thrombus=...)`` is the one entry
point (CLI ``--out`` and the GUI's Export actions call it). Names are imported lazily so
importing this package does not pull in highdicom.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from strokescope.outputs.anonymize import AnonymizeOptions
    from strokescope.outputs.export import ExportManifest, export_results, report_preview
    from strokescope.outputs.folders import check_out_dir
    from strokescope.outputs.pdf_raster import first_page_png
    from strokescope.outputs.schema import RESULTS_SCHEMA, SCHEMA_VERSION

_WHERE = {
    "AnonymizeOptions": "strokescope.outputs.anonymize",
    "ExportManifest": "strokescope.outputs.export",
    "check_out_dir": "strokescope.outputs.folders",
    "export_results": "strokescope.outputs.export",
    "first_page_png": "strokescope.outputs.pdf_raster",
    "report_preview": "strokescope.outputs.export",
    "RESULTS_SCHEMA": "strokescope.outputs.schema",
    "SCHEMA_VERSION": "strokescope.outputs.schema",
}

__all__ = [
    "RESULTS_SCHEMA",
    "SCHEMA_VERSION",
    "AnonymizeOptions",
    "ExportManifest",
    "check_out_dir",
    "export_results",
    "first_page_png",
    "report_preview",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'strokescope.outputs' has no attribute {name!r}")
