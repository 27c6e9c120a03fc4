"""A seeded synthetic head CT: scalp, skull, brain, ventricles, a gap at the skull base."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from strokescope.volume import Volume


def ellipsoid(
    shape: tuple[int, int, int],
    spacing: tuple[float, float, float],
    centre_mm: tuple[float, float, float],
    semi_mm: tuple[float, float, float],
) -> npt.NDArray[np.bool_]:
    z, y, x = (
        (np.arange(n) * s - c) / a
        for n, s, c, a in zip(shape, spacing, centre_mm, semi_mm, strict=True)
    )
    return (z[:, None, None] ** 2 + y[None, :, None] ** 2 + x[None, None, :] ** 2) <= 1.0


def make_head(
    shape: tuple[int, int, int],
    spacing: tuple[float, float, float],
    *,
    seed: int = 0,
    noise_hu: float = 4.0,
) -> tuple[Volume, npt.NDArray[np.bool_]]:
    """Return (CT volume, true intracranial mask). The head is centred in the grid."""
    rng = np.random.default_rng(seed)
    centre = tuple(n * s / 2 for n, s in zip(shape, spacing, strict=True))
    brain_semi = (55.0, 80.0, 65.0)
    inner = ellipsoid(shape, spacing, centre, brain_semi)  # type: ignore[arg-type]
    skull = ellipsoid(shape, spacing, centre, tuple(a + 7 for a in brain_semi))  # type: ignore[arg-type]
    head = ellipsoid(shape, spacing, centre, tuple(a + 13 for a in brain_semi))  # type: ignore[arg-type]
    arr = np.full(shape, -1000.0, np.float32)
    arr[head] = 40.0  # scalp
    arr[skull] = 1200.0
    arr[inner] = 32.0
    vent = ellipsoid(shape, spacing, centre, (12.0, 25.0, 8.0))  # type: ignore[arg-type]
    arr[vent & inner] = 6.0
    calc = ellipsoid(shape, spacing, (centre[0] + 10, centre[1], centre[2] + 20), (4.0, 3.0, 3.0))
    arr[calc & inner] = 400.0
    # a 6 mm wide soft-tissue channel through the skull base (like a foramen)
    zz = np.arange(shape[0]) * spacing[0]
    yy = np.abs(np.arange(shape[1]) * spacing[1] - centre[1]) < 3.0
    xx = np.abs(np.arange(shape[2]) * spacing[2] - centre[2]) < 3.0
    channel = (zz < centre[0] - brain_semi[0] + 2)[:, None, None] & yy[None, :, None] & xx
    arr[channel & skull & ~inner] = 35.0
    arr += rng.normal(0.0, noise_hu, shape).astype(np.float32)
    return Volume.from_array(arr, spacing), inner
