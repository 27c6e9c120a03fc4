"""Proof that the outcome network learns an image-visible law, without patients.

Each patient is a small phantom study (``strokescope.phantom``, 128 x 128 at 1.5 mm,
1.5 mm slices: about one second to render) whose image carries the parameters of the law
of :mod:`strokescope.outcome.synthetic`:

- clot length ``L`` and perviousness ``P`` drawn as the law draws them, clipped to the
  phantom's ranges (3-40 mm, 0-30 HU) and rendered as such (``thrombus_length_mm``,
  ``perviousness_hu``);
- collateral grade ``C`` drawn as the law draws it and rendered as the opacification of the
  vessel beyond the clot, ``distal_enhancement = 0.15 + 0.2 C`` (the phantom's collateral
  filling; 0.15, 0.35, 0.55, 0.75 of the normal lumen);
- site M1, M1, M2, ICA in turn, side left and right in turn;
- outcome: a Bernoulli draw of the law's probability of the rendered (clipped) L, P, C.

The input stack is :func:`strokescope.outcome.network_input.build_stack` centred on the
true clot centroid moved by N(0, 2 mm) per axis (a thrombus analysis' centroid error),
mirrored for right-sided clots, as the app does with a thrombus result. Stacks are cached
under ``--cache`` (a rerun resumes).

The network (:mod:`training.scanet`, defaults) is trained by :func:`training.scanet_train.fit`
on a stratified ``1 - holdout`` of the cohort, one thread, and its AUC measured on the held-out
rest with DeLong's 95 % interval (bar: >= 0.65); beside it the law's own AUC on the same
held-out patients (the ceiling). The same with the outcomes permuted across patients (bar:
0.5 +- 0.08). Then the law-trained net is exported and installed through
:func:`training.scanet_onnx.install_network` (parity on real stacks) and timed at run time:
stack building and onnxruntime on 2 threads.

Prints a table and writes ``benchmarks/results/eval_outcome_network.json``. ``--quick``:
60 patients, 2 epochs (the plumbing, not the bar). Run from the repository root::

    python -m benchmarks.eval_outcome_network [--quick]
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from training.scanet_train import TrainSettings, evaluation, fit, holdout_split, predict

from strokescope.atomic import atomic_write_text
from strokescope.outcome.metrics import delong_interval
from strokescope.outcome.network_input import build_stack
from strokescope.outcome.synthetic import draw_cohort, law_probability
from strokescope.phantom import PhantomOptions, generate_study
from strokescope.volume import Geometry, Volume

log = logging.getLogger("eval_outcome_network")

SEED0 = 810_000
SITES = ("M1", "M1", "M2", "ICA")
LENGTH_RANGE, PERVIOUS_RANGE = (3.0, 40.0), (0.0, 30.0)
CENTRE_JITTER_MM = 2.0
AUC_BAR, SHUFFLED_MARGIN = 0.65, 0.08
CLINICAL_SHAPE = (320, 512, 512)
"""A thin-slice head CT (0.5 mm slices, 0.45 mm pixels) to time the stack builder on."""


def distal_enhancement(grade: float) -> float:
    """The phantom's collateral filling for a Tan grade 0-3."""
    return 0.15 + 0.2 * grade


