"""Guardrails ([Tortora2023] limitations): calcification, hyperdense blood, inputs out of range.

* Calcification: vessel-wall calcium (> 130 HU on NCCT) is never thrombus. Voxels above
  ``CALCIFICATION_HU`` are removed from the segmentation, and a component whose NCCT is
  mostly (``CALCIFIED_FRACTION``) above it before removal is dropped entirely, with a note.
* Hyperdense blood: NCCT smoothed to ~2 mm, inside the brain (eroded 3 mm from the skull),
  away (3 mm) from bone, calcium and CTA-opacified vessels and from the segmented thrombus
  (5 mm), in a 40 HU band from ``BLOOD_ABOVE_GREY_HU`` above the brain's own grey matter
  (the ``GREY_PERCENTILE`` of the smoothed parenchyma; fresh blood 50-90 HU against grey
  matter 35-45 HU): blood is denser than any normal brain tissue, and a fixed 50-90 HU band
  would count dense grey matter as blood in a brain that reads denser than the one the
  limit was set on. More than ``BLOOD_MIN_ML`` of it gives the warning "hyperdense blood
  found: thrombus reading may be confounded" (SAH, ICH). The margin was set on the
  family-A calibration block (``benchmarks/calibrate_blood_band.py``).
* Inputs: NCCT slices > 2.5 mm, heavy noise (robust SD of neighbouring soft-tissue voxel
  differences > ``NOISE_MAX_HU``) and a missing CTA give "outside the validated range" warnings.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from strokescope.preprocess.gaussian import gaussian_mm
from strokescope.preprocess.morphology import ball_mm, dilate_ball, erode_ball
from strokescope.volume import Geometry, Mask, Volume

CALCIFICATION_HU = 130.0
OPACIFIED_HU = 150.0  # CTA lumen; below it a vessel is not opacified
CALCIFIED_FRACTION = 0.5
BLOOD_HU = (50.0, 90.0)
"""Fresh blood on NCCT; the band where the brain holds no parenchyma to read it against."""
BLOOD_BAND_HU = BLOOD_HU[1] - BLOOD_HU[0]
GREY_PERCENTILE = 90.0
BLOOD_ABOVE_GREY_HU = 15.0
"""Set on the family-A calibration block (``benchmarks/calibrate_blood_band.py``, margins
0-25 HU in steps of 5, 20 heads as drawn and again at -8 and +8 HU): the margin at which
``BLOOD_MIN_ML`` separates the heads with subarachnoid blood (>= 0.81 mL) from those
without (<= 0.003 mL) with the widest gap; at 10 HU a head without blood reads 0.68 mL, at
20 HU a bleeding one 0.42 mL."""
BLOOD_MIN_ML = 0.3
PARENCHYMA_HU = (10.0, 60.0)
"""NCCT range of brain voxels read as parenchyma: above CSF (0-15 HU), below calcification
and bone at the mask's edge."""
MAX_SLICE_MM = 2.5
NOISE_MAX_HU = 15.0
NOISE_SLICES = 32
BLOOD_WARNING = "hyperdense blood found: thrombus reading may be confounded"
OUTSIDE = "input outside the validated range"


def blood_band(grey: float | None, above: float = BLOOD_ABOVE_GREY_HU) -> tuple[float, float]:
    """The blood's HU band in a brain whose grey matter reads ``grey`` HU: from ``above``
    over it, ``BLOOD_BAND_HU`` wide (``BLOOD_HU`` where no parenchyma was found)."""
    if grey is None:
        return BLOOD_HU
    return grey + above, grey + above + BLOOD_BAND_HU


@dataclass(frozen=True)
class BrainHu:
    """The smoothed NCCT (~2 mm) of the brain voxels where blood is sought: inside the brain
    eroded 3 mm, 3 mm from bone, calcium and opacified vessels, 5 mm from the thrombus."""

    values: npt.NDArray[np.float32]
    voxel_ml: float

    def ml_between(self, low: float, high: float) -> float:
        """Volume (mL) of the voxels from ``low`` to ``high`` HU."""
        inside = (self.values >= low) & (self.values <= high)
        return float(np.count_nonzero(inside) * self.voxel_ml)

    def blood(self, above: float = BLOOD_ABOVE_GREY_HU) -> tuple[float, tuple[float, float]]:
        """Volume (mL) of hyperdense blood and the HU band it was read in, from ``above``
        over the grey matter (see the module docstring)."""
        band = blood_band(self.grey_hu(), above)
        return self.ml_between(*band), band

    def grey_hu(self) -> float | None:
        """The grey matter's HU: the ``GREY_PERCENTILE`` of the voxels in
        :data:`PARENCHYMA_HU` (None without any), the densest normal brain tissue."""
        v = self.values[(self.values > PARENCHYMA_HU[0]) & (self.values < PARENCHYMA_HU[1])]
        return float(np.percentile(v, GREY_PERCENTILE)) if v.size else None


