"""The fine stage's mask made ready to be read as candidates: calcium and, where the rules
ask for it, opacified lumen removed (enhanced voxels, and enhanced stretches at the ends of
a candidate: :mod:`strokescope.thrombus.lumen_ends`); its connected components, and each
component's extent before the lumen was removed."""

from __future__ import annotations

import logging

import numpy as np
import numpy.typing as npt

from strokescope.preprocess.morphology import components
from strokescope.preprocess.registration import RegistrationResult, sample_registered
from strokescope.thrombus import guardrails as gr
from strokescope.thrombus.lumen_ends import clot_stretches
from strokescope.thrombus.rules import Rules
from strokescope.volume import Volume

log = logging.getLogger(__name__)


def clean_mask(
    mask: npt.NDArray[np.bool_],
    offset: npt.NDArray[np.int64],
    ncct: Volume,
    cta: Volume,
    reg: RegistrationResult,
    rules: Rules | None = None,
) -> tuple[npt.NDArray[np.bool_], list[str], npt.NDArray[np.int32] | None]:
    """Remove calcified voxels and mostly-calcified components (guardrail 1), and where
    ``rules`` set ``max_voxel_contrast_hu`` the voxels enhanced by at least that much (CTA
    minus NCCT): lumen; where they set ``lumen_end_stretch_mm``, then the enhanced stretches
    at each component's ends. Returns the mask, notes for the user and, with either rule,
    the labels of the components the candidates formed before the lumen left them (None
    without them or without a candidate voxel).

    ``mask`` is a box of the CTA grid whose first voxel is CTA index ``offset``.
    """
    notes: list[str] = []
    idx = np.argwhere(mask)
    if len(idx) == 0:
        return mask, notes, None
    hu = sample_registered(ncct, cta.geometry.index_to_lps((idx + offset).astype(float)), reg)
    out = mask.copy()
    removed = np.zeros_like(mask)
    cut = None if rules is None else rules.max_voxel_contrast_hu
    if cut is not None:
        lumen = cta.array[tuple((idx + offset).T)] - hu >= cut
        if lumen.any():
            out[tuple(idx[lumen].T)] = False
            removed[tuple(idx[lumen].T)] = True
            log.info("thrombus: %d opacified voxel(s) removed as lumen", int(lumen.sum()))
    hot = hu > gr.CALCIFICATION_HU
    if hot.any():
        notes.append(_drop_calcium(mask, idx, hot, out))
        removed[tuple(idx[hot].T)] = False  # calcium is not lumen
    stretch = None if rules is None else rules.lumen_end_stretch_mm
    if stretch is not None:
        assert rules is not None
        contrast = np.zeros(mask.shape, dtype=np.float32)
        contrast[tuple(idx.T)] = cta.array[tuple((idx + offset).T)] - hu
        _trim_ends(out, removed, contrast, offset, cta, rules, stretch)
    if cut is None and stretch is None:
        return out, notes, None
    return out, notes, components(out | removed)[0]


def _trim_ends(
    out: npt.NDArray[np.bool_],
    removed: npt.NDArray[np.bool_],
    contrast: npt.NDArray[np.float32],
    offset: npt.NDArray[np.int64],
    cta: Volume,
    rules: Rules,
    stretch_mm: float,
) -> None:
    """Move the enhanced end stretches of each component of ``out`` to ``removed``."""
    dropped = 0
    for index in component_indices(out, offset):
        local = index - offset
        keep = clot_stretches(
            index,
            cta.geometry,
            contrast[tuple(local.T)],
            rules.max_perviousness_hu,
            stretch_mm,
            rules.lumen_end_above_least_hu,
        )
        if not keep.all():
            out[tuple(local[~keep].T)] = False
            removed[tuple(local[~keep].T)] = True
            dropped += int((~keep).sum())
    if dropped:
        log.info("thrombus: %d voxel(s) of enhanced end stretches removed as lumen", dropped)


def _drop_calcium(
    mask: npt.NDArray[np.bool_],
    idx: npt.NDArray[np.int64],
    hot: npt.NDArray[np.bool_],
    out: npt.NDArray[np.bool_],
) -> str:
    """Clear the calcified voxels ``idx[hot]`` of ``mask`` and its mostly-calcified
    components from ``out``; the note that says what went."""
    lo = idx.min(0)
    hi = idx.max(0) + 1
    labels, _ = components(mask[lo[0] : hi[0], lo[1] : hi[1], lo[2] : hi[2]])
    lab = labels[tuple((idx - lo).T)]
    frac = np.bincount(lab, weights=hot) / np.maximum(np.bincount(lab), 1)
    dropped = np.nonzero(frac >= gr.CALCIFIED_FRACTION)[0]
    dropped = dropped[dropped > 0]
    for k in dropped:
        out[tuple(idx[lab == k].T)] = False
    out[tuple(idx[hot].T)] = False
    if len(dropped):
        return (
            f"{len(dropped)} candidate(s) mostly > {gr.CALCIFICATION_HU:g} HU on "
            "NCCT removed as calcification, not thrombus"
        )
    return f"{int(hot.sum())} voxel(s) > {gr.CALCIFICATION_HU:g} HU (calcium) removed"


def component_indices(
    mask: npt.NDArray[np.bool_], offset: npt.NDArray[np.int64]
) -> list[npt.NDArray[np.int64]]:
    """CTA-grid indices of each connected component of ``mask`` (a box at ``offset``)."""
    nz = np.argwhere(mask)
    if len(nz) == 0:
        return []
    lo, hi = nz.min(0), nz.max(0) + 1
    labels, n = components(mask[lo[0] : hi[0], lo[1] : hi[1], lo[2] : hi[2]])
    idx_all = np.argwhere(labels > 0)
    lab_all = labels[tuple(idx_all.T)]
    idx_all += lo + offset
    order = np.argsort(lab_all, kind="stable")
    idx_all, lab_all = idx_all[order], lab_all[order]
    bounds = np.searchsorted(lab_all, np.arange(1, n + 2))
    return [idx_all[bounds[k] : bounds[k + 1]] for k in range(n)]


def parent_indices(
    index: npt.NDArray[np.int64],
    parents: npt.NDArray[np.int32] | None,
    offset: npt.NDArray[np.int64],
) -> npt.NDArray[np.int64] | None:
    """CTA-grid indices of the component ``index`` belonged to before lumen removal, or
    None when the removal took none of its voxels."""
    if parents is None:
        return None
    before = parents == parents[tuple(index[0] - offset)]
    return None if before.sum() == len(index) else np.argwhere(before) + offset
