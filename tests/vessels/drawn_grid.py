"""A working grid from a drawn lumen mask, for tests of the tree's landmarks and targets."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from strokescope.vessels.grid import WorkGrid, lumen_radius, speed_map
from strokescope.volume import Geometry


def drawn_grid(geom: Geometry, lumen: npt.NDArray[np.bool_]) -> WorkGrid:
    """Lumen at 350 HU on the CTA, 35 HU elsewhere and on the whole NCCT (1 mm grid)."""
    cta = np.where(lumen, 350.0, 35.0).astype(np.float32)
    ncct = np.full(lumen.shape, 35.0, np.float32)
    radius = lumen_radius(lumen, 1.0)
    return WorkGrid(geom, cta, ncct, lumen, radius, speed_map(cta, ncct, lumen, radius, 1.0))
