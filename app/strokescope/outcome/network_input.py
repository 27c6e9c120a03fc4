"""The input of the outcome network: a fixed-size NCCT + CTA stack around the occlusion.

One function builds it for training and at run time (:func:`build_stack`), so the two can
never differ. numpy only (no SimpleITK resampling of the whole series, no torch).

Grid (axis order z, y, x): :data:`SLICES` axial slices of :data:`SIZE` x :data:`SIZE`
pixels, :data:`SPACING_MM` apart in every direction, aligned with the patient axes
(slices feet to head, rows anterior to posterior, columns patient right to left) and
centred on the centroid of the headline thrombus (:meth:`ThrombusResult.headline`) or,
without a clot, on the centre of the soft tissue of the CTA (:func:`head_centre`). When the
clot lies in the right hemisphere the columns are mirrored, so the affected hemisphere is
always on the same side of the stack (the seed registered every study to one template for
the same reason [Zhang2022]).

Channels: 0 the NCCT, sampled through the registration ``cta_to_ncct`` (4 x 4 LPS, CTA
point to NCCT point; identity when the two share a frame), 1 the CTA. Both trilinear, air
(-1024 HU) outside the scan, then windowed: clipped to :data:`NCCT_WINDOW` /
:data:`CTA_WINDOW` and scaled linearly to [-1, 1]. The NCCT window holds brain, blood and
clot (clot 50-80 HU against blood near 40 HU); the CTA window holds the opacified lumen
(300-450 HU) and a pervious clot's uptake.

[Zhang2022] Zhang H, Polson JS et al. Predicting thrombectomy recanalization from CT
imaging using deep learning models. MIDL 2022.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt

from strokescope.errors import InputError
from strokescope.volume import AXIAL_LPS, Geometry, Vec3, Volume

if TYPE_CHECKING:
    from strokescope.thrombus import ThrombusResult

SLICES = 16
SIZE = 64
SPACING_MM = 1.5
CHANNELS: tuple[str, ...] = ("ncct", "cta")
NCCT_WINDOW: tuple[float, float] = (-20.0, 120.0)
CTA_WINDOW: tuple[float, float] = (-20.0, 580.0)
AIR_HU = -1024.0
SOFT_TISSUE_HU: tuple[float, float] = (0.0, 100.0)
BUILDER = "strokescope.outcome.network_input v1"
"""Names this grid and normalisation in a model's manifest; change it with any of them."""

CentreSource = Literal["thrombus", "head"]


def input_spec() -> dict[str, Any]:
    """What a network model's manifest records about its input (checked at load time)."""
    return {
        "builder": BUILDER,
        "shape": ["N", len(CHANNELS), SLICES, SIZE, SIZE],
        "channels": list(CHANNELS),
        "spacing_mm": SPACING_MM,
        "windows_hu": {"ncct": list(NCCT_WINDOW), "cta": list(CTA_WINDOW)},
        "axis_order": "channel, z, y, x",
    }


@dataclass(frozen=True, eq=False)
class NetworkInput:
    """A built stack (float32, (channels, z, y, x)) and where it was taken."""

    stack: npt.NDArray[np.float32]
    centre_lps: Vec3
    mirrored: bool
    centre_source: CentreSource


def region_geometry(centre_lps: npt.ArrayLike) -> Geometry:
    """The stack's grid (:data:`SLICES` x :data:`SIZE` x :data:`SIZE` at
    :data:`SPACING_MM`, patient axes) centred on ``centre_lps`` (x, y, z mm)."""
    shape = (SLICES, SIZE, SIZE)
    half = (np.asarray(shape, dtype=float) - 1.0) / 2.0 * SPACING_MM
    d = np.asarray(AXIAL_LPS)
    origin = np.asarray(centre_lps, dtype=float) - d @ half
    return Geometry.from_sequences(shape, (SPACING_MM,) * 3, origin, d)


def _window(hu: npt.NDArray[np.float32], window: tuple[float, float]) -> npt.NDArray[np.float32]:
    low, high = window
    return np.asarray((np.clip(hu, low, high) - low) / (high - low) * 2.0 - 1.0, np.float32)


def build_stack(
    ncct: Volume,
    cta: Volume,
    *,
    centre_lps: npt.ArrayLike,
    cta_to_ncct: npt.ArrayLike | None = None,
    mirror: bool = False,
) -> npt.NDArray[np.float32]:
    """The (2, :data:`SLICES`, :data:`SIZE`, :data:`SIZE`) float32 stack of the module
    docstring around ``centre_lps`` (CTA frame, LPS mm); ``mirror`` flips the columns."""
    from strokescope.preprocess.registration import move_points, trilinear

    grid = region_geometry(centre_lps)
    k, j, i = np.meshgrid(*(np.arange(n, dtype=float) for n in grid.shape), indexing="ij")
    points = grid.index_to_lps(np.stack([k, j, i], axis=-1).reshape(-1, 3))
    m = np.eye(4) if cta_to_ncct is None else np.asarray(cta_to_ncct, dtype=float)
    if m.shape != (4, 4):
        raise InputError(f"cta_to_ncct must be a 4 x 4 matrix, got shape {m.shape}")
    ncct_points = move_points(m, points)
    hu = [
        trilinear(ncct.array, ncct.geometry.lps_to_index(ncct_points), default=AIR_HU),
        trilinear(cta.array, cta.geometry.lps_to_index(points), default=AIR_HU),
    ]
    stack = np.stack(
        [
            _window(h.reshape(grid.shape), w)
            for h, w in zip(hu, (NCCT_WINDOW, CTA_WINDOW), strict=True)
        ]
    )
    if mirror:
        stack = stack[..., ::-1]
    return np.ascontiguousarray(stack, dtype=np.float32)


def head_centre(cta: Volume, *, step: int = 4) -> Vec3:
    """The centroid (LPS mm) of the CTA's soft tissue (:data:`SOFT_TISSUE_HU`), from every
    ``step``-th voxel: the stack's centre when there is no clot."""
    sub = cta.array[::step, ::step, ::step]
    idx = np.argwhere((sub >= SOFT_TISSUE_HU[0]) & (sub <= SOFT_TISSUE_HU[1]))
    if idx.size == 0:
        raise InputError("CTA: no soft tissue (0-100 HU) to centre the outcome network's input")
    centre = cta.geometry.index_to_lps(idx.mean(axis=0) * step)
    return (float(centre[0]), float(centre[1]), float(centre[2]))


def network_input(ncct: Volume, cta: Volume | None, result: ThrombusResult) -> NetworkInput:
    """The stack of one study from its NCCT, CTA and thrombus analysis: centred on the
    headline thrombus (mirrored when it is right-sided), else on :func:`head_centre`.
    ``InputError`` without a CTA."""
    if cta is None:
        raise InputError("the outcome network needs the CTA series; none was given")
    clot = result.headline()
    source: CentreSource
    if clot is None:
        centre, mirror, source = head_centre(cta), False, "head"
    else:
        centre, mirror, source = clot.centroid_lps, clot.side == "right", "thrombus"
    stack = build_stack(ncct, cta, centre_lps=centre, cta_to_ncct=result.cta_to_ncct, mirror=mirror)
    return NetworkInput(stack, centre, mirror, source)
