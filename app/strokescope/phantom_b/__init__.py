"""Family B: a second, independently written synthetic head-CT phantom (NCCT + CTA).

Family B is for **evaluation only**: never use it for training or calibration. It was
written from a written specification and general head-CT anatomy, independently of
:mod:`strokescope.phantom` (a different head model, arterial tree, intensities and noise),
so that a network trained on the first generator meets images it has not learned.
Everything here is synthetic; research use only, not for diagnosis.

Axis order is (z, y, x) and coordinates are patient LPS, as in :mod:`strokescope.volume`.
"""

from strokescope.phantom_b.case import CaseB, generate_case_b

__all__ = ["CaseB", "generate_case_b"]
