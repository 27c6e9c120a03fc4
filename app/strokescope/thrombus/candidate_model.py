"""The candidate model: a logistic regression over a candidate's attenuation features.

It scores whether a thrombus candidate of the networks is a clot, from the features of
:mod:`strokescope.thrombus.candidate_features` only. It is fitted by
``python -m training.candidate_model`` on candidates of a training block of randomised
phantoms (never the calibration or held-out blocks), and its threshold is set on the
calibration block. It ships inside the manifest's ``decision`` as plain numbers, so a reader
sees every weight: ``candidate_model`` = {features, mean, scale, weights, intercept,
threshold, scope}. ``scope`` says which candidates it judges: ``scan_only`` (those only the
scan network proposed) or ``all``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from strokescope.thrombus.candidate_features import FEATURES

SCOPES = ("scan_only", "all")


@dataclass(frozen=True)
class CandidateModel:
    """Standardised features -> logistic probability; a candidate is kept at >= threshold."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    intercept: float
    threshold: float
    scope: str = "scan_only"

    def __post_init__(self) -> None:
        n = len(self.features)
        if not n or {len(self.mean), len(self.scale), len(self.weights)} != {n}:
            raise ValueError("candidate_model needs features, mean, scale and weights alike")
        if unknown := sorted(set(self.features) - set(FEATURES)):
            raise ValueError(f"candidate_model: unknown features {', '.join(unknown)}")
        if any(s <= 0 for s in self.scale):
            raise ValueError("candidate_model: every scale must be > 0")
        if not 0.0 <= self.threshold <= 1.0:
            raise ValueError("candidate_model: threshold must be in [0, 1]")
        if self.scope not in SCOPES:
            raise ValueError(f"candidate_model: scope must be one of {', '.join(SCOPES)}")

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> CandidateModel:
        try:
            return cls(
                features=tuple(str(f) for f in d["features"]),
                mean=tuple(float(v) for v in d["mean"]),
                scale=tuple(float(v) for v in d["scale"]),
                weights=tuple(float(v) for v in d["weights"]),
                intercept=float(d["intercept"]),
                threshold=float(d["threshold"]),
                scope=str(d.get("scope", "scan_only")),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"candidate_model: missing or malformed {exc}") from None

    def to_dict(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "mean": [round(v, 6) for v in self.mean],
            "scale": [round(v, 6) for v in self.scale],
            "weights": [round(v, 6) for v in self.weights],
            "intercept": round(self.intercept, 6),
            "threshold": self.threshold,
            "scope": self.scope,
        }

    def probability(self, features: Mapping[str, float]) -> float:
        """The model's probability that the candidate with ``features`` is a clot."""
        z = self.intercept + sum(
            w * (float(features[f]) - m) / s
            for f, m, s, w in zip(self.features, self.mean, self.scale, self.weights, strict=True)
        )
        return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))

    def judges(self, scan_only: bool) -> bool:
        return self.scope == "all" or scan_only

    def describe(self) -> str:
        who = "every candidate" if self.scope == "all" else "a candidate only the scan proposed"
        return (
            f"{who} needs a candidate-model probability >= {self.threshold:g} (logistic "
            f"regression over {len(self.features)} attenuation features)"
        )
