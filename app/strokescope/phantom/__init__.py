"""Digital head-CT phantom: seeded NCCT + CTA (+ follow-up NCCT) studies with ground truth.

Demo data, test data and training data of StrokeScope. Research use only, not for
diagnosis; every generated file says it is synthetic. The names below are imported lazily
so that building the CLI parser (which reads :mod:`strokescope.phantom.cli_options`) stays
free of numpy, SimpleITK and pydicom.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from strokescope.phantom.options import PhantomOptions
    from strokescope.phantom.study import PhantomStudy, generate_study
    from strokescope.phantom.truth import PhantomTruth
    from strokescope.phantom.writer import StudyPaths, write_study

_WHERE = {
    "PhantomOptions": "strokescope.phantom.options",
    "PhantomStudy": "strokescope.phantom.study",
    "PhantomTruth": "strokescope.phantom.truth",
    "generate_study": "strokescope.phantom.study",
    "StudyPaths": "strokescope.phantom.writer",
    "write_study": "strokescope.phantom.writer",
}

__all__ = [
    "PhantomOptions",
    "PhantomStudy",
    "PhantomTruth",
    "StudyPaths",
    "generate_study",
    "write_study",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'strokescope.phantom' has no attribute {name!r}")
