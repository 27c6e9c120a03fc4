"""Seeded synthetic follow-up NCCT with a hemorrhage: head, skull, scalp, PH- or HI2-like bleed.

Optionally with bright specks along the inner skull (``specks``), as a box ROI over every
slice picks them up on real scans.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from strokescope.hemorrhage import Roi
from strokescope.volume import Mask, SeriesMeta, Volume


def _grid(
    shape: tuple[int, int, int], spacing: tuple[float, float, float], centre: tuple[float, ...]
) -> list[npt.NDArray[np.float64]]:
    return [
        (np.arange(n) * s - c).reshape([-1 if a == i else 1 for a in range(3)])
        for i, (n, s, c) in enumerate(zip(shape, spacing, centre, strict=True))
    ]


def _ellipsoid(
    grid: list[npt.NDArray[np.float64]], semi: tuple[float, float, float]
) -> npt.NDArray[np.bool_]:
    return (grid[0] / semi[0]) ** 2 + (grid[1] / semi[1]) ** 2 + (grid[2] / semi[2]) ** 2 <= 1.0


@dataclass(frozen=True)
class Case:
    ncct: Volume
    truth: Mask
    centre_index: tuple[int, int, int]
    specks: tuple[tuple[int, int, int], ...] = ()
    """Voxels at the centres of the inner-skull specks (``make_case(specks=n)``)."""


def _rim_specks(
    rng: np.random.Generator,
    rim: npt.NDArray[np.bool_],
    grid: list[npt.NDArray[np.float64]],
    n: int,
) -> list[tuple[int, int, int]]:
    """Up to ``n`` rim voxels 25-90 mm from the bleed centre (``grid`` is centred on it),
    within 60 mm of it in-plane and at least 12 mm from each other."""
    dz, dy, dx = (np.broadcast_to(a, rim.shape) for a in grid)
    far = np.sqrt(dz**2 + dy**2 + dx**2)
    ok = rim & (far > 25.0) & (np.abs(dy) < 60.0) & (np.abs(dx) < 60.0)
    cand = np.argwhere(ok)
    rng.shuffle(cand)
    chosen: list[tuple[int, int, int]] = []
    for k, j, i in cand:
        p = np.array([dz[k, j, i], dy[k, j, i], dx[k, j, i]])
        if all(np.linalg.norm(p - q) >= 12.0 for q in (_at(grid, c) for c in chosen)):
            chosen.append((int(k), int(j), int(i)))
        if len(chosen) == n:
            break
    return chosen


def _at(grid: list[npt.NDArray[np.float64]], idx: tuple[int, int, int]) -> npt.NDArray[np.float64]:
    return np.array([g.ravel()[i] for g, i in zip(grid, idx, strict=True)])


def make_case(
    *,
    seed: int = 0,
    kind: str = "PH",
    semi_mm: tuple[float, float, float] = (9.0, 14.0, 11.0),
    shape: tuple[int, int, int] = (30, 224, 224),
    spacing: tuple[float, float, float] = (5.0, 0.9, 0.9),
    noise_hu: float = 4.0,
    offset_mm: tuple[float, float, float] = (10.0, -15.0, 25.0),
    vessels_hu: float | None = None,
    contrast_agent: str = "",
    specks: int = 0,
    speck_hu: float = 75.0,
) -> Case:
    rng = np.random.default_rng(seed)
    head_c = tuple(n * s / 2 for n, s in zip(shape, spacing, strict=True))
    g = _grid(shape, spacing, head_c)
    brain_semi = (60.0, 85.0, 70.0)
    inner = _ellipsoid(g, brain_semi)
    skull = _ellipsoid(g, tuple(a + 7 for a in brain_semi))  # type: ignore[arg-type]
    head = _ellipsoid(g, tuple(a + 13 for a in brain_semi))  # type: ignore[arg-type]
    arr = np.full(shape, -1000.0)
    arr[head] = 40.0
    arr[skull] = 1200.0
    arr[inner] = 30.0
    grey = inner & ~_ellipsoid(g, tuple(a - 6 for a in brain_semi))  # type: ignore[arg-type]
    arr[grey] = 38.0
    bleed_c = tuple(c + o for c, o in zip(head_c, offset_mm, strict=True))
    gb = _grid(shape, spacing, bleed_c)
    blob = _ellipsoid(gb, semi_mm) & inner
    if kind == "PH":
        truth = blob
        arr[truth] = 68.0 + rng.normal(0.0, 3.0, np.count_nonzero(truth))
    else:  # HI2: patchy, fainter petechial blood in the infarct
        speckle = rng.random(shape) < 0.75
        truth = blob & speckle
        arr[truth] = 58.0 + rng.normal(0.0, 4.0, np.count_nonzero(truth))
        arr[blob & ~speckle] = 30.0
    if vessels_hu is not None:
        for y0, x0 in ((0.0, 30.0), (-30.0, -20.0), (40.0, -10.0)):  # arteries ~6 mm wide
            tube = (g[1] - y0) ** 2 + (g[2] - x0) ** 2 < 9.0
            arr[tube & inner] = vessels_hu
    placed: list[tuple[int, int, int]] = []
    if specks:  # discs of 2 mm radius on one slice, 1.5-3.5 mm inside the inner skull
        rim = inner & ~_ellipsoid(g, tuple(a - 3.5 for a in brain_semi)) & ~blob  # type: ignore[arg-type]
        rim &= _ellipsoid(g, tuple(a - 1.5 for a in brain_semi))  # type: ignore[arg-type]
        placed = _rim_specks(rng, rim, gb, specks)
        for k, j, i in placed:
            yy, xx = (np.arange(n) - c for n, c in zip(shape[1:], (j, i), strict=True))
            disc = (yy[:, None] * spacing[1]) ** 2 + (xx[None, :] * spacing[2]) ** 2 <= 4.0
            arr[k][disc & inner[k]] = speck_hu
    arr += rng.normal(0.0, noise_hu, shape)
    vol = Volume.from_array(arr, spacing, meta=SeriesMeta(contrast_agent=contrast_agent))
    centre = tuple(int(round(c / s)) for c, s in zip(bleed_c, spacing, strict=True))
    truth_mask = Mask(truth, vol.geometry, "truth")
    return Case(vol, truth_mask, centre, tuple(placed))  # type: ignore[arg-type]


def lesion_roi(case: Case, margin_mm: float = 5.0) -> Roi:
    """Benchmark ROI: bounding box + margin on the largest slice, over the lesion's slices."""
    t = case.truth.array
    per = t.sum(axis=(1, 2))
    zs = np.flatnonzero(per)
    k = int(np.argmax(per))
    ys, xs = np.flatnonzero(t[k].any(axis=1)), np.flatnonzero(t[k].any(axis=0))
    sy, sx = case.ncct.spacing[1:]
    my, mx = int(np.ceil(margin_mm / sy)), int(np.ceil(margin_mm / sx))
    return Roi(z=(zs[0], zs[-1]), y=(ys[0] - my, ys[-1] + my), x=(xs[0] - mx, xs[-1] + mx))
