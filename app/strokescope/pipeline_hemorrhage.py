"""The pipeline's HT volumetry functions, re-exported by :mod:`strokescope.pipeline`.

Callers use them as ``strokescope.pipeline.<name>``: this module only keeps the pipeline
module small. Same rules: keyword-only options, an optional ``on_progress(fraction)``
callback, heavy imports inside the functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from strokescope.hemorrhage import HemorrhageResult, PreparedStudy, Roi
    from strokescope.pipeline import Progress
    from strokescope.volume import Volume


def prepare_followup(ncct: Volume, *, on_progress: Progress | None = None) -> PreparedStudy:
    """Skull-strip and filter a follow-up NCCT once (cached per volume) for HT volumetry."""
    from strokescope.hemorrhage import prepare_ncct

    if on_progress:
        on_progress(0.0)
    prepared = prepare_ncct(ncct)
    if on_progress:
        on_progress(1.0)
    return prepared


def parse_roi(text: str, volume: Volume) -> Roi:
    """An ROI box from text, e.g. ``'z=12 y=140:200 x=100:180'`` (voxel indices, ends
    inclusive) or LPS mm with a suffix (``'x=-40:-10mm'``), on ``volume``'s grid."""
    from strokescope.hemorrhage.roi import parse_roi as parse

    return parse(text, volume.geometry)


def parse_click(text: str, volume: Volume) -> tuple[int, int, int]:
    """A point (k, j, i) from text such as ``'z=12 y=150 x=140'`` on ``volume``'s grid."""
    from strokescope.hemorrhage.roi import parse_point

    return parse_point(text, volume.geometry)


def measure_hemorrhage_text(
    ncct: Volume,
    *,
    rois: Sequence[str] = (),
    clicks: Sequence[str] = (),
    on_progress: Progress | None = None,
) -> HemorrhageResult:
    """HT volumetry from ROI boxes and clicks written as text (see :func:`parse_roi` and
    :func:`parse_click`): the CLI's ``--roi``/``--click`` and a cohort's ROI columns."""
    from strokescope.hemorrhage.text_rois import run_ht

    return run_ht(ncct, rois=rois, clicks=clicks, on_progress=on_progress)


def format_hemorrhage(result: HemorrhageResult, *, verbose: bool = False) -> str:
    """The HT report as text (the method detail with ``verbose``)."""
    from strokescope.hemorrhage.report_text import format_result

    return format_result(result, verbose=verbose)


def propose_hemorrhage_roi(prepared: PreparedStudy, point: tuple[int, int, int]) -> Roi:
    """The ROI proposed around one click (k, j, i) on a bleed; the user may adjust it."""
    from strokescope.hemorrhage import propose_roi

    return propose_roi(prepared, point)


def measure_hemorrhage(prepared: PreparedStudy, rois: Sequence[Roi]) -> HemorrhageResult:
    """SD-rule adaptive thresholding inside the union of ``rois`` ([HT-SD]), with ABC/2."""
    from strokescope.hemorrhage import segment_hemorrhage

    return segment_hemorrhage(prepared, rois)


def read_hemorrhage_results(folder: str | Path) -> HemorrhageResult:
    """The HT result an export wrote into ``folder``, read back (no re-measuring); see
    :mod:`strokescope.hemorrhage.result_io` for what the document keeps."""
    from strokescope.hemorrhage.result_io import read_hemorrhage_result

    return read_hemorrhage_result(folder)
