"""Plausibility checks on a CT stack right after the modality LUT, before any resampling.

Two header faults change every HU of a slice without breaking anything the scan can see:

* **No rescale** ((0028,1053) Rescale Slope and (0028,1052) Rescale Intercept both absent,
  no (0028,3000) Modality LUT Sequence): the stored values are taken as HU. That is right
  for the rare writer that stores HU, wrong for the usual unsigned or offset storage whose
  air lies near 0 instead of -1000. :func:`check_unrescaled` refuses the series when the
  air of those images is not near -1000 HU (the 1st percentile of a head CT lies in the
  air around the head), and lets it pass otherwise (the scan already warned).
* **One slice on another scale** (a Rescale Intercept of -2024 among -1024):
  :func:`odd_slices` compares each slice with both neighbours by the median of the
  pixel-wise differences (on every 4th row and column). Neighbouring slices of one head
  differ little at most pixels, so the median stays within a few tens of HU even across
  the skull base and the vertex, and a gradient along z (a ramp) makes the differences to
  the two neighbours opposite in sign. A slice that lies more than :data:`OUTLIER_HU`
  above (or below) both neighbours, which agree with each other, is named in a warning.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from strokescope.errors import DicomLoadError
from strokescope.io.series_info import FrameRef

AIR_MAX_HU = -500.0
"""Highest 1st percentile of HU accepted for images without rescale values."""
OUTLIER_HU = 300.0
"""Median pixel-wise difference to both neighbours that marks a slice as odd."""
AGREE_HU = 100.0
"""How closely the two neighbours must agree with each other."""
STRIDE = 4


def check_unrescaled(
    stack: npt.NDArray[np.float32], frames: Sequence[FrameRef], *, label: str
) -> None:
    """Refuse ``stack`` when its images without rescale values cannot hold HU.

    Raises
    ------
    DicomLoadError
        The 1st percentile of those images is above :data:`AIR_MAX_HU`.
    """
    bare = [k for k, f in enumerate(frames) if not f.rescale_given]
    if not bare:
        return
    sample = stack[bare, ::STRIDE, ::STRIDE]
    air = float(np.percentile(sample, 1))
    if air > AIR_MAX_HU:
        raise DicomLoadError(
            f"{label}: no (0028,1053) Rescale Slope / (0028,1052) Rescale Intercept in "
            f"{len(bare)} of {len(frames)} images, and their stored values cannot be HU "
            f"(air at {air:.0f} instead of near -1000); refused"
        )


def _median_step(a: npt.NDArray[np.float32], b: npt.NDArray[np.float32]) -> float:
    return float(np.median(a[::STRIDE, ::STRIDE] - b[::STRIDE, ::STRIDE]))


def odd_slices(stack: npt.NDArray[np.float32], frames: Sequence[FrameRef]) -> list[str]:
    """One warning per slice whose HU lie far from both neighbours' (slice order of
    ``stack``; ``frames[k]`` is slice ``k``). Needs three slices; the first and last are
    compared with the two slices next to them."""
    n = len(frames)
    if n < 3:
        return []
    steps = [_median_step(stack[k + 1], stack[k]) for k in range(n - 1)]  # k+1 minus k
    out = []
    for k in range(n):
        if 0 < k < n - 1:
            pair, diffs = (k - 1, k + 1), (steps[k - 1], -steps[k])  # k minus each neighbour
        else:
            pair = (1, 2) if k == 0 else (n - 2, n - 3)
            diffs = (_median_step(stack[k], stack[pair[0]]),) * 2
        if np.sign(diffs[0]) != np.sign(diffs[1]) or min(map(abs, diffs)) <= OUTLIER_HU:
            continue
        if abs(_median_step(stack[pair[1]], stack[pair[0]])) > AGREE_HU:
            continue  # the neighbours disagree too: anatomy or a ramp, not one odd slice
        f = frames[k]
        near = ", ".join(sorted({f"{frames[j].intercept:g}" for j in pair}))
        out.append(
            f"file {f.name}: its HU differ from the neighbouring slices by "
            f"{float(np.mean(diffs)):+.0f} (median); check its (0028,1052) Rescale Intercept "
            f"{f.intercept:g} (neighbours {near}); slice kept as it is"
        )
    return out
