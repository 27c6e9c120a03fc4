"""``export_results``: every output of one study into one new results folder.

Writes DICOM SEG, TID 1500 SR, the PDF report and the same PDF as Encapsulated PDF, the
JSON results document, a one-row CSV and NIfTI masks into a staging folder, then renames
the folder into place (see :mod:`strokescope.outputs.folders`). When the source volume
did not come from DICOM, the three DICOM objects are skipped with a warning; when the
loader resampled it, the SEG carries its own derived geometry (see
:mod:`strokescope.outputs.source_refs`). With ``anonymize`` every DICOM object is built
from an allow-list (:mod:`strokescope.outputs.allowlist`) and the source images the SEG
and SR reference are written, de-identified with the same UID map, into ``source/``.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydicom import Dataset

from strokescope import colors
from strokescope.atomic import atomic_write_bytes, atomic_write_text
from strokescope.errors import ExportError
from strokescope.hemorrhage.result import HemorrhageResult
from strokescope.outcome.prediction import OutcomePrediction, prediction_line
from strokescope.outputs import folders
from strokescope.outputs.anonymize import AnonymizeOptions, Deidentifier
from strokescope.outputs.dicom_export import (
    PDF_DICOM_NAME,
    SOURCE_DIR,
    DicomWritten,
    write_pdf_dicom,
    write_seg_sr,
)
from strokescope.outputs.export_checks import check_results
from strokescope.outputs.nifti_masks import write_masks
from strokescope.outputs.pdf_cpr import cpr_key_image
from strokescope.outputs.pdf_images import Overlay, render_key_images
from strokescope.outputs.pdf_profile import profile_plots, tree_plots
from strokescope.outputs.pdf_report import ReportContent, render_report
from strokescope.outputs.safe_header import safe_headers
from strokescope.outputs.source_refs import StudyHeader, header_dataset, read_source_headers
from strokescope.outputs.tables import (
    csv_text,
    impression_lines,
    measurement_rows,
    method_lines,
    report_features,
    results_document,
)
from strokescope.thrombus.result import ThrombusResult
from strokescope.volume import Volume

log = logging.getLogger(__name__)

PDF_NAME = "report.pdf"
JSON_NAME = "results.json"
CSV_NAME = "results.csv"
REPORT_TITLE = "StrokeScope results report"


@dataclass(frozen=True)
class ExportManifest:
    """What :func:`export_results` wrote (final paths; ``None``: not written)."""

    folder: Path
    json: Path
    csv: Path
    pdf: Path
    seg: Path | None
    sr: Path | None
    pdf_dicom: Path | None
    masks: tuple[Path, ...]
    warnings: tuple[str, ...]
    anonymized: bool
    replaced: bool
    source: tuple[Path, ...] = ()
    """The de-identified source images in ``folder/source`` (anonymised exports only)."""

    @property
    def paths(self) -> tuple[Path, ...]:
        """Every file written, DICOM first (source images last)."""
        out = [self.seg, self.sr, self.pdf_dicom, self.pdf, self.json, self.csv, *self.masks]
        return tuple(p for p in out if p is not None) + self.source


def export_results(
    out_dir: str | Path,
    *,
    source: Volume,
    hemorrhage: HemorrhageResult | None = None,
    thrombus: ThrombusResult | None = None,
    anonymize: bool = False,
    overwrite: bool = False,
    retain: AnonymizeOptions | None = None,
    on_progress: Callable[[float], None] | None = None,
    outcome: OutcomePrediction | None = None,
    ncct: Volume | None = None,
) -> ExportManifest:
    """Write all outputs of one study into a new folder ``out_dir/results-NNN``.

    Parameters
    ----------
    out_dir
        Parent folder; created if needed.
    source
        The analysed volume (follow-up NCCT for ``hemorrhage``, CTA for ``thrombus``);
        every result's mask must lie on its grid.
    anonymize, retain
        Apply the PS3.15 Basic Profile to every exported object; ``retain`` picks the
        retain options and pseudonym (``retain`` alone implies ``anonymize``).
    overwrite
        Replace the newest ``results-NNN`` instead of adding a new number.
    outcome, ncct
        The outcome model's prediction for ``thrombus`` (``None``: none was run); the NCCT
        it was analysed on (the PDF's reformat shows it under the CTA, with the tree).
    on_progress
        Called with the fraction done; raising :class:`~strokescope.errors.Cancelled`
        from it stops the export and leaves nothing behind.

    Raises
    ------
    InputError
        No result given, an outcome without a thrombus, or a mask not on the source grid.
    ExportError
        A file cannot be written or the source DICOM files are gone.
    """
    check_results("export", source, hemorrhage, thrombus, outcome)
    options = retain if retain is not None else (AnonymizeOptions() if anonymize else None)

    progress: Callable[[float], None] = on_progress or (lambda _f: None)
    out = folders.check_out_dir(out_dir)
    stage = folders.Staging(out)
    try:
        progress(0.02)
        staged = _write_all(
            stage.path, source, hemorrhage, thrombus, options, progress, outcome, ncct
        )
        folder, replaced = stage.publish(overwrite=overwrite)
    except BaseException as exc:
        stage.discard()
        if isinstance(exc, OSError):
            raise ExportError(f"{out}: cannot write results ({folders.os_message(exc)})") from exc
        raise
    progress(1.0)
    log.info("results written to %s", folder)

    def at(name: str | None) -> Path | None:
        return None if name is None else folder / name

    return ExportManifest(
        folder=folder,
        json=folder / JSON_NAME,
        csv=folder / CSV_NAME,
        pdf=folder / PDF_NAME,
        seg=at(staged.seg),
        sr=at(staged.sr),
        pdf_dicom=at(staged.pdf_dicom),
        masks=tuple(folder / m for m in staged.masks),
        warnings=staged.warnings,
        anonymized=options is not None,
        replaced=replaced,
        source=tuple(folder / n for n in staged.source or ()),
    )


@dataclass
class _Study:
    """What every export output shares: warnings, source headers, de-identifier, header."""

    warnings: list[str]
    headers: list[Dataset] | None
    deid: Deidentifier | None
    header: StudyHeader
    scrub: Callable[[str], str]

    @classmethod
    def read(
        cls,
        source: Volume,
        thrombus: ThrombusResult | None,
        hemorrhage: HemorrhageResult | None,
        options: AnonymizeOptions | None,
    ) -> _Study:
        warnings: list[str] = list(source.meta.warnings)
        for r in (thrombus, hemorrhage):
            if r is not None:
                warnings += [w for w in r.warnings if w not in warnings]
        if thrombus is not None and thrombus.arteries is not None:
            warnings += list(thrombus.arteries.report_warnings())
        deid = Deidentifier(options) if options is not None else None
        headers = read_source_headers(source)
        if headers is not None:  # read for this export alone: repaired in place, then shared
            headers, repaired = safe_headers(headers)
            warnings += repaired
        if deid is not None:
            m = source.meta
            deid.remember(m.patient_name, m.patient_id, m.source)
        head_ds = copy.deepcopy(headers[0]) if headers else header_dataset(source)
        if deid is not None:
            deid.dataset(head_ds, derived=False)
        scrub = deid.scrub_text if deid is not None else (lambda s: s)
        return cls(warnings, headers, deid, StudyHeader.from_dataset(head_ds), scrub)


def _report_pdf(
    source: Volume,
    study: _Study,
    thrombus: ThrombusResult | None,
    hemorrhage: HemorrhageResult | None,
    options: AnonymizeOptions | None,
    warnings: list[str],
    created: str | None,
    outcome: OutcomePrediction | None = None,
    ncct: Volume | None = None,
) -> bytes:
    overlays = []
    if thrombus is not None:
        overlays.append(Overlay(thrombus.mask, colors.THROMBUS))
    if hemorrhage is not None:
        # outline only, on one slice: the reader checks the edge against the image
        overlays.append(Overlay(hemorrhage.mask, colors.HEMORRHAGE, alpha=0.0))
    window, slab = ((150.0, 500.0), 16.0) if thrombus is not None else ((40.0, 80.0), 0.0)
    scrub = study.scrub
    content = ReportContent(
        header=study.header,
        title=REPORT_TITLE,
        impression=[scrub(x) for x in impression_lines(thrombus, hemorrhage)],
        images=render_key_images(source, overlays, window=window, slab_mm=slab),
        rows=measurement_rows(thrombus, hemorrhage),
        warnings=warnings,
        method_lines=[scrub(x) for x in method_lines(thrombus, hemorrhage, options)],
        created=created,
        profiles=profile_plots(thrombus),
        tree_profiles=tree_plots(thrombus),
        cpr=cpr_key_image(source, thrombus, ncct),
        features=report_features(thrombus, scrub),
        outcome_line=None if thrombus is None else prediction_line(outcome),
    )
    return render_report(content)


def report_preview(
    *,
    source: Volume,
    hemorrhage: HemorrhageResult | None = None,
    thrombus: ThrombusResult | None = None,
    anonymize: bool = False,
    outcome: OutcomePrediction | None = None,
    ncct: Volume | None = None,
) -> bytes:
    """The PDF report :func:`export_results` would write for these results, written nowhere.

    The same content, less the warnings that only writing the DICOM objects raises and
    with "Created" left out (it is the export's time).

    Raises
    ------
    InputError
        No result given, or a mask is not on the source grid.
    """
    check_results("report preview", source, hemorrhage, thrombus, outcome)
    options = AnonymizeOptions() if anonymize else None
    study = _Study.read(source, thrombus, hemorrhage, options)
    warnings = [study.scrub(w) for w in study.warnings]
    return _report_pdf(source, study, thrombus, hemorrhage, options, warnings, None, outcome, ncct)


@dataclass(frozen=True)
class StagedFiles:
    """What :func:`_write_all` put in the staging folder: names relative to it
    (``None``: not written) and the warnings of the export, scrubbed when anonymised."""

    seg: str | None
    sr: str | None
    pdf_dicom: str | None
    masks: tuple[str, ...]
    source: tuple[str, ...] | None
    """The de-identified source images (``None`` unless anonymised)."""
    warnings: tuple[str, ...]

    def files_entry(self) -> dict[str, Any]:
        """The ``files`` object of the JSON results document."""
        files: dict[str, Any] = {
            "seg": self.seg,
            "sr": self.sr,
            "pdf": PDF_NAME,
            "pdf_dicom": self.pdf_dicom,
            "csv": CSV_NAME,
            "masks": list(self.masks),
        }
        if self.source is not None:
            files["source"] = list(self.source)
        return files


def _write_all(
    staging: Path,
    source: Volume,
    hemorrhage: HemorrhageResult | None,
    thrombus: ThrombusResult | None,
    options: AnonymizeOptions | None,
    progress: Callable[[float], None],
    outcome: OutcomePrediction | None,
    ncct: Volume | None,
) -> StagedFiles:
    """Every file into ``staging``: DICOM SEG and SR, the PDF and its DICOM, the NIfTI masks,
    then the JSON and CSV documents that list them."""
    study = _Study.read(source, thrombus, hemorrhage, options)
    progress(0.1)
    written = _write_seg_sr(staging, source, study, thrombus, hemorrhage, progress, outcome)
    progress(0.6)
    created = None if study.deid is not None else dt.datetime.now().isoformat(timespec="seconds")
    warnings = [study.scrub(w) for w in study.warnings + written.warnings]
    pdf = _report_pdf(
        source, study, thrombus, hemorrhage, options, warnings, created, outcome, ncct
    )
    atomic_write_bytes(staging / PDF_NAME, pdf)
    progress(0.75)
    pdf_ds = None
    if study.headers is not None:
        pdf_ds = write_pdf_dicom(
            staging, pdf, study.headers[0], title=REPORT_TITLE, deid=study.deid
        )
    progress(0.85)
    staged = StagedFiles(
        seg=written.seg_name,
        sr=written.sr_name,
        pdf_dicom=None if pdf_ds is None else PDF_DICOM_NAME,
        masks=write_masks(staging, thrombus, hemorrhage),
        source=None if study.deid is None else tuple(f"{SOURCE_DIR}/{n}" for n in written.source),
        warnings=tuple(warnings),
    )
    uids = {
        "seg_sop_instance_uid": _sop_uid(written.seg),
        "sr_sop_instance_uid": _sop_uid(written.sr),
        "pdf_sop_instance_uid": _sop_uid(pdf_ds),
    }
    doc = results_document(
        study.header,
        thrombus=thrombus,
        hemorrhage=hemorrhage,
        files=staged.files_entry(),
        dicom_uids=uids,
        warnings=warnings,
        anonymized=study.deid is not None,
        created=created,
        scrub=study.scrub,
        outcome=outcome,
    )
    atomic_write_text(staging / JSON_NAME, json.dumps(doc, indent=2) + "\n")
    atomic_write_text(staging / CSV_NAME, csv_text(doc))
    progress(0.95)
    return staged


def _write_seg_sr(
    staging: Path,
    source: Volume,
    study: _Study,
    thrombus: ThrombusResult | None,
    hemorrhage: HemorrhageResult | None,
    progress: Callable[[float], None],
    outcome: OutcomePrediction | None,
) -> DicomWritten:
    """SEG and SR into ``staging``, or nothing and a warning for a non-DICOM source."""
    if study.headers is None:
        note = "source volume is not a DICOM series: SEG, SR and Encapsulated PDF not written"
        return DicomWritten(warnings=[note])
    return write_seg_sr(
        staging,
        source,
        study.headers,
        thrombus=thrombus,
        hemorrhage=hemorrhage,
        deid=study.deid,
        progress=progress,
        outcome=outcome,
    )


def _sop_uid(ds: Dataset | None) -> str | None:
    return None if ds is None else str(ds.SOPInstanceUID)
