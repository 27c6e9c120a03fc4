"""Evaluation metrics: overlap, surface distances, agreement statistics, diagnostic accuracy.

Used by the hemorrhage and thrombus benchmarks. Masks are compared on one shared grid;
surface distances honour anisotropic spacing (mm).
"""

from strokescope.evaluation.agreement import (
    Concordance,
    VolumeErrors,
    lins_ccc,
    pearson_r,
    spearman_rho,
    volume_errors,
)
from strokescope.evaluation.diagnostic import (
    DiagnosticAccuracy,
    diagnostic_accuracy,
    wilson_interval,
)
from strokescope.evaluation.overlap import OverlapCounts, dice, overlap_counts
from strokescope.evaluation.surface import SurfaceDistances, assd, hd95, surface_distances

__all__ = [
    "Concordance",
    "DiagnosticAccuracy",
    "OverlapCounts",
    "SurfaceDistances",
    "VolumeErrors",
    "assd",
    "diagnostic_accuracy",
    "dice",
    "hd95",
    "lins_ccc",
    "overlap_counts",
    "pearson_r",
    "spearman_rho",
    "surface_distances",
    "volume_errors",
    "wilson_interval",
]
