"""``strokescope outcome train`` and ``strokescope outcome evaluate``: arguments and
handlers. A shell like ``cli.py``: it parses and calls :mod:`strokescope.pipeline` only
(``tests/test_architecture.py`` checks it); errors reach ``cli.main`` as one line."""

from __future__ import annotations

import argparse
from typing import Any

DESCRIPTION = (
    "Train and evaluate a recanalization outcome model (P(mTICI >= 2c)) on a site's own "
    "cohort. COHORT.csv: one row per patient with 'study' (folder) or 'ncct'/'cta', the "
    "outcome as 'outcome' (0/1 or 'mTICI 2b') or 'mtici' (grade), optional 'id', and any "
    "precomputed feature columns (numbers; they replace computed values). No model ships: "
    "research use only, not validated on patients."
)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {text}")
    return value


def _probability(text: str) -> float:
    value = float(text)
    if not 0.0 < value < 1.0:
        raise argparse.ArgumentTypeError(f"must be between 0 and 1, got {text}")
    return value


def _non_negative(text: str) -> float:
    value = float(text)
    if not value >= 0.0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text}")
    return value


def _run_train(args: argparse.Namespace) -> int:
    from strokescope.errors import InputError
    from strokescope.pipeline import (
        check_output_folder,
        format_outcome_training,
        train_outcome_model,
    )

    check_output_folder(args.out)
    if args.folds < 2:
        raise InputError(f"--folds must be at least 2, got {args.folds}")
    names = None if args.features is None else [n.strip() for n in args.features.split(",")]
    run = train_outcome_model(
        args.cohort,
        args.out,
        models=args.models,
        threads=args.threads,
        features=names,
        folds=args.folds,
        l2=args.l2,
        seed=args.seed,
        bootstrap=args.bootstrap,
    )
    print(format_outcome_training(run))
    return 0


def _run_evaluate(args: argparse.Namespace) -> int:
    from strokescope.pipeline import (
        check_output_folder,
        evaluate_outcome_model,
        format_outcome_evaluation,
    )

    check_output_folder(args.out)
    run = evaluate_outcome_model(
        args.model,
        args.cohort,
        args.out,
        models=args.models,
        threads=args.threads,
        threshold=args.threshold,
    )
    print(format_outcome_evaluation(run))
    return 0


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("cohort", metavar="COHORT.csv", help="the cohort file")
    parser.add_argument("--out", required=True, help="output folder (features cached here)")
    parser.add_argument("--models", help="thrombus model folder (default: models_onnx)")
    parser.add_argument("--threads", type=_positive_int, default=2, help="onnxruntime threads")


def add_outcome_command(commands: Any) -> None:
    """Add ``outcome`` with its ``train`` and ``evaluate`` subcommands to ``commands``
    (the subparsers of ``strokescope``)."""
    outcome = commands.add_parser(
        "outcome",
        help="train/evaluate a site's recanalization outcome model",
        description=DESCRIPTION,
    )
    steps = outcome.add_subparsers(dest="step", metavar="STEP", required=True)
    train = steps.add_parser(
        "train", help="features, cross-validated L2 logistic regression, fit.json + plots"
    )
    _common(train)
    train.add_argument("--features", help="comma-separated features (default: present in half)")
    train.add_argument("--folds", type=_positive_int, default=5, help="CV folds (default 5)")
    train.add_argument("--l2", type=_non_negative, default=1.0, help="L2 strength (default 1)")
    train.add_argument("--seed", type=int, default=0, help="fold and bootstrap seed")
    train.add_argument(
        "--bootstrap", type=_positive_int, default=200, help="bootstrap resamples (default 200)"
    )
    train.set_defaults(handler=_run_train)
    evaluate = steps.add_parser(
        "evaluate", help="an installed model on a held-out cohort: Table 1 metrics, ROC"
    )
    evaluate.add_argument("model", metavar="MODEL_DIR", help="installed outcome model folder")
    _common(evaluate)
    evaluate.add_argument(
        "--threshold", type=_probability, default=0.5, help="P cut for a predicted success"
    )
    evaluate.set_defaults(handler=_run_evaluate)
