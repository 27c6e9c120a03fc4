"""A thrombus result built by hand for tests of what reads one (features, panels, text)."""

from __future__ import annotations

import numpy as np

from strokescope.thrombus.result import Thrombus, ThrombusResult
from strokescope.volume import Geometry, Mask


def thrombus_result(*thrombi: Thrombus, assessed: bool = True) -> ThrombusResult:
    """A result holding ``thrombi`` (LVO when any), on an empty 2 mm^3 mask; without
    ``assessed``, "not assessed" for want of a CTA series."""
    mask = Mask(np.zeros((2, 2, 2), bool), Geometry((2, 2, 2), (1.0, 1.0, 1.0)), "thrombus")
    return ThrombusResult(
        thrombi=thrombi,
        occlusion=bool(thrombi),
        lvo=bool(thrombi),
        occlusion_class=("LVO" if thrombi else "none") if assessed else "not assessed",
        mask=mask,
        cta_to_ncct=None,
        registration_metric=None,
        model_version="test",
        model_sha256={},
        decision_rule="test",
        not_assessed_reason=None if assessed else "no CTA series",
    )
