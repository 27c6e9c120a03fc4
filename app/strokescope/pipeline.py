"""The one API that the CLI, the GUI and batch runs call.

Every function takes keyword-only options and an optional ``on_progress(fraction)``
callback (0..1). A caller cancels a running step by raising :class:`Cancelled` from its
callback; the exception propagates unchanged and nothing is written. Heavy modules are
imported inside the functions so importing this module is instant. The thrombus functions
live in :mod:`strokescope.pipeline_thrombus`, the HT volumetry ones in
:mod:`strokescope.pipeline_hemorrhage`, the outcome-model ones in
:mod:`strokescope.pipeline_outcome`; all are imported here: callers use them as
``pipeline.<name>`` like every other.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from strokescope.errors import Cancelled
from strokescope.pipeline_hemorrhage import (
    format_hemorrhage,
    measure_hemorrhage,
    measure_hemorrhage_text,
    parse_click,
    parse_roi,
    prepare_followup,
    propose_hemorrhage_roi,
    read_hemorrhage_results,
)
from strokescope.pipeline_outcome import (
    check_outcome_model,
    evaluate_outcome_model,
    format_outcome_evaluation,
    format_outcome_training,
    outcome_features,
    outcome_model_folder,
    outcome_model_identity,
    outcome_or_reason,
    outcome_stacks,
    predict_outcome,
    train_outcome_model,
)
from strokescope.pipeline_thrombus import (
    analyze_arteries,
    analyze_thrombus,
    arteries_overlay,
    artery_reformat,
    format_thrombus,
    read_thrombus_results,
    registered_ncct,
    thrombus_model_version,
    thrombus_models_folder,
    thrombus_models_installed,
    warm_thrombus_models,
)

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from strokescope.hemorrhage import HemorrhageResult
    from strokescope.io import FolderScan, SeriesInfo
    from strokescope.measure import Ellipse, RegionStats
    from strokescope.node.ht_queue import HtRequest
    from strokescope.node.worklist import WorklistEntry
    from strokescope.outcome.prediction import OutcomePrediction
    from strokescope.outputs import AnonymizeOptions, ExportManifest
    from strokescope.series_roles import Role, RoleAssignment, SeriesKind
    from strokescope.study import LoadedSeries, OpenedStudy
    from strokescope.thrombus import ThrombusResult
    from strokescope.volume import Geometry, Volume

Progress = Callable[[float], None]

__all__ = [
    "Cancelled",
    "Progress",
    "analyze_arteries",
    "analyze_thrombus",
    "arteries_overlay",
    "artery_reformat",
    "assign_roles",
    "check_outcome_model",
    "check_output_folder",
    "classify_series",
    "distance_mm",
    "ellipse_stats",
    "evaluate_outcome_model",
    "export_results",
    "format_hemorrhage",
    "format_outcome_evaluation",
    "format_outcome_training",
    "format_scan",
    "format_thrombus",
    "load",
    "load_roles",
    "measure_hemorrhage_text",
    "open_study",
    "outcome_features",
    "outcome_model_folder",
    "outcome_model_identity",
    "outcome_or_reason",
    "outcome_stacks",
    "parse_click",
    "parse_roi",
    "predict_outcome",
    "measure_hemorrhage",
    "node_worklist",
    "read_hemorrhage_results",
    "read_thrombus_results",
    "request_node_hemorrhage",
    "prepare_followup",
    "preview_report",
    "registered_ncct",
    "propose_hemorrhage_roi",
    "scan",
    "thrombus_model_version",
    "train_outcome_model",
    "thrombus_models_folder",
    "thrombus_models_installed",
    "warm_thrombus_models",
]


def scan(folder: str | Path, *, on_progress: Progress | None = None) -> FolderScan:
    """Find the image series in ``folder`` (recursively; DICOMDIR when present), or the
    series of one DICOM file, or one NIfTI/NRRD/MHA image."""
    from strokescope.io import scan_source

    return scan_source(folder, on_progress=on_progress)


def format_scan(found: FolderScan, *, as_json: bool = False) -> str:
    """The series table ``strokescope info`` prints (or its JSON)."""
    from strokescope.io.series_table import format_scan as table
    from strokescope.io.series_table import scan_json

    return scan_json(found) if as_json else table(found)


def classify_series(info: SeriesInfo) -> SeriesKind:
    """What the header rules say one series is (NCCT, CTA, other) and the rule that said so."""
    from strokescope.series_roles import classify_series as classify

    return classify(info)


def open_study(
    folder: str | Path,
    *,
    roles: tuple[Role, ...] = ("baseline", "cta"),
    ncct_series: str | None = None,
    cta_series: str | None = None,
    check_vessels: bool = True,
    on_progress: Progress | None = None,
) -> OpenedStudy:
    """Scan a study folder, choose the series of each of ``roles`` and load them.

    The header rules of :mod:`strokescope.series_roles` choose, unless ``ncct_series`` or
    ``cta_series`` names the baseline NCCT or the CTA as ``strokescope info`` lists it
    (row number, key, UID or description). The result carries every warning.
    """
    from strokescope.study import open_study as open_

    picks: dict[Role, str] = {}
    if ncct_series is not None:
        picks["baseline"] = ncct_series
    if cta_series is not None:
        picks["cta"] = cta_series
    return open_(
        folder, roles=roles, picks=picks, check_vessels=check_vessels, on_progress=on_progress
    )


def load_roles(
    series: dict[Role, SeriesInfo],
    *,
    check_vessels: bool = True,
    on_progress: Progress | None = None,
) -> LoadedSeries:
    """Load the series chosen per role (the viewer's role table); warn when the CTA shows
    no contrast-filled arteries."""
    from strokescope.study import load_roles as load_

    return load_(series, check_vessels=check_vessels, on_progress=on_progress)


def assign_roles(found: FolderScan) -> RoleAssignment:
    """Baseline NCCT, CTA and follow-up NCCT among a scan's series, by the header rules of
    :mod:`strokescope.series_roles` (each choice with its reason)."""
    from strokescope.series_roles import assign_roles as assign

    return assign(found.series)


def load(
    source: SeriesInfo | str | Path,
    *,
    series: str | None = None,
    missing: str = "interpolate",
    on_progress: Progress | None = None,
) -> Volume:
    """One HU volume from a scanned series, a DICOM folder or a NIfTI/NRRD/MHA file.

    ``series`` picks one series of a folder that holds several (UID, key prefix or
    description substring); ``missing`` is ``"interpolate"`` or ``"refuse"``.
    """
    from strokescope.io import SeriesInfo, load_series, load_volume

    if isinstance(source, SeriesInfo):
        return load_series(source, missing=missing, on_progress=on_progress)
    return load_volume(source, series=series, missing=missing, on_progress=on_progress)


def distance_mm(
    geometry: Geometry, a: tuple[float, float, float], b: tuple[float, float, float]
) -> float:
    """Distance in mm between two continuous (k, j, i) index points (the viewer's ruler)."""
    from strokescope.measure import distance_mm as distance

    return distance(geometry, a, b)


def ellipse_stats(
    plane: npt.NDArray[np.generic], pixel_mm: tuple[float, float], ellipse: Ellipse
) -> RegionStats:
    """Mean and SD (HU) inside an ellipse on one slice, with its area (the viewer's ROI)."""
    from strokescope.measure import ellipse_stats as stats

    return stats(plane, pixel_mm, ellipse)


def check_output_folder(out: str | Path) -> Path:
    """``out`` as a path, or a one-line error if an export could not write it (a file, a
    parent that is not writable): checked before an analysis, so no work is lost to it."""
    from strokescope.outputs import check_out_dir

    return check_out_dir(out)


def node_worklist(storage: str | Path, *, quiet_s: float = 30.0) -> tuple[WorklistEntry, ...]:
    """The studies of the DICOM node storing into ``storage``, newest first; read-only."""
    from strokescope.node.worklist import read_worklist

    return read_worklist(Path(storage), quiet_s=quiet_s)


def request_node_hemorrhage(
    storage: str | Path,
    study: str,
    *,
    clicks: Sequence[str] = (),
    rois: Sequence[str] = (),
    points_lps: Sequence[tuple[float, float, float]] = (),
) -> HtRequest:
    """Ask the DICOM node storing into ``storage`` for HT volumetry on the follow-up NCCT
    of ``study`` (its number, Study Instance UID or UID's end) at clicks, LPS points (mm)
    or ROI boxes. Checked now (``InputError`` in one line: unknown study, no follow-up
    NCCT, a point outside it); measured by the node, results sent like its thrombus
    results (:mod:`strokescope.node.ht_request`). The request, new or as it stands."""
    from strokescope.node.ht_request import submit_ht_request

    found, _ = submit_ht_request(
        Path(storage), study, clicks=clicks, rois=rois, points_lps=points_lps
    )
    return found


def export_results(
    out_dir: str | Path,
    *,
    source: Volume,
    hemorrhage: HemorrhageResult | None = None,
    thrombus: ThrombusResult | None = None,
    anonymize: bool = False,
    overwrite: bool = False,
    retain: AnonymizeOptions | None = None,
    on_progress: Progress | None = None,
    outcome: OutcomePrediction | None = None,
    ncct: Volume | None = None,
) -> ExportManifest:
    """Write DICOM SEG + SR, PDF (+ Encapsulated PDF), JSON, CSV and NIfTI masks of one
    source volume into a new folder ``out_dir/results-NNN``.

    ``source`` is the volume the results were measured on: the follow-up NCCT for
    ``hemorrhage``, the CTA for ``thrombus`` (export each with its own source, one call
    each). ``anonymize`` applies the DICOM PS3.15 Basic Profile (``retain`` picks retain
    options and implies it); ``overwrite`` replaces the newest ``results-NNN``; ``outcome``
    is :func:`predict_outcome`'s result for ``thrombus`` when a model was run; ``ncct``, the
    NCCT ``thrombus`` was analysed on, puts its strip under the CTA in the PDF's curved
    planar reformat (when the tree was traced). See
    :func:`strokescope.outputs.export.export_results` for the errors it raises.
    """
    from strokescope.outputs import export_results as export

    return export(
        out_dir,
        source=source,
        hemorrhage=hemorrhage,
        thrombus=thrombus,
        anonymize=anonymize,
        overwrite=overwrite,
        retain=retain,
        on_progress=on_progress,
        outcome=outcome,
        ncct=ncct,
    )


def preview_report(
    *,
    source: Volume,
    hemorrhage: HemorrhageResult | None = None,
    thrombus: ThrombusResult | None = None,
    anonymize: bool = False,
    dpi: float = 60.0,
    outcome: OutcomePrediction | None = None,
    ncct: Volume | None = None,
) -> bytes:
    """The first page of the PDF report :func:`export_results` would write, as PNG bytes,
    before anything is written (the GUI's export dialog shows it).

    Raises
    ------
    strokescope.errors.PreviewUnavailable
        Poppler's ``pdftoppm`` is not installed or fails (the export does not need it).
    """
    from strokescope.outputs import first_page_png, report_preview

    pdf = report_preview(
        source=source,
        hemorrhage=hemorrhage,
        thrombus=thrombus,
        anonymize=anonymize,
        outcome=outcome,
        ncct=ncct,
    )
    return first_page_png(pdf, dpi=dpi)
