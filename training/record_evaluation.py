"""Record calibrated decision rules and held-out metrics in ``models_onnx/`` (manifest + card).

    python -m training.record_evaluation --models models_onnx \\
        [--set fine_probability_threshold=0.4 ...] [--calibration calib.json] \\
        [--held-out benchmarks/results/eval_thrombus.json] \\
        [--suites benchmarks/results/eval_thrombus_shifts.json]

``--set`` changes decision rules (validated by :class:`training.config.DecisionRules`); name
the calibration run they were chosen on with ``--calibration`` (an ``eval_thrombus.json``
of the calibration seed block). ``--held-out`` copies the summary of a held-out run
(``benchmarks/eval_thrombus.py``, seeds 900000..., or its parts run with ``--first``, pooled)
into ``held_out_metrics`` and writes it
as a section of ``MODEL_CARD.md``; ``--suites`` does the same for every evaluation suite
of ``benchmarks/eval_thrombus_shifts.py`` (in-distribution, the independent family B and
each shift: ``evaluation_suites`` in the manifest, one table in the card); suites recorded
before for the same networks with as many pairs stay, those of the run replace their
namesakes. The manifest's
checksum table is refreshed, since the card is one of the files it covers. A rule changed
after a held-out run invalidates that run: the held-out metrics and suites are then reset
to pending.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import fields
from pathlib import Path
from typing import Any

from strokescope.atomic import atomic_write_text
from strokescope.thrombus.rules import rule_values
from training.config import DecisionRules
from training.manifest import MANIFEST_NAME, refresh_checksums

CARD_NAME = "MODEL_CARD.md"
CARD_MARKER = "## Held-out evaluation"
SUITES_MARKER = "## Evaluation suites"
PENDING = {"status": "pending: to be filled by the held-out evaluation", "values": None}


def _parse_value(name: str, text: str) -> Any:
    if name == "lvo_segments":
        return [s for s in text.split(",") if s]
    if text.lower() in ("none", "null"):
        return None
    default = getattr(DecisionRules(), name)
    if isinstance(default, bool):
        if text.lower() not in ("true", "false"):
            raise SystemExit(f"--set {name}={text}: expected true or false")
        return text.lower() == "true"
    if isinstance(default, int):
        return int(text)
    return float(text)


def set_rules(decision: dict[str, Any], assignments: Sequence[str]) -> dict[str, Any]:
    """``decision`` with ``name=value`` assignments applied and validated."""
    names = {f.name for f in fields(DecisionRules)} - {"notes"}
    out = dict(decision)
    for item in assignments:
        name, sep, text = item.partition("=")
        if not sep or name not in names:
            raise SystemExit(f"--set {item!r}: expected NAME=VALUE with NAME in {sorted(names)}")
        out[name] = _parse_value(name, text)
    try:
        DecisionRules(**rule_values(out))
    except ValueError as err:
        raise SystemExit(f"--set: {err}") from None
    return out


def _summary(path: Path, *, held_out: bool) -> dict[str, Any]:
    doc = json.loads(path.read_text(encoding="utf-8"))
    if bool(doc.get("held_out")) != held_out:
        kind = "held-out" if held_out else "calibration"
        raise SystemExit(f"{path}: not a {kind} run (seeds {doc.get('seeds')})")
    return doc


def card_section(doc: dict[str, Any]) -> str:
    from strokescope.thrombus.phantom_evaluation import table

    s = doc["summary"]
    misses = [
        f"- seed {r['seed']}: {r['occlusion']} ({r['truth_class']}) called {r['pred_class']}, "
        f"Dice {'-' if r['dice'] is None else format(r['dice'], '.2f')}, predicted "
        f"{r['pred_volume_mm3']:.0f} mm3 vs {r['truth_volume_mm3']:.0f}"
        + "".join(f", {k}" for k in ("calcification", "sah") if r.get(k))
        for r in doc.get("cases", [])
        if r["pred_class"] != r["truth_class"] or (r["dice"] is not None and r["dice"] < 0.5)
    ]
    failures = (
        "Wrong calls or Dice < 0.5 (sah = subarachnoid blood mimic):\n" + "\n".join(misses) + "\n"
        if misses
        else "No wrong call and no Dice below 0.5.\n"
    )
    return (
        f"{CARD_MARKER} (phantoms)\n"
        f"{s['n']} held-out phantom pairs, seeds {doc['seeds'][0]}-{doc['seeds'][1]}, never used "
        f"in training or calibration; {s['n_positive']} with a thrombus (ICA, M1, M2), the rest "
        "without, some with calcified siphons or subarachnoid blood. Produced by "
        "`benchmarks/eval_thrombus.py`. **Phantom results say nothing about patients.**\n\n"
        f"```\n{table(s)}\n```\n\n{failures}"
    )


def _without(card: str, marker: str) -> str:
    """``card`` without the section that starts at ``marker`` (up to the next ``## ``)."""
    head, sep, rest = card.partition(marker)
    if not sep:
        return card
    nxt = rest.find("\n## ")
    tail = "" if nxt < 0 else rest[nxt + 1 :]
    return (head.rstrip() + "\n\n" + tail).rstrip() + "\n"


def suites_section(doc: dict[str, Any]) -> str:
    from strokescope.thrombus.phantom_evaluation import suites_table

    results = {k: v for k, v in doc["suites"].items()}
    return (
        f"{SUITES_MARKER} (phantoms)\n"
        f"{doc['n_per_suite']} held-out pairs per suite from "
        "`benchmarks/eval_thrombus_shifts.py`: `in-distribution` is the training generator's "
        "held-out block, `family-b` an independently written phantom family never used in "
        "training or calibration, every other suite one shift of the in-distribution cases. "
        "All suites are reported, met or not. **Phantom results say nothing about "
        f"patients.**\n\n```\n{suites_table(results)}\n```\n"
    )


def _onnx_sha256(doc: dict[str, Any]) -> dict[str, str]:
    """The networks' checksums a suite run was measured with."""
    return {k: v for k, v in (doc.get("model_sha256") or {}).items() if k.endswith(".onnx")}


def _merged_suites(prior: dict[str, Any], doc: dict[str, Any]) -> dict[str, Any]:
    """The suites of ``doc`` over those already recorded (same pairs per suite; a suite of
    ``doc`` replaces its namesake), in the order of
    :data:`strokescope.thrombus.shifts.SUITES`: a new suite is run and recorded without
    running every other one again."""
    from strokescope.thrombus.shifts import SUITES

    kept = prior.get("values") or {}
    # no checksums: recorded before they were kept with the suites
    same_networks = prior.get("onnx_sha256") in (None, _onnx_sha256(doc))
    if prior.get("n_per_suite") != doc["n_per_suite"] or not same_networks:
        kept = {}
    new = {
        n: {"summary": r["summary"], "bars_met": r["bars_met"]} for n, r in doc["suites"].items()
    }
    values = {**kept, **new}
    rank = {name: i for i, name in enumerate(SUITES)}
    return dict(sorted(values.items(), key=lambda kv: rank.get(kv[0], len(rank))))


def record(
    models: Path,
    *,
    assignments: Sequence[str] = (),
    calibration: Path | None = None,
    held_out: Sequence[Path] = (),
    suites: Path | None = None,
) -> None:
    manifest_path = models / MANIFEST_NAME
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    card_path = models / CARD_NAME
    card = card_path.read_text(encoding="utf-8")
    if assignments:
        manifest["decision"] = set_rules(manifest["decision"], assignments)
        manifest["held_out_metrics"] = dict(PENDING)
        manifest["evaluation_suites"] = dict(PENDING)
        card = _without(_without(card, CARD_MARKER), SUITES_MARKER)
    if calibration is not None:  # also when it confirmed the rules unchanged
        doc = _summary(calibration, held_out=False)
        manifest["decision"]["calibrated_on"] = {
            "seeds": doc["seeds"],
            "summary": doc["summary"],
            "changed": list(assignments),
        }
    if held_out:
        from strokescope.errors import InputError
        from strokescope.thrombus.phantom_evaluation import pooled

        try:
            doc = pooled([_summary(path, held_out=True) for path in held_out])
        except InputError as err:
            raise SystemExit(f"--held-out: {err}") from None
        manifest["held_out_metrics"] = {
            "status": "measured on held-out phantoms (not patients)",
            "seeds": doc["seeds"],
            "models": doc.get("models"),
            "values": doc["summary"],
        }
        card = _without(card, CARD_MARKER).rstrip() + "\n\n" + card_section(doc)
    if suites is not None:
        doc = json.loads(suites.read_text(encoding="utf-8"))
        if doc.get("quick"):
            raise SystemExit(f"{suites}: a --quick smoke run; record a full-geometry run")
        values = _merged_suites(manifest.get("evaluation_suites") or {}, doc)
        manifest["evaluation_suites"] = {
            "status": "measured on held-out phantoms (not patients)",
            "n_per_suite": doc["n_per_suite"],
            "onnx_sha256": _onnx_sha256(doc),
            "values": values,
        }
        merged = {"n_per_suite": doc["n_per_suite"], "suites": values}
        card = _without(card, SUITES_MARKER).rstrip() + "\n\n" + suites_section(merged)
    atomic_write_text(card_path, card)
    card_path.chmod(0o644)
    refresh_checksums(models, manifest)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--models", type=Path, default=Path("models_onnx"))
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    parser.add_argument(
        "--calibration", type=Path, help="eval_thrombus.json of the calibration block"
    )
    parser.add_argument(
        "--held-out",
        type=Path,
        nargs="+",
        default=[],
        help="eval_thrombus.json of the held-out block, or of its parts (--first), pooled",
    )
    parser.add_argument("--suites", type=Path, help="eval_thrombus_shifts.json (every suite)")
    args = parser.parse_args(argv)
    record(
        args.models,
        assignments=args.set,
        calibration=args.calibration,
        held_out=args.held_out,
        suites=args.suites,
    )
    print(f"updated {args.models / MANIFEST_NAME} and {args.models / CARD_NAME}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
