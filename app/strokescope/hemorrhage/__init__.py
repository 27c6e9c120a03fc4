"""Hemorrhagic-transformation volumetry on follow-up NCCT ([HT-SD]'s SD-rule thresholding).

Typical use (the GUI prepares once and segments many ROIs)::

    study = prepare_ncct(ncct)
    roi = propose_roi(study, (12, 150, 140))        # or parse_roi("z=12 y=140:200 x=100:180", ...)
    result = segment_hemorrhage(study, [roi])
"""

from strokescope.hemorrhage.abc2 import Abc2, abc2
from strokescope.hemorrhage.prepare import PreparedStudy, PrepareSettings, prepare_ncct
from strokescope.hemorrhage.propose import propose_roi
from strokescope.hemorrhage.result import HemorrhageResult, RoiResult, SliceArea
from strokescope.hemorrhage.roi import Roi, parse_point, parse_roi
from strokescope.hemorrhage.rules import INITIAL_WINDOW_HU, TABLE_1, ThresholdRule, select_rule
from strokescope.hemorrhage.segment import (
    RoiSegment,
    SegmentSettings,
    combine_segments,
    segment_hemorrhage,
    segment_roi,
)

__all__ = [
    "INITIAL_WINDOW_HU",
    "TABLE_1",
    "Abc2",
    "HemorrhageResult",
    "PrepareSettings",
    "PreparedStudy",
    "Roi",
    "RoiResult",
    "RoiSegment",
    "SegmentSettings",
    "SliceArea",
    "ThresholdRule",
    "abc2",
    "combine_segments",
    "parse_point",
    "parse_roi",
    "prepare_ncct",
    "propose_roi",
    "segment_hemorrhage",
    "segment_roi",
    "select_rule",
]