def draw_patient(i: int, seed: int) -> dict[str, Any]:
    """Patient ``i`` of the module docstring (parameters, law probability, outcome), from
    its own seed: a cohort of ``n`` is the first ``n`` patients of every larger one."""
    s = SEED0 + 1000 * seed + i
    truth = draw_cohort(1, seed=s).truth[0]
    length = float(np.clip(truth[0], *LENGTH_RANGE))
    pervious = float(np.clip(truth[1], *PERVIOUS_RANGE))
    grade = int(truth[2])
    p = float(law_probability([[length, pervious, grade]])[0])
    return {
        "id": f"s{seed}_case{i:04d}",
        "seed": s,
        "site": SITES[i % len(SITES)],
        "side": ("left", "right")[(i // len(SITES)) % 2],
        "length_mm": length,
        "perviousness_hu": pervious,
        "collateral_grade": grade,
        "p_law": p,
        "outcome": int(np.random.default_rng([s, 1]).random() < p),
    }


def render(case: dict[str, Any]) -> np.ndarray:
    """The phantom study of ``case`` and its input stack (float32 (2, S, H, W))."""
    options = PhantomOptions(
        seed=case["seed"],
        occlusion=case["site"],
        side=case["side"],
        thrombus_length_mm=case["length_mm"],
        perviousness_hu=case["perviousness_hu"],
        distal_enhancement=distal_enhancement(case["collateral_grade"]),
        inplane_mm=1.5,
        matrix=128,
        slice_mm=1.5,
    )
    study = generate_study(options, threads=1)
    assert study.cta is not None and study.truth.thrombus_centroid_lps is not None
    jitter = np.random.default_rng([case["seed"], 9]).normal(0.0, CENTRE_JITTER_MM, 3)
    centre = np.asarray(study.truth.thrombus_centroid_lps) + jitter
    return build_stack(study.ncct, study.cta, centre_lps=centre, mirror=case["side"] == "right")


def stacks(cases: list[dict[str, Any]], root: Path) -> np.ndarray:
    """All stacks, rendered or read from the cache (written atomically, so resumable)."""
    folder = root / "stacks"
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for k, case in enumerate(cases):
        path = folder / f"{case['id']}.npy"
        if not path.is_file():
            tmp = path.with_suffix(".tmp.npy")
            np.save(tmp, render(case))
            tmp.replace(path)
            if (k + 1) % 20 == 0:
                log.info("rendered %d/%d", k + 1, len(cases))
        out.append(np.load(path))
    return np.stack(out).astype(np.float32)


def render_seconds(seed: int, first: int, count: int = 3) -> float:
    """Mean seconds to render a patient and build its stack, over ``count`` patients not in
    the cohort (timed on every run, cached or not)."""
    t0 = time.perf_counter()
    for i in range(first, first + count):
        render(draw_patient(i, seed))
    return (time.perf_counter() - t0) / count


def held_out_run(
    x: np.ndarray, y: np.ndarray, *, holdout: float, settings: TrainSettings, checkpoint: Path
) -> tuple[Any, dict[str, Any], np.ndarray]:
    """Train on the stratified rest, evaluate on the held-out part: (net, numbers, test).
    ``train_seconds`` is the epochs run now scaled to all epochs (a resumed run times only
    the epochs it ran)."""
    train, test = holdout_split(y, holdout, settings.seed)
    ran: list[int] = []
    t0 = time.perf_counter()
    net = fit(
        x[train],
        y[train],
        settings=settings,
        checkpoint=checkpoint,
        on_epoch=lambda epoch, loss: ran.append(epoch),
    )
    seconds = time.perf_counter() - t0
    p = predict(net, x[test])
    numbers = evaluation(p, y[test], f"held-out {holdout:.0%} (stratified)")
    per_epoch = seconds / len(ran) if ran else float("nan")
    numbers |= {
        "train_n": int(len(train)),
        "epochs_run_now": len(ran),  # fewer than settings.epochs when resumed
        "seconds_per_epoch": per_epoch,
        "train_seconds": per_epoch * settings.epochs,
    }
    return net, numbers, test


def runtime(net: Any, x: np.ndarray, y: np.ndarray, cv: dict[str, Any], root: Path) -> dict:
    """Install the law-trained net (trained on ``x``, ``y``: the card's cohort; parity on
    real stacks) and time the run-time path."""
    from training.scanet_onnx import install_network

    from strokescope.outcome.installed import load_outcome_model

    folder = install_network(
        net, root / "model", cohort="synthetic phantom law cohort", y=y, cv=cv, examples=x[:8]
    )
    manifest = json.loads((folder / "manifest.json").read_text())
    model = load_outcome_model(folder, threads=2)
    study = generate_study(
        PhantomOptions(seed=99, thrombus_length_mm=12.0, inplane_mm=1.5, matrix=128, slice_mm=1.5)
    )
    assert study.cta is not None
    centre = study.truth.thrombus_centroid_lps
    t0 = time.perf_counter()
    stack = build_stack(study.ncct, study.cta, centre_lps=centre)
    t1 = time.perf_counter()
    model.predict(stack[None])
    t2 = time.perf_counter()
    big = Geometry(CLINICAL_SHAPE, (0.5, 0.45, 0.45), (-115.0, -115.0, -80.0))
    clinical = Volume(np.full(big.shape, 30.0, np.float32), big)
    motion = np.eye(4)
    motion[:3, 3] = (2.0, -1.5, 3.0)
    t3 = time.perf_counter()
    build_stack(clinical, clinical, centre_lps=(20.0, 0.0, 0.0), cta_to_ncct=motion)
    t4 = time.perf_counter()
    return {
        "parity_max_abs_diff": manifest["parity_max_abs_diff"],
        "build_stack_seconds": t1 - t0,
        "build_stack_clinical_seconds": t4 - t3,
        "clinical_shape": list(CLINICAL_SHAPE),
        "onnx_seconds": t2 - t1,
        "onnx_threads": 2,
    }


def _row(name: str, r: dict[str, Any], law: tuple[float, float, float] | None) -> str:
    ceiling = "" if law is None else f"{law[0]:.3f} ({law[1]:.3f}-{law[2]:.3f})"
    return (
        f"{name:<10} {r['train_n']:>5} {r['n']:>5} {r['auc']:>6.3f} "
        f"({r['auc_low']:.3f}-{r['auc_high']:.3f}) {ceiling:>22} {r['train_seconds']:>8.0f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=400, help="patients (>= 200)")
    parser.add_argument("--holdout", type=float, default=0.3, help="held-out fraction")
    parser.add_argument("--epochs", type=int, default=TrainSettings.epochs)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="60 patients, 2 epochs")
    parser.add_argument("--cache", default="cache/outcome_network")
    parser.add_argument("--out", default="benchmarks/results/eval_outcome_network.json")
    args = parser.parse_args()
    if args.n < 200 and not args.quick:
        parser.error("--n: the bar is measured on >= 200 patients")
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("strokescope").setLevel(logging.WARNING)
    torch.set_num_threads(1)
    n, epochs = (60, 2) if args.quick else (args.n, args.epochs)
    root = Path(args.cache)
    cases = [draw_patient(i, args.seed) for i in range(n)]
    x = stacks(cases, root)
    render_s = render_seconds(args.seed, first=n)
    y = np.array([c["outcome"] for c in cases])
    settings = TrainSettings(epochs=epochs, seed=args.seed)
    work = root / ("quick" if args.quick else "full")
    net, law_run, test = held_out_run(
        x, y, holdout=args.holdout, settings=settings, checkpoint=work / "law.pt"
    )
    law = delong_interval(np.array([c["p_law"] for c in cases])[test], y[test])
    shuffled_y = np.random.default_rng([args.seed, 2]).permutation(y)
    _, null_run, _ = held_out_run(
        x, shuffled_y, holdout=args.holdout, settings=settings, checkpoint=work / "shuffled.pt"
    )
    trained = np.setdiff1d(np.arange(n), test)
    timing = runtime(net, x[trained], y[trained], law_run, work)
    result = {
        "n": n,
        "successes": int(y.sum()),
        "epochs": epochs,
        "settings": vars(settings),
        "render_seconds_per_patient": render_s,
        "law": {"auc": law[0], "auc_low": law[1], "auc_high": law[2]},
        "network": law_run,
        "shuffled": null_run,
        "bars": {
            "auc_at_least_0.65": law_run["auc"] >= AUC_BAR,
            "shuffled_within_0.08": abs(null_run["auc"] - 0.5) <= SHUFFLED_MARGIN,
        },
        "runtime": timing,
        "cases": cases,
    }
    head = f"{'outcomes':<10} {'train':>5} {'test':>5} {'AUC (95 % CI)':>21}"
    print(f"{head} {'law AUC (95 % CI)':>22} {'fit s':>8}")
    print(_row("law", law_run, law))
    print(_row("shuffled", null_run, None))
    print(
        f"render {render_s:.2f} s/patient; stack {timing['build_stack_seconds']:.2f} s "
        f"(on a {'x'.join(map(str, CLINICAL_SHAPE))} CT: "
        f"{timing['build_stack_clinical_seconds']:.2f} s) + onnxruntime "
        f"{timing['onnx_seconds']:.3f} s (2 threads); parity "
        f"{timing['parity_max_abs_diff']:.1e}"
    )
    print(f"bars: {result['bars']}")
    out = Path(args.out)
    atomic_write_text(out, json.dumps(result, indent=2, default=float) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
