"""Issue 18's speed bars: outcome features, outcome inference, ``strokescope outcome train``.

    python benchmarks/bench_outcome.py [--quick] [--n 40] [--repeats 20] [--studies 3]

The cohort is that of ``benchmarks/eval_outcome_phantoms.py`` (its seeded ``draw`` and
``write_phantoms``: phantom studies at 1 mm, 200 x 200, clot length and perviousness from the
synthetic law), written once into ``cache/bench_outcome/<full|quick>/studies`` (generation
time is reported when they are written, ``cached`` otherwise). Then:

1. features: the first ``--studies`` studies with a clot found are analysed once through the
   pipeline with the shipped thrombus models; ``pipeline.outcome_features(result)`` (what
   the outcome path adds beyond the thrombus analysis) is timed ``--repeats`` times per
   study. Bar: <= 1 s. The analysis' clot measurements stage (length, volume, HU,
   perviousness, relative attenuation, which the features read; older than issue 18) is
   printed beside it.
2. train: the installed CLI, ``strokescope outcome train COHORT --features
   clot_length_mm,perviousness_hu`` in a subprocess on a fresh run folder (the thrombus
   analysis of every study, cross-validation, 200 bootstrap resamples, plots), wall time.
   Bar: <= 15 min for 40 studies. Phantom generation is not part of it (reported apart).
3. inference: that run's ``fit.json`` installed by ``python -m training.outcome_onnx``, then
   ``pipeline.predict_outcome(result, model=FOLDER)`` (loads and checks the folder, builds
   the onnxruntime session, runs it) timed ``--repeats`` times per study; the run alone on a
   session built once beside it. Bar: <= 5 s on 2 cores.

Prints a table and writes ``benchmarks/results/outcome.json`` (``outcome_quick.json`` with
``--quick``: 4 studies, 2 folds, 1 study timed, 5 repeats; well under a minute). The
machine's load average is recorded at the start and the end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from eval_outcome_phantoms import draw, write_phantoms

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"
FEATURES = "clot_length_mm,perviousness_hu"


def _median_s(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _cli() -> str:
    beside = Path(sys.executable).with_name("strokescope")
    found = str(beside) if beside.is_file() else shutil.which("strokescope")
    if found is None:
        raise SystemExit("strokescope is not installed (pip install -e .)")
    return found


def _run(cmd: list[str]) -> float:
    """Wall seconds of ``cmd`` run from the repository root; exits on failure."""
    t = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - t
    if done.returncode != 0:
        tail = (done.stdout + done.stderr).strip().splitlines()[-10:]
        raise SystemExit(f"{' '.join(cmd[:4])} ... exit {done.returncode}:\n" + "\n".join(tail))
    return seconds


def _cohort(root: Path, n: int) -> tuple[list[dict[str, Any]], float | None]:
    """Write the phantom studies (when missing) and the cohort file; generation seconds."""
    cases = draw(n, seed=1)
    missing = any(not (root / "studies" / str(c["id"]) / "cta").is_dir() for c in cases)
    t = time.perf_counter()
    write_phantoms(cases, root)
    generated = time.perf_counter() - t if missing else None
    lines = ["id,study,outcome"] + [f"{c['id']},studies/{c['id']},{c['outcome']}" for c in cases]
    (root / "cohort.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return cases, generated


def _results(
    root: Path, cases: list[dict[str, Any]], count: int
) -> tuple[list[Any], dict[str, float]]:
    """Thrombus results of the first ``count`` studies with a clot found; the median seconds
    of the analysis and of its clot measurements stage."""
    from strokescope import pipeline

    found, seconds, measuring = [], [], []
    for case in cases:
        study = pipeline.open_study(root / "studies" / str(case["id"]), check_vessels=False)
        t = time.perf_counter()
        result = pipeline.analyze_thrombus(
            study.volumes["baseline"], study.volumes["cta"], device="cpu", threads=2
        )
        seconds.append(time.perf_counter() - t)
        measuring.append(result.seconds.get("measurements", float("nan")))
        if pipeline.outcome_features(result).clot_length_mm.number() is not None:
            found.append(result)
        if len(found) == count:
            break
    medians = {"analysis": statistics.median(seconds)}
    return found, medians | {"measurements": statistics.median(measuring)}


def measure(args: argparse.Namespace, root: Path) -> dict[str, Any]:
    from strokescope import pipeline
    from strokescope.outcome.installed import load_outcome_model
    from strokescope.outcome.prediction import predict_study

    load = {"start": _load_average()}
    cases, generated = _cohort(root, args.n)
    results, analysis = _results(root, cases, args.studies)
    features = [_median_s(partial(pipeline.outcome_features, r), args.repeats) for r in results]
    run = root / "train"
    shutil.rmtree(run, ignore_errors=True)
    train_cmd = [_cli(), "outcome", "train", str(root / "cohort.csv"), "--out", str(run)]
    train_s = _run([*train_cmd, "--features", FEATURES, "--folds", str(args.folds)])
    model = root / "model"
    shutil.rmtree(model, ignore_errors=True)
    install = [sys.executable, "-m", "training.outcome_onnx", str(run / "fit.json")]
    _run([*install, "--out", str(model), "--cohort", f"bench_outcome phantoms n={args.n}"])
    predict = [
        _median_s(partial(pipeline.predict_outcome, r, model=model), args.repeats) for r in results
    ]
    installed = load_outcome_model(model)
    computed = [pipeline.outcome_features(r) for r in results]
    session_only = [_median_s(partial(predict_study, installed, f), args.repeats) for f in computed]
    load["end"] = _load_average()
    fit = json.loads((run / "fit.json").read_text(encoding="utf-8"))
    return {
        "quick": args.quick,
        "studies": args.n,
        "folds": args.folds,
        "phantom_generation_s": generated,
        "thrombus_analysis_median_s": analysis["analysis"],
        "thrombus_measurements_stage_median_s": analysis["measurements"],
        "timed_studies": len(results),
        "repeats": args.repeats,
        "features_median_s": features,
        "predict_outcome_median_s": predict,
        "predict_session_reused_median_s": session_only,
        "train_wall_s": train_s,
        "train_rows_used": fit.get("n"),
        "cpu_count": os.cpu_count(),
        "load_average_1_5_15": load,
    }


def report(res: dict[str, Any]) -> None:
    def worst(key: str) -> str:
        """The slowest study's median in ms."""
        return f"{1000 * max(res[key]):.3f}" if res[key] else "none"

    gen = res["phantom_generation_s"]
    rows = [
        ("phantom studies generated", str(res["studies"]), ""),
        ("phantom generation (s)", "cached" if gen is None else f"{gen:.1f}", "(not in the bar)"),
        ("thrombus analysis per study, median (s)", f"{res['thrombus_analysis_median_s']:.2f}", ""),
        ("  its clot measurements stage, median (s)",
         f"{res['thrombus_measurements_stage_median_s']:.2f}", "(before issue 18)"),
        ("outcome features per study, worst median (ms)", worst("features_median_s"), "<= 1000"),
        ("predict_outcome per study, worst median (ms)", worst("predict_outcome_median_s"),
         "<= 5000"),
        ("  session reused, worst median (ms)", worst("predict_session_reused_median_s"), ""),
        (f"outcome train, {res['studies']} studies (s)", f"{res['train_wall_s']:.1f}",
         "<= 900 for 40"),
    ]  # fmt: skip
    print(f"{'measure':48s} {'value':>10s}  bar")
    for name, value, bar in rows:
        print(f"{name:48s} {value:>10s}  {bar}")
    load = res["load_average_1_5_15"]
    print(f"load average (1, 5, 15 min) start {load['start']}, end {load['end']}")
    print(f"{res['timed_studies']} studies timed, {res['repeats']} repeats each")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="4 studies, 2 folds: a smoke run")
    parser.add_argument("--n", type=int, help="phantom studies in the cohort (default 40)")
    parser.add_argument("--folds", type=int, help="CV folds of the training (default 5)")
    parser.add_argument("--studies", type=int, help="studies timed for features (default 3)")
    parser.add_argument("--repeats", type=int, help="repeats per timed study (default 20)")
    args = parser.parse_args()
    defaults = (4, 2, 1, 5) if args.quick else (40, 5, 3, 20)
    for key, value in zip(("n", "folds", "studies", "repeats"), defaults, strict=True):
        if getattr(args, key) is None:
            setattr(args, key, value)
    from strokescope.thrombus.model import models_installed

    if not models_installed(None):
        print("thrombus model not installed: nothing to benchmark")
        return 0
    mode = "quick" if args.quick else "full"
    res = measure(args, ROOT / "cache" / "bench_outcome" / mode)
    report(res)
    out = RESULTS / ("outcome_quick.json" if args.quick else "outcome.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(res, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
