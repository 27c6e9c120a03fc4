"""The PDF's curved planar reformat: the CTA along the headline clot's artery, straightened
(:mod:`strokescope.vessels.cpr`), the clot outlined, 40 mm either side of it.

Only when the arterial tree was traced and the headline clot lies on one of its segments;
a research image like the tree itself (its caption says where it runs and that the root
is on the left).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from strokescope import colors
from strokescope.outputs.pdf_images import KeyImage, Overlay, compose_rgb
from strokescope.thrombus.result import ThrombusResult
from strokescope.vessels.cpr import STEP_MM, reformat
from strokescope.vessels.result import ArterySegment
from strokescope.volume import Volume

MARGIN_MM = 40.0
WINDOW = (150.0, 500.0)  # level, width (HU): lumen bright, clot and brain grey
NCCT_WINDOW = (40.0, 80.0)


def reformat_strips(
    cta: Volume, ncct_on_cta: Volume | None, result: ThrombusResult, segment: ArterySegment
) -> npt.NDArray[np.uint8] | None:
    """RGB (rows, columns, 3): the CTA straightened along ``segment``'s artery above the
    NCCT on the CTA grid (when given), two black rows between, ``result``'s clot outlined
    in both; None when the result has no tree or lies on another grid."""
    g = cta.geometry
    if result.arteries is None or not result.mask.geometry.same_grid(g):
        return None
    tree = result.arteries.tree
    clot = reformat(result.mask.array.astype(np.float32), g, tree, segment).image > 0.5
    outline = [(clot, Overlay(result.mask, colors.THROMBUS, alpha=0.0))]
    strips = []
    for vol, window in ((cta, WINDOW), (ncct_on_cta, NCCT_WINDOW)):
        if vol is not None and vol.geometry.same_grid(g):
            image = reformat(np.asarray(vol.array, np.float32), g, tree, segment).image
            strips.append(compose_rgb(image, outline, window))
    if not strips or strips[0].size == 0:
        return None
    gap = np.zeros((2, strips[0].shape[1], 3), np.uint8)
    return np.concatenate([strips[0], *[np.concatenate([gap, x]) for x in strips[1:]]])


def cpr_key_image(source: Volume, thrombus: ThrombusResult | None) -> KeyImage | None:
    """The key image (see the module docstring), or None."""
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
    ct = reformat(np.asarray(source.array, np.float32), source.geometry, reading.tree, segment)
    inside = (
        reformat(
            thrombus.mask.array.astype(np.float32), source.geometry, reading.tree, segment
        ).image
        > 0.5
    )
    columns = np.flatnonzero(inside.any(axis=0))
    if ct.image.size == 0 or len(columns) == 0:
        return None
    pad = int(round(MARGIN_MM / STEP_MM))
    lo, hi = max(0, columns[0] - pad), min(ct.image.shape[1], columns[-1] + pad + 1)
    rgb = compose_rgb(
        ct.image[:, lo:hi], [(inside[:, lo:hi], Overlay(thrombus.mask, colors.THROMBUS))], WINDOW
    )
    caption = (
        f"Curved planar reformat, CTA along the {ct.title}: {ct.along_mm[lo]:.0f}-"
        f"{ct.along_mm[hi - 1]:.0f} mm from its root (root on the left), clot outlined"
    )
    return KeyImage(rgb, caption, ("", "", "", ""))
