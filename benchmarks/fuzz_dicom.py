"""Benchmark: every DICOM fuzz mutation (tests/fuzz) over ``info``, ``ht`` and ``thrombus``.

Writes one seeded phantom study, applies each named mutation of ``tests/fuzz/mutations.py``
to a copy and runs the installed CLI on it (120 CPU seconds, 900 s wall, 8 GiB address
space), then prints
a table of outcomes per mutation group and command, the list of cases that fail their
expectation with the one-line cause, and writes everything to
``benchmarks/results/fuzz_dicom.json``.

Bars of the fuzzing work: 0 tracebacks, 0 memory blow-ups, 0 hangs, 0 silently wrong results; every
mutation meets its declared outcome (``same`` / ``warn_or_error`` / ``error``).

Usage::

    python benchmarks/fuzz_dicom.py                       # all mutations, all commands
    python benchmarks/fuzz_dicom.py --commands info ht    # without the thrombus model
    python benchmarks/fuzz_dicom.py --only rows_zero_all ipp_nan_one
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "fuzz_dicom.json"


def print_table(outcomes: list[dict[str, object]], kinds: tuple[str, ...]) -> None:
    rows = Counter((str(o["group"]), str(o["command"]), str(o["kind"])) for o in outcomes)
    keys = sorted({(g, c) for g, c, _ in rows})
    print(f"{'group':<10}{'command':<10}" + "".join(f"{k:>12}" for k in kinds) + f"{'fail':>8}")
    for group, command in keys:
        failing = sum(
            1
            for o in outcomes
            if (o["group"], o["command"]) == (group, command) and not o["passed"]
        )
        counts = "".join(f"{rows[(group, command, k)]:>12}" for k in kinds)
        print(f"{group:<10}{command:<10}{counts}{failing:>8}")
    total = Counter(str(o["kind"]) for o in outcomes)
    failing = sum(1 for o in outcomes if not o["passed"])
    print(f"{'all':<20}" + "".join(f"{total[k]:>12}" for k in kinds) + f"{failing:>8}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commands", nargs="+", default=None, help="info, ht and/or thrombus")
    parser.add_argument("--only", nargs="+", help="mutation names (default: all)")
    parser.add_argument("--seed", type=int, default=None, help="mutation seed (default 16)")
    parser.add_argument("--timeout", type=float, default=None, help="CPU seconds per run (120)")
    parser.add_argument("--keep", type=Path, help="write the phantom and copies here")
    parser.add_argument("--jobs", type=int, default=1, help="mutations run in parallel")
    parser.add_argument("--results", type=Path, default=RESULTS, help="JSON output path")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from tests.fuzz import runner
    from tests.fuzz.mutations import MUTATIONS

    commands = tuple(args.commands or runner.COMMANDS)
    names = args.only or list(MUTATIONS)
    seed = runner.SEED if args.seed is None else args.seed
    timeout = runner.TIMEOUT_S if args.timeout is None else args.timeout
    t_start = time.perf_counter()
    base: dict[str, dict[str, object]] = {}

    def write(outcomes: list[dict[str, object]], *, partial: bool) -> None:
        from strokescope.atomic import atomic_write_text

        failing = [o for o in outcomes if not o["passed"]]
        result = {
            "partial": partial,
            "seed": seed,
            "commands": list(commands),
            "cpu_limit_s": timeout,
            "wall_limit_s": runner.WALL_LIMIT_S,
            "memory_limit_bytes": runner.MEMORY_LIMIT,
            "phantom": runner.PHANTOM,
            "baseline": base,
            "seconds_total": time.perf_counter() - t_start,
            "counts": dict(Counter(str(o["kind"]) for o in outcomes)),
            "failing": len(failing),
            "bars": {k: 0 for k in runner.FAILING},
            "outcomes": outcomes,
        }
        atomic_write_text(args.results, json.dumps(result, indent=1, default=str) + "\n")

    with tempfile.TemporaryDirectory(prefix="fuzz_dicom_") as tmp:
        work = args.keep or Path(tmp)
        study = runner.make_study(work / "study")
        base.update(runner.baselines(study, work, commands))
        for command, b in base.items():
            print(f"baseline {command}: {b['result']} ({b['seconds']:.1f} s)", flush=True)
        outcomes: list[dict[str, object]] = []
        heavy = threading.Semaphore(1)
        done = iter(range(1, len(names) + 1))

        def one(name: str) -> list[runner.Outcome]:
            mutation = MUTATIONS[name]
            with heavy if name in runner.HEAVY else contextlib.nullcontext():
                found = runner.run_mutation(
                    mutation, commands, study, work / f"case-{name}", base,
                    seed=seed, timeout=timeout,
                )  # fmt: skip
            n = next(done)
            for o in found:
                mark = "  " if o.passed else "!!"
                print(f"{mark} {n:3d}/{len(names)} {o.line()} ({o.seconds:.1f} s)", flush=True)
            return found

        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            for found in pool.map(one, names):
                outcomes += [runner.as_dict(o) for o in found]
                write(outcomes, partial=True)
    write(outcomes, partial=False)
    print()
    print_table(outcomes, runner.KINDS)
    failing = [o for o in outcomes if not o["passed"]]
    print(f"\n{len(failing)} of {len(outcomes)} runs fail their expectation:")
    for o in sorted(failing, key=lambda o: (str(o["kind"]), str(o["mutation"]))):
        print(f"  {o['kind']:<12}{o['mutation']} [{o['command']}] ({o['expect']}): {o['cause']}")
    print(f"wrote {args.results}")
    return 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
