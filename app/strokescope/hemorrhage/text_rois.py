"""Hemorrhage volumetry from ROIs and clicks written as text (``strokescope ht --roi/--click``,
a cohort's ROI columns): load the NCCT, parse the boxes and points, propose a box per click,
segment. :func:`strokescope.pipeline.measure_hemorrhage_text` calls :func:`run_ht`; the
report text is :mod:`strokescope.hemorrhage.report_text`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from strokescope.errors import InputError
from strokescope.hemorrhage.prepare import prepare_ncct
from strokescope.hemorrhage.propose import propose_roi
from strokescope.hemorrhage.result import HemorrhageResult
from strokescope.hemorrhage.roi import Roi, parse_point, parse_roi
from strokescope.hemorrhage.segment import segment_hemorrhage
from strokescope.volume import Volume


def run_ht(
    ncct_path: str | Path | Volume,
    *,
    rois: Sequence[str] = (),
    clicks: Sequence[str] = (),
    series: str | None = None,
    on_progress: Callable[[float], None] | None = None,
) -> HemorrhageResult:
    """Load an NCCT (DICOM folder or NIfTI; or take a loaded Volume), resolve ROIs, segment.

    Raises
    ------
    InputError
        If neither an ROI nor a click is given, or one of them is invalid.
    DicomLoadError
        If the NCCT cannot be loaded.
    """
    from strokescope.io import load_volume

    if not rois and not clicks:
        raise InputError("give at least one --roi or --click")
    if isinstance(ncct_path, Volume):
        ncct = ncct_path
    else:
        ncct = load_volume(ncct_path, series=series, modality="CT")
    boxes: list[Roi] = [parse_roi(text, ncct.geometry) for text in rois]
    points = [parse_point(text, ncct.geometry) for text in clicks]
    if on_progress:
        on_progress(0.1)
    study = prepare_ncct(ncct)
    if on_progress:
        on_progress(0.8)
    boxes.extend(propose_roi(study, p) for p in points)
    result = segment_hemorrhage(study, boxes)
    if on_progress:
        on_progress(1.0)
    return result
