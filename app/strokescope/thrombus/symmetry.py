"""The midsagittal plane as the head's plane of mirror symmetry.

The brain mask's principal axes (:func:`strokescope.thrombus.anatomy.midsagittal_plane`)
place the plane through the mask's centroid; a field of view that cuts one side of the head,
or a head turned by 20 degrees or more (where the principal moments come close and the axis
is replaced by LPS x), moves it by centimetres at the skull base, and every left/right call,
mirror image and segment estimate moves with it. Here that plane only starts a search for
the plane that best maps the head onto itself, as symmetry-based midsagittal-plane methods
do ([Liu2001], [Ardekani1997]):

* the NCCT is averaged in blocks of about ``SAMPLE_MM`` and clipped to ``CLIP_HU`` (brain,
  CSF, falx and skull all take part; scalp air does not dominate);
* the samples are the block centres of the brain mask grown by ``SHELL_MM`` (the skull);
* the cost of a plane is the mean absolute difference between each sample and the image at
  its mirror image (trilinear), over the samples whose mirror lies in the field of view,
  with at least ``MIN_INSIDE`` of them;
* a pattern search over the plane's two tilts and its offset, from the principal-axis plane
  and from the LPS-x plane through the same centroid, halves its steps from
  ``START_STEPS`` (degrees, mm) to ``STOP_STEPS`` and keeps the better of the two.

The result is the same :class:`~strokescope.thrombus.anatomy.Plane`, normal to the patient's
left. A head that matches its mirror image better about some other plane (a strongly
irregular skull, a large one-sided lesion near the skull) can draw the search there.

References: [Liu2001] Liu Y, Collins RT, Rothfus WE. Robust midsagittal plane extraction
from normal and pathological 3-D neuroradiology images. IEEE TMI 2001;20:175-92.
[Ardekani1997] Ardekani BA et al. Automatic detection of the mid-sagittal plane in 3-D brain
images. IEEE TMI 1997;16:947-52.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from strokescope.preprocess.blocks import block_mean
from strokescope.preprocess.morphology import ball_mm, dilate_ball
from strokescope.preprocess.registration import trilinear
from strokescope.thrombus.anatomy import Plane, midsagittal_plane
from strokescope.volume import Geometry, Mask, Volume

SAMPLE_MM = 3.0
SHELL_MM = 9.0
CLIP_HU = (-100.0, 200.0)
MIN_INSIDE = 0.4
MAX_SAMPLES = 12_000
START_STEPS = (8.0, 8.0)
STOP_STEPS = (0.25, 0.25)
F64 = npt.NDArray[np.float64]


class _Cost:
    """Mirror asymmetry of the head for a plane (see the module docstring)."""

    def __init__(self, ncct: Volume, brain: Mask) -> None:
        g = ncct.geometry
        f = tuple(max(1, round(SAMPLE_MM / s)) for s in g.spacing)
        self.image = np.clip(block_mean(ncct.array, f), *CLIP_HU).astype(np.float32)
        spacing = tuple(s * k for s, k in zip(g.spacing, f, strict=True))
        origin = g.index_to_lps((np.asarray(f, float) - 1) / 2).reshape(3)
        self.geometry = Geometry.from_sequences(self.image.shape, spacing, origin, g.direction)
        coarse = block_mean(brain.array, f) > 0
        head = dilate_ball(coarse, ball_mm(self.geometry, SHELL_MM)) if coarse.any() else coarse
        idx = np.argwhere(head)
        if len(idx) > MAX_SAMPLES:
            idx = idx[np.random.default_rng(0).choice(len(idx), MAX_SAMPLES, replace=False)]
        self.values = self.image[tuple(idx.T)].astype(np.float64)
        self.points = self.geometry.index_to_lps(idx.astype(float))

    def __call__(self, plane: Plane) -> float:
        if len(self.points) == 0:
            return 0.0
        index = self.geometry.lps_to_index(plane.mirror(self.points))
        mirrored = trilinear(self.image, index, default=np.nan)  # NaN: outside the field
        inside = np.isfinite(mirrored)
        if inside.mean() < MIN_INSIDE:
            return np.inf
        return float(np.abs(mirrored[inside] - self.values[inside]).mean())


def _plane(start: Plane, params: F64) -> Plane:
    """``start`` tilted by two angles (degrees, about two axes in the plane) and moved along
    its normal (mm)."""
    n0 = np.asarray(start.normal)
    u = np.cross(n0, [0.0, 0.0, 1.0])
    u = u / np.linalg.norm(u) if np.linalg.norm(u) > 1e-6 else np.array([0.0, 1.0, 0.0])
    v = np.cross(n0, u)
    n = n0 + np.tan(np.radians(params[0])) * u + np.tan(np.radians(params[1])) * v
    n /= np.linalg.norm(n)
    n = n if n[0] >= 0 else -n
    point = np.asarray(start.point) + params[2] * n0
    return Plane(tuple(float(x) for x in point), tuple(float(x) for x in n))  # type: ignore[arg-type]


def _search(cost: _Cost, start: Plane) -> tuple[float, Plane]:
    params = np.zeros(3)
    best = cost(start)
    angle, offset = START_STEPS
    while angle >= STOP_STEPS[0] or offset >= STOP_STEPS[1]:
        moved = True
        while moved:
            moved = False
            for axis, step in ((0, angle), (1, angle), (2, offset)):
                for sign in (1.0, -1.0):
                    trial = params.copy()
                    trial[axis] += sign * step
                    c = cost(_plane(start, trial))
                    if c < best - 1e-9:
                        best, params, moved = c, trial, True
        angle, offset = angle / 2, offset / 2
    return best, _plane(start, params)


def symmetric_plane(ncct: Volume, brain: Mask) -> Plane:
    """The midsagittal plane of the head in ``ncct`` (HU) with its brain mask (same grid);
    see the module docstring."""
    pca = midsagittal_plane(brain, max_tilt_deg=90.0)
    if not brain.array.any():
        return pca
    cost = _Cost(ncct, brain)
    lps_x = Plane(pca.point, (1.0, 0.0, 0.0))
    return min((_search(cost, s) for s in (pca, lps_x)), key=lambda r: r[0])[1]
