"""The pipeline's thrombus functions, re-exported by :mod:`strokescope.pipeline`.

Callers use them as ``strokescope.pipeline.<name>``: this module only keeps the pipeline
module small. Same rules: keyword-only options, an optional ``on_progress(fraction)``
callback, heavy imports inside the functions.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from strokescope.pipeline import Progress
    from strokescope.thrombus import ThrombusResult
    from strokescope.vessels.raster import TreeLabels
    from strokescope.vessels.result import ArterySegment
    from strokescope.volume import Volume


def thrombus_models_folder() -> Path:
    """The folder the thrombus models are read from (``STROKESCOPE_MODELS`` or the shipped
    ``models_onnx``); it need not exist."""
    from strokescope.resources import models_dir

    return models_dir()


def thrombus_models_installed(models: str | Path | None = None) -> bool:
    """Whether the thrombus model folder (default: see ``strokescope.resources``) holds a
    manifest; the viewer disables the analysis and says so when it does not."""
    from strokescope.thrombus.model import models_installed

    return models_installed(models)


def warm_thrombus_models(
    *, models: str | Path | None = None, device: str = "auto", threads: int = 2
) -> None:
    """Check and load the thrombus models now; later :func:`analyze_thrombus` calls in this
    process with the same options reuse the sessions (a batch worker calls it at start)."""
    from strokescope.thrombus.model import load_models

    load_models(models, device=device, threads=threads)


def thrombus_model_version(models: str | Path | None = None) -> tuple[str, str]:
    """The installed thrombus models' version and a short digest of their checksums and
    decision rules, e.g. ``("0.5.0+seed0", "1a2b3c4d5e6f")``: two folders with the same
    digest give the same results (a rule changed in the manifest changes it). Checks the
    files against the manifest (``ModelError`` when they differ)."""
    import hashlib

    from strokescope.thrombus.model import load_models

    bundle = load_models(models, device="cpu", threads=1)
    lines = [f"{name} {sha}" for name, sha in sorted(bundle.sha256.items())]
    text = "\n".join([*lines, bundle.rules.describe()])
    return bundle.version, hashlib.sha256(text.encode()).hexdigest()[:12]


def analyze_thrombus(
    ncct: Volume,
    cta: Volume | None,
    *,
    models: str | Path | None = None,
    device: str = "auto",
    threads: int = 2,
    strict: bool = False,
    on_progress: Progress | None = None,
) -> ThrombusResult:
    """Thrombus on a thin-slice NCCT + CTA pair: register, coarse-to-fine ONNX, measure.

    ``models`` is the model folder (default ``models_onnx``); ``device`` is ``"auto"``
    (CUDA when onnxruntime provides it, else CPU), ``"cpu"``, ``"cuda"`` or ``"dml"``;
    ``threads`` sets onnxruntime's intra-op threads. Without a CTA, or
    with a "CTA" that shows no opacified arteries, the result is "not assessed" with the
    reason; an opacified NCCT is a warning (:mod:`strokescope.thrombus.input_roles`);
    ``strict`` turns both into an ``InputError``. The same series given twice is an
    ``InputError``. Raises ``ModelError`` for a missing, altered or mismatched model.
    """
    from strokescope.thrombus.analysis import analyze
    from strokescope.thrombus.model import load_models

    bundle = load_models(models, device=device, threads=threads)
    return analyze(ncct, cta, bundle, strict=strict, on_progress=on_progress)


def analyze_arteries(ncct: Volume, cta: Volume, thrombus: ThrombusResult) -> ThrombusResult:
    """``thrombus`` with its ``arteries``: the labelled arterial tree of the CTA, its clot
    burden score and contrast profiles, each thrombus read on it
    (:mod:`strokescope.vessels.reading`), through the motion the thrombus analysis found.
    Unchanged when that analysis did not register the pair (not assessed). Research
    output, checked on one phantom family only (:data:`strokescope.vessels.reading.TREE_CAVEAT`
    travels with it); about 3 s at 1 mm on two cores."""
    from dataclasses import replace

    from strokescope.preprocess.registration import RegistrationResult
    from strokescope.vessels import arterial_tree
    from strokescope.vessels.reading import read_tree

    if thrombus.cta_to_ncct is None:
        return thrombus
    metric = thrombus.registration_metric
    nan = float("nan")
    reg = RegistrationResult(thrombus.cta_to_ncct, nan if metric is None else metric, nan, 0, 0.0)
    return replace(thrombus, arteries=read_tree(arterial_tree(ncct, cta, reg), thrombus))


def arteries_overlay(result: ThrombusResult | None) -> TreeLabels | None:
    """The arterial tree of ``result`` drawn on its CTA grid, one code per TopCoW class
    (each centerline point widened to its lumen radius; :mod:`strokescope.vessels.raster`),
    for the viewer's overlay; None without a tree."""
    from strokescope.vessels.raster import tree_labels

    return tree_labels(result)


def artery_reformat(
    cta: Volume, ncct: Volume | None, result: ThrombusResult, segment: ArterySegment
) -> npt.NDArray[np.uint8] | None:
    """RGB of the curved planar reformat along ``segment``'s artery: the CTA above the NCCT
    (sampled at the same points through ``result``'s registration), the clot outlined
    (:func:`strokescope.outputs.pdf_cpr.reformat_strips`); None without a tree or on
    another grid."""
    from strokescope.outputs.pdf_cpr import reformat_strips

    return reformat_strips(cta, ncct, result, segment)


def registered_ncct(ncct: Volume, result: ThrombusResult) -> Volume | None:
    """The NCCT resampled onto the CTA grid through the motion the thrombus analysis found
    (None when it did not register: not assessed). For display: the analysis itself never
    needs it, so only the viewer pays its seconds at 512 x 512 x 320."""
    from strokescope.preprocess.registration import resample_registered

    if result.cta_to_ncct is None:
        return None
    return resample_registered(ncct, result.mask.geometry, result.cta_to_ncct)


def format_thrombus(result: ThrombusResult, *, verbose: bool = False) -> str:
    """The thrombus report as text (decision rule, checksums, seconds with ``verbose``)."""
    from strokescope.thrombus.report_text import format_result

    return format_result(result, verbose=verbose)


def read_thrombus_results(folder: str | Path) -> ThrombusResult:
    """The thrombus result an export wrote into ``folder``, read back (no re-run)."""
    from strokescope.thrombus.result_io import read_thrombus_result

    return read_thrombus_result(folder)