def brain_hu(
    ncct: npt.NDArray[np.float32],
    cta: npt.NDArray[np.float32],
    brain: npt.NDArray[np.bool_],
    thrombus: npt.NDArray[np.bool_],
    geometry: Geometry,
) -> BrainHu:
    """:class:`BrainHu` of arrays on ``geometry`` (a ~1-2 mm grid is enough and fast): the
    hyperdense-blood reading of the brain outside vessels, bone and ``thrombus``."""
    smooth = gaussian_mm(ncct, 1.0, geometry.spacing)
    exclude = (ncct > CALCIFICATION_HU) | (cta > OPACIFIED_HU)
    exclude = dilate_ball(exclude, ball_mm(geometry, 3.0))
    if thrombus.any():
        exclude |= dilate_ball(thrombus, ball_mm(geometry, 5.0))
    allowed = erode_ball(brain, ball_mm(geometry, 3.0)) & ~exclude
    return BrainHu(smooth[allowed], geometry.voxel_volume_mm3 / 1000.0)


def noise_sd(ncct: Volume) -> float:
    """Robust noise SD (HU) in the central third of the NCCT: 1.4826 x MAD of in-plane
    neighbour differences between soft-tissue voxels (0-80 HU), / sqrt(2). At most
    ``NOISE_SLICES`` evenly spaced slices of that third are read (at 512 x 512 x 320 that
    is still ~0.8 M differences, and 0.4 s less than every slice)."""
    z, y, x = ncct.shape
    z0, z1 = z // 3, max(z // 3 + 1, 2 * z // 3)
    step = max(1, -(-(z1 - z0) // NOISE_SLICES))
    a = ncct.array[z0:z1:step, y // 3 : 2 * y // 3, x // 3 : 2 * x // 3]
    soft = (a > 0) & (a < 80)
    both = soft[:, :, 1:] & soft[:, :, :-1]
    diff = (a[:, :, 1:] - a[:, :, :-1])[both]
    if diff.size < 100:
        return 0.0
    mad = float(np.median(np.abs(diff - np.median(diff))))
    return 1.4826 * mad / float(np.sqrt(2.0))


def input_warnings(ncct: Volume, cta: Volume | None, noise: float) -> list[str]:
    """Slice thickness, missing CTA and noise warnings (one line each)."""
    out = []
    thickness = ncct.meta.slice_thickness_mm or float(ncct.spacing[0])
    if thickness > MAX_SLICE_MM:
        out.append(f"NCCT slices {thickness:.1f} mm > {MAX_SLICE_MM:g} mm: {OUTSIDE}")
    if cta is None:
        out.append(f"no CTA: the thrombus model needs NCCT + CTA; {OUTSIDE}; not analysed")
    if noise > NOISE_MAX_HU:
        out.append(f"heavy NCCT noise (SD {noise:.0f} HU > {NOISE_MAX_HU:g} HU): {OUTSIDE}")
    return out


def blood_warning(
    kept: list[npt.NDArray[np.int64]],
    grid: Geometry,
    aux: Geometry,
    aux_hu: npt.NDArray[np.float32],
    brain: Mask,
) -> list[str]:
    """The warning about hyperdense blood outside vessels and away from the kept thrombi
    (on ``aux``) when there is enough of it."""
    thrombus_aux = np.zeros(aux.shape, dtype=bool)
    if kept:
        ai = np.rint(aux.lps_to_index(grid.index_to_lps(np.concatenate(kept)))).astype(int)
        ai = ai[np.all((ai >= 0) & (ai < np.asarray(aux.shape)), axis=1)]
        thrombus_aux[tuple(ai.T)] = True
    reading = brain_hu(aux_hu[0], aux_hu[1], brain.array, thrombus_aux, aux)
    blood, (lo, hi) = reading.blood()
    if blood < BLOOD_MIN_ML:
        return []
    return [f"{BLOOD_WARNING} ({blood:.1f} mL at {lo:.0f}-{hi:.0f} HU outside the vessels)"]
