"""The thrombus result as text: what ``strokescope thrombus`` prints
(:func:`strokescope.pipeline.format_thrombus`)."""

from __future__ import annotations

from strokescope.thrombus.result import Thrombus, ThrombusResult


def _signs(t: Thrombus) -> str:
    signs = t.cta_signs()
    return "" if signs is None else f", CTA {signs}"


def format_result(result: ThrombusResult, *, verbose: bool = False) -> str:
    """Human-readable summary for the CLI: the impression first, then each thrombus and the
    warnings; ``verbose`` adds the method detail (rule, registration metric, seconds)."""
    lines = [
        f"Impression: {result.impression()}",
        f"Thrombus analysis (model {result.model_version}). {result.research_use}",
        (
            f"Occlusion: {'yes' if result.occlusion else 'no'}; class: {result.occlusion_class}"
            if result.assessed
            else f"Occlusion: NOT ASSESSED ({result.not_assessed_reason}); absence of a clot "
            "is not a finding"
        ),
    ]
    for t in result.thrombi:
        ra = "n/a" if t.relative_attenuation is None else f"{t.relative_attenuation:.2f}"
        lines.append(
            f"  #{t.label} {t.side} {t.segment}: {t.volume_mm3:.0f} mm3, length "
            f"{t.length_mm:.1f} mm, max diameter {t.max_diameter_mm:.1f} mm, NCCT "
            f"{t.ncct_mean_hu:.0f}+-{t.ncct_sd_hu:.0f} HU, CTA {t.cta_mean_hu:.0f} HU, "
            f"perviousness {t.perviousness_hu:+.0f} HU, relative attenuation {ra}"
            + _signs(t)
            + ("" if t.found_by == "network" else f" [found by the {t.found_by}]")
        )
    if result.ncct_screening is not None:
        lines += [result.ncct_screening.summary(), f"  {result.ncct_screening.notice}"]
    if result.arteries is not None:
        lines += result.arteries.summary()
    lines += [f"Warning: {w}" for w in result.warnings]
    if verbose:
        lines.append("Method and provenance:")
        if result.registration_metric is not None:
            lines.append(f"  Registration metric (Mattes MI): {result.registration_metric:.3f}")
        lines.append(f"  Rule: {result.decision_rule}")
        lines += [f"  Model SHA-256 ({k}): {v}" for k, v in sorted(result.model_sha256.items())]
        lines.append("  Seconds: " + ", ".join(f"{k} {v:.2f}" for k, v in result.seconds.items()))
    return "\n".join(lines)
