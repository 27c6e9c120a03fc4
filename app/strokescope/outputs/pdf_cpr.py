"""The curved planar reformat as an image: the CTA along a clot's artery, straightened
(:mod:`strokescope.vessels.cpr`), above the NCCT sampled at the same points through the
registration, the clot outlined in both.

The viewer's tree box shows it for the selected segment (:func:`reformat_strips`), the PDF
for the headline clot's segment, 40 mm either side of the clot (:func:`cpr_key_image`); only
when the arterial tree was traced. A research image like the tree itself (its caption says
where it runs and that the root is on the left).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from strokescope import colors
from strokescope.outputs.pdf_images import KeyImage, Overlay, compose_rgb
from strokescope.thrombus.result import ThrombusResult
from strokescope.vessels.cpr import STEP_MM, Reformat, reformat
from strokescope.vessels.result import ArterySegment
from strokescope.volume import Volume

MARGIN_MM = 40.0
WINDOW = (150.0, 500.0)  # level, width (HU): lumen bright, clot and brain grey
NCCT_WINDOW = (40.0, 80.0)
RGB = npt.NDArray[np.uint8]


def _clot(view: Reformat, result: ThrombusResult) -> npt.NDArray[np.bool_]:
    """Where ``result``'s clot lies in the reformat (rows, columns)."""
    return view.sample(result.mask.array, result.mask.geometry, default=0.0) > 0.5


def _strips(
    view: Reformat,
    clot: npt.NDArray[np.bool_],
    cta: Volume,
    ncct: Volume | None,
    result: ThrombusResult,
    cols: slice,
) -> RGB:
    """CTA strip, then (when ``ncct`` and the registration exist) two black rows and the
    NCCT strip, columns ``cols``, the ``clot`` (:func:`_clot`) outlined in both."""
    outline = [(clot[:, cols], Overlay(result.mask, colors.THROMBUS, alpha=0.0))]
    strips = [compose_rgb(view.sample(cta.array, cta.geometry)[:, cols], outline, WINDOW)]
    if ncct is not None and result.cta_to_ncct is not None:
        moved = np.asarray(result.cta_to_ncct, dtype=float)
        image = view.sample(ncct.array, ncct.geometry, moved=moved)[:, cols]
        gap = np.zeros((2, strips[0].shape[1], 3), np.uint8)
        strips += [gap, compose_rgb(image, outline, NCCT_WINDOW)]
    return np.concatenate(strips)


def reformat_strips(
    cta: Volume, ncct: Volume | None, result: ThrombusResult, segment: ArterySegment
) -> RGB | None:
    """RGB (rows, columns, 3) along ``segment``'s whole artery (see the module docstring);
    None when the result has no tree or lies on another grid than ``cta``."""
    if result.arteries is None or not result.mask.geometry.same_grid(cta.geometry):
        return None
    view = reformat(result.arteries.tree, segment)
    if view.along_mm.size == 0:
        return None
    return _strips(view, _clot(view, result), cta, ncct, result, slice(None))


def cpr_key_image(
    source: Volume, thrombus: ThrombusResult | None, ncct: Volume | None = None
) -> KeyImage | None:
    """The PDF's key image along the headline clot's artery (CTA ``source`` above ``ncct``
    when given), or None."""
    reading = None if thrombus is None else thrombus.arteries
    clot = None if thrombus is None else thrombus.headline()
    if thrombus is None or reading is None or clot is None:
        return None
    if not thrombus.mask.geometry.same_grid(source.geometry):
        return None
    on = next((c for c in reading.clots if c.thrombus == clot.label), None)
    segment = (
        None
        if on is None or on.segment is None
        else reading.tree.segment(on.segment, on.side or "")
    )
    if segment is None:
        return None
    view = reformat(reading.tree, segment)
    if view.along_mm.size == 0:
        return None
    inside = _clot(view, thrombus)
    columns = np.flatnonzero(inside.any(axis=0))
    if len(columns) == 0:
        return None
    pad = int(round(MARGIN_MM / STEP_MM))
    lo, hi = max(0, columns[0] - pad), min(len(view.along_mm), columns[-1] + pad + 1)
    rgb = _strips(view, inside, source, ncct, thrombus, slice(lo, hi))
    below = " above the NCCT," if ncct is not None and thrombus.cta_to_ncct is not None else ""
    caption = (
        f"Curved planar reformat, CTA{below} along the {view.title}: {view.along_mm[lo]:.0f}-"
        f"{view.along_mm[hi - 1]:.0f} mm from its root (root on the left), clot outlined"
    )
    return KeyImage(rgb, caption, ("", "", "", ""))
