"""Digital head-CT phantom: seeded NCCT + CTA (+ follow-up NCCT) studies with ground truth.

Demo data, test data and training data of StrokeScope. Research use only, not for
diagnosis; every generated file says it is synthetic.
"""

from strokescope.phantom.options import PhantomOptions
from strokescope.phantom.study import PhantomStudy, PhantomTruth, generate_study
from strokescope.phantom.writer import StudyPaths, write_study

__all__ = [
    "PhantomOptions",
    "PhantomStudy",
    "PhantomTruth",
    "StudyPaths",
    "generate_study",
    "write_study",
]
