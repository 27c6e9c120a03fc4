"""Write a generated study: DICOM series, NIfTI masks and ``truth.json``.

Layout: ``OUT/ncct/``, ``OUT/cta/``, ``OUT/followup/`` (with a haemorrhage), ``OUT/truth/``
(``<mask>.nii.gz`` and ``truth.json``; masks on a gantry-tilted grid are written as
``<mask>.nrrd`` because NIfTI would silently straighten the sheared axes). NCCT and CTA
share the study and patient; the follow-up is a separate study of the same synthetic
patient. UIDs derive from the seed, so rewriting a study gives the same UIDs.
"""

from __future__ import annotations

import json
import multiprocessing as mp
from dataclasses import dataclass, field
from pathlib import Path

from strokescope.atomic import atomic_write_text
from strokescope.errors import ExportError
from strokescope.io.dicom_write import SeriesIdentity, new_uid, write_ct_series
from strokescope.io.sitk_convert import write_mask
from strokescope.phantom.study import PhantomStudy
from strokescope.volume import Mask, Volume


@dataclass(frozen=True)
class StudyPaths:
    """Where :func:`write_study` put each part (``None``: not generated)."""

    root: Path
    ncct: Path
    cta: Path | None
    followup: Path | None
    truth_json: Path
    masks: dict[str, Path] = field(default_factory=dict)


def _identity(study: PhantomStudy, vol: Volume, kind: str, number: int) -> SeriesIdentity:
    seed = study.truth.seed
    key = ("strokescope-phantom", seed, study.truth.options.get("occlusion"))
    study_kind = "followup" if kind == "followup" else "baseline"
    return SeriesIdentity(
        patient_name=vol.meta.patient_name,
        patient_id=vol.meta.patient_id,
        study_uid=new_uid([*key, study_kind, "study"]),
        series_uid=new_uid([*key, kind, "series"]),
        frame_of_reference_uid=new_uid([*key, kind, "for"]),
        study_date="20260101" if study_kind == "baseline" else "20260102",
        series_number=number,
        description=vol.meta.description,
        kernel="H30s" if kind != "cta" else "H20f",
        contrast_agent=vol.meta.contrast_agent,
        accession_number=f"SS{seed % 10**8:08d}{'F' if study_kind == 'followup' else ''}",
    )


def _mask_suffix(mask: Mask) -> str:
    """NIfTI cannot store a sheared (gantry-tilted) grid, so those masks go to NRRD."""
    return ".nii.gz" if mask.geometry.is_orthogonal else ".nrrd"


def _write_series(study: PhantomStudy, vol: Volume, folder: Path, kind: str, number: int) -> None:
    write_ct_series(vol, folder, _identity(study, vol, kind, number))


def write_study(study: PhantomStudy, out_dir: str | Path, *, processes: int = 1) -> StudyPaths:
    """Write ``study`` under ``out_dir`` and return the paths.

    ``processes=2`` writes the CTA series in a forked child process while this process
    writes the NCCT (about twice as fast on two cores; POSIX only, falls back to one
    process elsewhere). Do not use it from a process that runs a GUI event loop.
    """
    root = Path(out_dir)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"{root}: cannot create phantom output folder ({exc.strerror})") from exc
    cta_dir = fu_dir = None
    child = None
    if study.cta is not None:
        cta_dir = root / "cta"
        args = (study, study.cta, cta_dir, "cta", 2)
        if processes > 1 and "fork" in mp.get_all_start_methods():
            child = mp.get_context("fork").Process(target=_write_series, args=args)
            child.start()
        else:
            _write_series(*args)
    _write_series(study, study.ncct, root / "ncct", "ncct", 1)
    if child is not None:
        child.join()
        if child.exitcode != 0:
            raise ExportError(f"{cta_dir}: writing the CTA series failed (exit {child.exitcode})")
    if study.followup is not None:
        fu_dir = root / "followup"
        write_ct_series(study.followup, fu_dir, _identity(study, study.followup, "followup", 1))
    truth_dir = root / "truth"
    masks = {
        name: write_mask(mask, truth_dir / f"{name}{_mask_suffix(mask)}")
        for name, mask in study.masks.items()
    }
    truth = study.truth.to_dict()
    truth["files"] = {
        "ncct": "ncct",
        "cta": "cta" if cta_dir else None,
        "followup": "followup" if fu_dir else None,
        "masks": {name: f"truth/{p.name}" for name, p in masks.items()},
    }
    truth_json = truth_dir / "truth.json"
    atomic_write_text(truth_json, json.dumps(truth, indent=2) + "\n")
    return StudyPaths(root, root / "ncct", cta_dir, fu_dir, truth_json, masks)
