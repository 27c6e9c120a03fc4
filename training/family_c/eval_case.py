"""A family-C case as an evaluation pair with its truth (:class:`EvalCase`).

Truth classes: ICA, MCA trunk (M1) and basilar clots are LVO (as the shipped rules count
them), MCA branch, ACA, posterior (P1/P2) and small distal clots MeVO; a clot too small to
leave a label voxel on the case's grid counts as none.
"""

from __future__ import annotations

from strokescope.thrombus.shifts import EvalCase
from strokescope.volume import Mask
from training.family_c.case import render_case

LVO_SITES = ("ica", "mca_trunk", "basilar")


def family_c_case(seed: int, index: int, *, tiny: bool = False) -> EvalCase:
    """Family C case ``index`` of ``seed`` as an evaluation pair with its truth."""
    r = render_case(seed, index, tiny=tiny)
    clot = r.options.clot
    label = r.case.label
    # A clot too small for the output grid leaves no label voxel: nothing there to find.
    site = clot.site if clot.present and label.voxel_count else ""
    mimics = r.options.mimics
    return EvalCase(
        seed=index,
        occlusion=site or "none",
        calcification=bool(mimics.wall_calcification or mimics.dural_calcification),
        sah=bool(mimics.sah),
        ncct=r.case.ncct,
        cta=r.case.cta,
        truth_mask=Mask(label.array, r.case.cta.geometry, "thrombus") if site else None,
        truth_class="none" if not site else ("LVO" if site in LVO_SITES else "MeVO"),
        truth_length_mm=float(clot.length_mm) if site else None,
        truth_volume_mm3=float(label.volume_mm3) if site else 0.0,
    )
