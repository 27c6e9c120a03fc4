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

import numpy as np
from pydicom.dataset import Dataset
from pydicom.uid import generate_uid

from strokescope import PHANTOM_TRAINED, RESEARCH_ONLY, colors
from strokescope.atomic import atomic_path, atomic_write_bytes, atomic_write_text
from strokescope.errors import ExportError, InputError
from strokescope.hemorrhage.result import HemorrhageResult
from strokescope.outputs import codes as cc
from strokescope.outputs import folders
from strokescope.outputs.anonymize import AnonymizeOptions, Deidentifier
from strokescope.outputs.pdf_images import Overlay, render_key_images
from strokescope.outputs.pdf_report import ReportContent, render_report
from strokescope.outputs.safe_header import repair, safe_headers
from strokescope.outputs.schema import SCHEMA_VERSION
from strokescope.outputs.source_refs import (
    StudyHeader,
    header_dataset,
    read_source_headers,
    same_geometry,
)
from strokescope.outputs.tables import (
    csv_text,
    impression_lines,
    measurement_rows,
    results_document,
)
from strokescope.thrombus.result import ThrombusResult
from strokescope.volume import Mask, Volume

log = logging.getLogger(__name__)

SEG_NAME = "seg.dcm"
SR_NAME = "sr.dcm"
PDF_NAME = "report.pdf"
PDF_DICOM_NAME = "report_pdf.dcm"
JSON_NAME = "results.json"
CSV_NAME = "results.csv"
REPORT_TITLE = "StrokeScope results report"
SOURCE_DIR = "source"
"""Subfolder of the de-identified source images (anonymised exports only)."""


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


def _check_grid(mask: Mask, source: Volume, what: str) -> None:
    g, s = mask.geometry, source.geometry
    same = (
        g.shape == s.shape
        and np.allclose(g.spacing, s.spacing, atol=1e-4)
        and np.allclose(g.origin, s.origin, atol=1e-3)
        and np.allclose(g.direction, s.direction, atol=1e-5)
    )
    if not same:
        raise InputError(
            f"{what} mask grid {g.shape} differs from the source volume grid {s.shape} "
            f"(series {source.meta.series_uid or source.meta.description or '?'}); export "
            f"each result with the volume it was measured on"
        )


def _save_dicom(ds: Dataset, path: Path) -> None:
    with atomic_path(path) as tmp:
        ds.save_as(tmp, enforce_file_format=True)


def _deidentify(deid: Deidentifier, ds: Dataset) -> None:
    """Apply the allow-list and the Basic Profile to one of our objects (SEG, SR, PDF)."""
    deid.dataset(ds, derived=True)


def _write_source(
    deid: Deidentifier, headers: list[Dataset], folder: Path
) -> tuple[list[str], list[str]]:
    """The de-identified source images the SEG and SR reference, into ``folder``.

    Each header's file is read again with its pixel data, run through the same
    :class:`Deidentifier` (so the SEG's remapped references resolve here) with the
    allow-list of a source image, and saved as ``IM0001.dcm``, ... in slice order. Returns
    the file names and warnings (burned-in annotation: pixels are copied unchanged).
    """
    import pydicom

    folder.mkdir()
    names, warnings = [], []
    burned = False
    for k, header in enumerate(headers, 1):
        path = getattr(header, "filename", None)
        if not isinstance(path, str | Path):
            raise ExportError("source image headers carry no file name: cannot copy them")
        try:
            ds = pydicom.dcmread(path)
        except (OSError, ValueError) as exc:
            raise ExportError(f"{path}: cannot read the source image again ({exc})") from exc
        burned = burned or str(ds.get("BurnedInAnnotation", "")).upper() == "YES"
        repair(ds)  # warned once already, for the headers
        deid.dataset(ds)
        name = f"IM{k:04d}.dcm"
        _save_dicom(ds, folder / name)
        names.append(name)
    if burned:
        warnings.append(
            "source images declare burned-in annotation: their pixels are copied unchanged "
            f"into {folder.name}/ and may show identifying text"
        )
    return names, warnings


