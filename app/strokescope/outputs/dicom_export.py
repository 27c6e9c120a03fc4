"""The DICOM part of an export: SEG, TID 1500 SR, Encapsulated PDF and, when anonymised,
the de-identified source images, written into the staging folder of
:func:`strokescope.outputs.export.export_results`.

The source headers given here are the repaired copies of
:func:`strokescope.outputs.safe_header.safe_headers`; highdicom shares their elements with
the objects it builds, so they are never changed here.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pydicom.dataset import Dataset
from pydicom.uid import generate_uid

from strokescope.atomic import atomic_path
from strokescope.errors import ExportError
from strokescope.hemorrhage.result import HemorrhageResult
from strokescope.outcome.prediction import OutcomePrediction
from strokescope.outputs import codes as cc
from strokescope.outputs.anonymize import Deidentifier
from strokescope.outputs.safe_header import repair, thickness_mm
from strokescope.outputs.source_refs import same_geometry
from strokescope.thrombus.result import ThrombusResult
from strokescope.vessels.raster import tree_mask
from strokescope.volume import Volume

if TYPE_CHECKING:
    from strokescope.outputs.seg import SegmentSpec

SEG_NAME = "seg.dcm"
SR_NAME = "sr.dcm"
PDF_DICOM_NAME = "report_pdf.dcm"
SOURCE_DIR = "source"
"""Subfolder of the de-identified source images (anonymised exports only)."""


@dataclass
class DicomWritten:
    """What :func:`write_seg_sr` wrote (file names relative to the staging folder)."""

    seg: Dataset | None = None
    sr: Dataset | None = None
    seg_name: str | None = None
    sr_name: str | None = None
    source: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def save_dicom(ds: Dataset, path: Path) -> None:
    with atomic_path(path) as tmp:
        ds.save_as(tmp, enforce_file_format=True)


def _deidentify(deid: Deidentifier, ds: Dataset) -> None:
    """Apply the allow-list and the Basic Profile to one of our objects (SEG, SR, PDF)."""
    deid.dataset(ds, derived=True)


def _write_source(
    deid: Deidentifier, headers: list[Dataset], folder: Path
) -> tuple[list[str], list[str]]:
    """The de-identified source images the SEG and SR reference, into ``folder``.

    Each header's file is read again with its pixel data, repaired as its header was
    (:func:`strokescope.outputs.safe_header.repair`), run through the same
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
        repair(ds, slice_spacing=thickness_mm(header))  # warned once already, for the headers
        deid.dataset(ds)
        name = f"IM{k:04d}.dcm"
        save_dicom(ds, folder / name)
        names.append(name)
    if burned:
        warnings.append(
            "source images declare burned-in annotation: their pixels are copied unchanged "
            f"into {folder.name}/ and may show identifying text"
        )
    return names, warnings


def _segment_specs(
    thrombus: ThrombusResult | None,
    hemorrhage: HemorrhageResult | None,
    t_alg: cc.Algorithm | None,
    h_alg: cc.Algorithm,
) -> list[SegmentSpec]:
    """The SEG's segments, in order: thrombus, hemorrhage, arterial tree (each when it has
    voxels)."""
    from strokescope.outputs.seg import SegmentSpec

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
    if (tree := tree_mask(thrombus)) is not None:
        specs.append(
            SegmentSpec(
                "Arterial tree",
                cc.CEREBRAL_ARTERY,
                cc.BRAIN,
                tree,
                cc.tree_algorithm(),
                "arteries",
                cc.ANATOMICAL_STRUCTURE,
            )
        )
    return specs


def write_seg_sr(
    staging: Path,
    source: Volume,
    headers: list[Dataset],
    *,
    thrombus: ThrombusResult | None,
    hemorrhage: HemorrhageResult | None,
    deid: Deidentifier | None,
    progress: Callable[[float], None],
    outcome: OutcomePrediction | None = None,
) -> DicomWritten:
    """SEG (when a finding has voxels) and SR of the results on ``source`` (with the
    outcome model's probability among the thrombus features when one ran), de-identified
    with ``deid`` when given (then with the source images in ``SOURCE_DIR``)."""
    from strokescope.outputs.seg import build_seg
    from strokescope.outputs.sr import build_sr

    out = DicomWritten()
    t_alg = (
        cc.thrombus_algorithm(thrombus.model_version, thrombus.model_sha256) if thrombus else None
    )
    h_alg = cc.hemorrhage_algorithm()
    specs = _segment_specs(thrombus, hemorrhage, t_alg, h_alg)
    same = same_geometry(source, headers)
    if not same:
        out.warnings.append(
            "source grid was resampled by the loader: SEG written on the resampled grid "
            "(own plane positions, same frame of reference)"
        )
    if specs:
        out.seg = build_seg(
            source,
            headers,
            specs,
            series_uid=generate_uid(),
            sop_uid=generate_uid(),
            same_grid=same,
        )
    else:
        out.warnings.append("no finding voxels: SEG not written")
    progress(0.4)
    numbers = {s.tracking_id: n for n, s in enumerate(specs, 1)}
    out.sr = build_sr(
        headers,
        seg=out.seg,
        segment_numbers=numbers,
        thrombus=thrombus,
        hemorrhage=hemorrhage,
        outcome=outcome,
        thrombus_algorithm=t_alg or h_alg,
        hemorrhage_algorithm=h_alg,
        series_uid=generate_uid(),
        sop_uid=generate_uid(),
        device_uid=generate_uid(),
    )
    progress(0.5)
    for ds, name in ((out.seg, SEG_NAME), (out.sr, SR_NAME)):
        if ds is None:
            continue
        if deid is not None:
            _deidentify(deid, ds)
        save_dicom(ds, staging / name)
    out.seg_name = SEG_NAME if out.seg is not None else None
    out.sr_name = SR_NAME
    if deid is not None:
        out.source, more = _write_source(deid, headers, staging / SOURCE_DIR)
        out.warnings += more
    return out


def write_pdf_dicom(
    staging: Path, pdf: bytes, header: Dataset, *, title: str, deid: Deidentifier | None
) -> Dataset:
    """The report as Encapsulated PDF in the study of ``header`` (a source header)."""
    from strokescope.outputs.encapsulated import build_encapsulated_pdf

    pdf_ds = build_encapsulated_pdf(
        pdf,
        copy.deepcopy(header),
        series_uid=generate_uid(),
        sop_uid=generate_uid(),
        title=title,
    )
    if deid is not None:
        _deidentify(deid, pdf_ds)
    save_dicom(pdf_ds, staging / PDF_DICOM_NAME)
    return pdf_ds
