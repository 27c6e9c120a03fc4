"""An installed outcome model run on one study, and the line every output shows for it.

A probability is never shown alone: :meth:`OutcomePrediction.line` puts the model card's
training cohort, its size and the cross-validated AUC beside it. Without a model (none
ships) the outputs say so (:data:`NO_MODEL`) and show the features only. A model runs on
a study only when each of its features is one this version computes from the images, in
the same unit (:func:`check_study_model`). A network model (``model_kind`` "network")
runs on the study's NCCT + CTA stack instead (:func:`predict_network`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from strokescope.errors import ModelError
from strokescope.outcome.definitions import BY_NAME
from strokescope.outcome.features import NUMERIC_FEATURES, UNITS
from strokescope.outcome.installed import MANIFEST_NAME, RESEARCH_NOTICE

if TYPE_CHECKING:
    from strokescope.outcome.features import OutcomeFeatures
    from strokescope.outcome.installed import OutcomeModel
    from strokescope.thrombus import ThrombusResult
    from strokescope.volume import Volume

NO_MODEL = "No outcome model installed: recanalization-related features only."
OUTCOME = "P(successful recanalization, mTICI >= 2c)"


@dataclass(frozen=True)
class OutcomePrediction:
    """An outcome model's result for one study.

    ``probability`` is P(mTICI >= 2c), or ``None`` with ``reason`` when a feature the
    model needs is absent for this study; ``model`` is the model card's line (cohort, its
    size, cross-validated AUC with its CI); ``features`` the model's inputs in order;
    ``model_name`` and ``model_version`` identify the model in the DICOM SR ("" when not
    known). ``to_dict`` (results.json) holds all six.
    """

    probability: float | None
    reason: str | None
    model: str
    features: tuple[str, ...] = ()
    model_name: str = ""
    model_version: str = ""

    def __post_init__(self) -> None:
        if (self.probability is None) == (self.reason is None):
            raise ValueError("a prediction has either a probability or a reason for none")
        p = self.probability
        if p is not None and not (math.isfinite(p) and 0.0 <= p <= 1.0):
            raise ValueError(f"a probability lies in [0, 1], got {p}")

    def line(self) -> str:
        """The probability (or why there is none) with the model card beside it."""
        if self.probability is None:
            return f"{OUTCOME}: not computed ({self.reason}); outcome model: {self.model}"
        return f"{OUTCOME} {self.probability:.2f}; outcome model: {self.model}. {RESEARCH_NOTICE}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "probability": self.probability,
            "reason": self.reason,
            "model": self.model,
            "features": list(self.features),
            "model_name": self.model_name,
            "model_version": self.model_version,
        }


def prediction_line(prediction: OutcomePrediction | None) -> str:
    """What the outputs print under the features: the prediction, or :data:`NO_MODEL`."""
    return NO_MODEL if prediction is None else prediction.line()


def check_study_model(model: OutcomeModel) -> None:
    """``ModelError`` naming the folder unless every feature of ``model`` is one this
    version computes from a study (:data:`NUMERIC_FEATURES`) in the manifest's unit. A
    model trained on a cohort file's own columns (a core lab's grades, say) can be
    evaluated on cohorts, not run on a study's images."""
    if model.kind == "network":
        return  # its input stack was checked against this version's when it was loaded
    where = model.folder / MANIFEST_NAME
    unknown = [n for n in model.names if n not in NUMERIC_FEATURES]
    if unknown:
        raise ModelError(
            f"{where}: features not computed from a study by this version: "
            f"{', '.join(unknown)} (computed: {', '.join(NUMERIC_FEATURES)})"
        )
    units = model.units or tuple(UNITS[n] for n in model.names)
    wrong = [
        f"{n} in {u!r}, not {UNITS[n]!r}"
        for n, u in zip(model.names, units, strict=True)
        if u != UNITS[n]
    ]
    if wrong:
        raise ModelError(f"{where}: feature units differ from this version's: {'; '.join(wrong)}")


def predict_study(model: OutcomeModel, features: OutcomeFeatures) -> OutcomePrediction:
    """Run ``model`` on one study's features; no probability when one of its inputs is
    absent (the reason names them). ``ModelError`` when the model cannot run on a study
    (:func:`check_study_model`)."""
    check_study_model(model)
    numbers = features.numbers()
    row = [v for n in model.names if (v := numbers.get(n)) is not None]
    missing = [n for n in model.names if numbers.get(n) is None]
    ident = {"model_name": model.name, "model_version": model.version}
    if missing:
        labels = ", ".join(BY_NAME[n].label for n in missing)
        return OutcomePrediction(None, f"absent: {labels}", model.describe(), model.names, **ident)
    probability = float(model.predict([row])[0])
    return OutcomePrediction(probability, None, model.describe(), model.names, **ident)


def predict_network(
    model: OutcomeModel, result: ThrombusResult, ncct: Volume | None, cta: Volume | None
) -> OutcomePrediction:
    """Run a network ``model`` on the stack of
    :func:`strokescope.outcome.network_input.network_input` (around the headline thrombus,
    else the head centre); no probability, with the reason, without both images."""
    from strokescope.outcome.network_input import network_input

    def made(probability: float | None, reason: str | None) -> OutcomePrediction:
        return OutcomePrediction(
            probability,
            reason,
            model.describe(),
            model.names,
            model_name=model.name,
            model_version=model.version,
        )

    if ncct is None or cta is None:
        missing = " and ".join(n for n, v in (("NCCT", ncct), ("CTA", cta)) if v is None)
        return made(None, f"the network needs the {missing} images")
    built = network_input(ncct, cta, result)
    return made(float(model.predict(built.stack[None])[0]), None)