def _method_lines(
    thrombus: ThrombusResult | None,
    hemorrhage: HemorrhageResult | None,
    options: AnonymizeOptions | None,
) -> list[str]:
    lines = []
    if thrombus is not None:
        alg = cc.thrombus_algorithm(thrombus.model_version, thrombus.model_sha256)
        lines.append(
            f"Thrombus: {alg.name} {alg.version}; segmentation by ONNX network on NCCT + CTA. "
            f"Decision rule: {thrombus.decision_rule}"
        )
        lines += [f"Model SHA-256 ({k}): {v}" for k, v in sorted(thrombus.model_sha256.items())]
        if thrombus.registration_metric is not None:
            lines.append(
                f"Registration of the NCCT onto the CTA: Mattes mutual information "
                f"{thrombus.registration_metric:.3f} (lower is better)"
            )
        if thrombus.seconds:
            lines.append(
                "Seconds per stage: "
                + ", ".join(f"{k} {v:.2f}" for k, v in thrombus.seconds.items())
            )
    if hemorrhage is not None:
        alg = cc.hemorrhage_algorithm()
        lines.append(
            f"Hemorrhage: {alg.name} {alg.version}; SD-rule adaptive thresholding with a "
            f"50-80 HU initial window inside the reader's ROIs; volume by voxel sum, ABC/2 "
            f"(Kothari 1996) beside it."
        )
    lines.append(
        "Exports: DICOM SEG and TID 1500 SR (highdicom), Encapsulated PDF, JSON (schema "
        f"{SCHEMA_VERSION}), CSV, NIfTI masks."
    )
    if options is not None:
        kept = [name for name, on in vars(options).items() if name.startswith("retain") and on]
        lines.append(
            "De-identified: DICOM PS3.15 Annex E Basic Profile"
            + (f" with {', '.join(kept)}." if kept else ".")
        )
    lines.append(RESEARCH_ONLY)
    if thrombus is not None:
        lines.append(PHANTOM_TRAINED)
    return lines


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
    on_progress
        Called with the fraction done; raising :class:`~strokescope.errors.Cancelled`
        from it stops the export and leaves nothing behind.

    Raises
    ------
    InputError
        No result given, or a mask is not on the source grid.
    ExportError
        A file cannot be written or the source DICOM files are gone.
    """
    if hemorrhage is None and thrombus is None:
        raise InputError("export: give a hemorrhage and/or a thrombus result")
    if hemorrhage is not None:
        _check_grid(hemorrhage.mask, source, "hemorrhage")
    if thrombus is not None:
        _check_grid(thrombus.mask, source, "thrombus")
    options = retain if retain is not None else (AnonymizeOptions() if anonymize else None)

    def progress(f: float) -> None:
        if on_progress is not None:
            on_progress(f)

    out = Path(out_dir)
    stage = folders.Staging(out)
    try:
        progress(0.02)
        names = _write_all(stage.path, source, hemorrhage, thrombus, options, progress)
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
        seg=at(names["seg"]),
        sr=at(names["sr"]),
        pdf_dicom=at(names["pdf_dicom"]),
        masks=tuple(folder / m for m in names["masks"]),
        warnings=tuple(names["warnings"]),
        anonymized=options is not None,
        replaced=replaced,
        source=tuple(folder / SOURCE_DIR / n for n in names["source"]),
    )


def _write_all(  # noqa: C901 - one linear sequence of writers
    staging: Path,
    source: Volume,
    hemorrhage: HemorrhageResult | None,
    thrombus: ThrombusResult | None,
    options: AnonymizeOptions | None,
    progress: Callable[[float], None],
) -> dict[str, Any]:
    from strokescope.io.sitk_convert import write_mask
    from strokescope.outputs.encapsulated import build_encapsulated_pdf
    from strokescope.outputs.seg import SegmentSpec, build_seg
    from strokescope.outputs.sr import build_sr

    warnings: list[str] = list(source.meta.warnings)
    for r in (thrombus, hemorrhage):
        if r is not None:
            warnings += [w for w in r.warnings if w not in warnings]
    deid = Deidentifier(options) if options is not None else None
    headers = read_source_headers(source)
    if headers is not None:  # repaired copies; highdicom shares their elements: keep as is
        headers, repaired = safe_headers(headers)
        warnings += repaired
    progress(0.1)
    if deid is not None:
        m = source.meta
        deid.remember(m.patient_name, m.patient_id, m.source)
    head_ds = copy.deepcopy(headers[0]) if headers else header_dataset(source)
    if deid is not None:
        deid.dataset(head_ds, derived=False)
    header = StudyHeader.from_dataset(head_ds)
    scrub = deid.scrub_text if deid is not None else (lambda s: s)

    t_alg = (
        cc.thrombus_algorithm(thrombus.model_version, thrombus.model_sha256) if thrombus else None
    )
    h_alg = cc.hemorrhage_algorithm()
    specs = []
    if thrombus is not None and t_alg is not None and thrombus.mask.voxel_count:
        specs.append(
            SegmentSpec(
                "Thrombus", cc.THROMBUS, cc.CEREBRAL_ARTERY, thrombus.mask, t_alg, "thrombus"
            )
        )
    if hemorrhage is not None and hemorrhage.mask.voxel_count:
        specs.append(
            SegmentSpec("Hemorrhage", cc.HEMORRHAGE, cc.BRAIN, hemorrhage.mask, h_alg, "hemorrhage")
        )
    seg = sr = None
    names: dict[str, Any] = {
        "seg": None,
        "sr": None,
        "pdf_dicom": None,
        "masks": [],
        "source": [],
    }
    if headers is None:
        warnings.append(
            "source volume is not a DICOM series: SEG, SR and Encapsulated PDF not written"
        )
    else:
        same = same_geometry(source, headers)
        if not same:
            warnings.append(
                "source grid was resampled by the loader: SEG written on the resampled grid "
                "(own plane positions, same frame of reference)"
            )
        if specs:
            seg = build_seg(
                source,
                headers,
                specs,
                series_uid=generate_uid(),
                sop_uid=generate_uid(),
                same_grid=same,
            )
        else:
            warnings.append("no finding voxels: SEG not written")
        progress(0.4)
        numbers = {s.tracking_id: n for n, s in enumerate(specs, 1)}
        sr = build_sr(
            headers,
            seg=seg,
            segment_numbers=numbers,
            thrombus=thrombus,
            hemorrhage=hemorrhage,
            thrombus_algorithm=t_alg or h_alg,
            hemorrhage_algorithm=h_alg,
            series_uid=generate_uid(),
            sop_uid=generate_uid(),
            device_uid=generate_uid(),
        )
        progress(0.5)
        for ds, name, key in ((seg, SEG_NAME, "seg"), (sr, SR_NAME, "sr")):
            if ds is None:
                continue
            if deid is not None:
                _deidentify(deid, ds)
            _save_dicom(ds, staging / name)
            names[key] = name
        if deid is not None:
            names["source"], more = _write_source(deid, headers, staging / SOURCE_DIR)
            warnings += more
    progress(0.6)
    overlays = []
    if thrombus is not None:
        overlays.append(Overlay(thrombus.mask, colors.THROMBUS))
    if hemorrhage is not None:
        # outline only, on one slice: the reader checks the edge against the image
        overlays.append(Overlay(hemorrhage.mask, colors.HEMORRHAGE, alpha=0.0))
    window, slab = ((150.0, 500.0), 16.0) if thrombus is not None else ((40.0, 80.0), 0.0)
    images = render_key_images(source, overlays, window=window, slab_mm=slab)
    created = None if deid is not None else dt.datetime.now().isoformat(timespec="seconds")
    warnings = [scrub(w) for w in warnings]
    content = ReportContent(
        header=header,
        title=REPORT_TITLE,
        impression=[scrub(x) for x in impression_lines(thrombus, hemorrhage)],
        images=images,
        rows=measurement_rows(thrombus, hemorrhage),
        warnings=warnings,
        method_lines=[scrub(x) for x in _method_lines(thrombus, hemorrhage, options)],
        created=created,
    )
    pdf = render_report(content)
    atomic_write_bytes(staging / PDF_NAME, pdf)
    progress(0.75)
    pdf_ds = None
    if headers is not None:
        pdf_ds = build_encapsulated_pdf(
            pdf,
            copy.deepcopy(headers[0]),
            series_uid=generate_uid(),
            sop_uid=generate_uid(),
            title=REPORT_TITLE,
        )
        if deid is not None:
            _deidentify(deid, pdf_ds)
        _save_dicom(pdf_ds, staging / PDF_DICOM_NAME)
        names["pdf_dicom"] = PDF_DICOM_NAME
    progress(0.85)
    for result, name in (
        (thrombus, "thrombus_mask.nii.gz"),
        (hemorrhage, "hemorrhage_mask.nii.gz"),
    ):
        if result is not None:
            write_mask(result.mask, staging / name)
            names["masks"].append(name)
    files = {
        "seg": names["seg"],
        "sr": names["sr"],
        "pdf": PDF_NAME,
        "pdf_dicom": names["pdf_dicom"],
        "csv": CSV_NAME,
        "masks": list(names["masks"]),
    }
    if deid is not None:
        files["source"] = [f"{SOURCE_DIR}/{n}" for n in names["source"]]
    uids = {
        "seg_sop_instance_uid": None if seg is None else str(seg.SOPInstanceUID),
        "sr_sop_instance_uid": None if sr is None else str(sr.SOPInstanceUID),
        "pdf_sop_instance_uid": None if pdf_ds is None else str(pdf_ds.SOPInstanceUID),
    }
    doc = results_document(
        header,
        thrombus=thrombus,
        hemorrhage=hemorrhage,
        files=files,
        dicom_uids=uids,
        warnings=warnings,
        anonymized=deid is not None,
        created=created,
        scrub=scrub,
    )
    atomic_write_text(staging / JSON_NAME, json.dumps(doc, indent=2) + "\n")
    atomic_write_text(staging / CSV_NAME, csv_text(doc))
    progress(0.95)
    names["warnings"] = warnings
    return names
