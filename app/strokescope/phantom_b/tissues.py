"""Tissue labels of the family B head model and their attenuation (HU) per scan.

Values follow docs/CLINICAL_VALUES.md: CSF 0-15, grey matter 35-45, white matter 25-32, bone
several hundred (diploe) to 1200-1800 (cortical tables, petrous pyramid). Each case jitters
every soft-tissue value by up to +-4 HU; the CTA adds a small arterial-phase enhancement.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

AIR, SKIN, FAT, CORTICAL, DIPLOE, CSF, GM, WM, DEEP, STEM = range(10)
CEREB, PETROUS, BASE, GLOBE, ORBFAT, MUSCLE, DURA, CHOROID, PFSPACE, CAVERNOUS = range(10, 20)
PITUITARY, LENS = 20, 21
N_LABELS = 22

# Brain-and-CSF labels: what fills the cranial cavity.
CAVITY = (CSF, GM, WM, DEEP, STEM, CEREB, PFSPACE, DURA, CHOROID)
BONE = (CORTICAL, DIPLOE, PETROUS, BASE)

# (low, high) HU on NCCT, drawn once per case.
_NCCT_RANGE: dict[int, tuple[float, float]] = {
    SKIN: (38.0, 52.0),
    FAT: (-105.0, -80.0),
    CORTICAL: (1250.0, 1750.0),
    DIPLOE: (420.0, 780.0),
    CSF: (3.0, 11.0),
    GM: (36.0, 44.0),
    WM: (25.0, 31.0),
    DEEP: (34.0, 41.0),
    STEM: (29.0, 34.0),
    CEREB: (35.0, 42.0),
    PETROUS: (1500.0, 1800.0),
    BASE: (650.0, 950.0),
    GLOBE: (6.0, 14.0),
    ORBFAT: (-100.0, -80.0),
    MUSCLE: (44.0, 56.0),
    DURA: (44.0, 55.0),
    CHOROID: (28.0, 38.0),
    CAVERNOUS: (38.0, 46.0),
    PITUITARY: (36.0, 44.0),
    LENS: (90.0, 120.0),
}
# (low, high) HU added on the arterial-phase CTA.
_CTA_GAIN: dict[int, tuple[float, float]] = {
    SKIN: (5.0, 15.0),
    GM: (3.0, 8.0),
    WM: (2.0, 5.0),
    DEEP: (3.0, 7.0),
    STEM: (2.0, 5.0),
    CEREB: (3.0, 7.0),
    MUSCLE: (15.0, 30.0),
    DURA: (30.0, 60.0),
    CHOROID: (40.0, 80.0),
    CAVERNOUS: (120.0, 200.0),
    PITUITARY: (60.0, 100.0),
}


def tissue_tables(
    rng: np.random.Generator,
) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
    """Per-case look-up tables label -> HU for the NCCT and the CTA."""
    ncct = np.full(256, -1000.0, dtype=np.float32)
    cta = np.full(256, -1000.0, dtype=np.float32)
    for lab in range(1, N_LABELS):
        lo, hi = _NCCT_RANGE.get(lab, (-1000.0, -1000.0))
        ncct[lab] = rng.uniform(lo, hi)
        glo, ghi = _CTA_GAIN.get(lab, (0.0, 0.0))
        cta[lab] = ncct[lab] + rng.uniform(glo, ghi)
    ncct[PFSPACE], cta[PFSPACE] = ncct[CEREB], cta[CEREB]
    return ncct, cta


def label_set(labels: tuple[int, ...]) -> npt.NDArray[np.bool_]:
    """Boolean look-up table over uint8 labels."""
    lut = np.zeros(256, dtype=bool)
    lut[list(labels)] = True
    return lut
