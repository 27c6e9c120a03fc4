"""Run the installed ``strokescope`` CLI on mutated copies of a phantom study and judge it.

One seeded phantom study (NCCT, CTA and a follow-up NCCT with a bleed) is written once with
``strokescope phantom``. For each mutation the runner copies the series it damages plus a
sibling series, applies the mutation with a generator seeded by (seed, name), and runs

* ``info PATH`` and ``info --json PATH`` on the mutated follow-up folder,
* ``ht --ncct FOLLOWUP --click ... --out OUT`` on the same copy,
* ``thrombus --ncct NCCT --cta CTA --out OUT`` with the CTA mutated,

each in a subprocess with a wall-clock timeout and an address-space limit (``RLIMIT_AS``).
Outcomes (``KINDS``): ``ok`` (exit 0, result as the baseline), ``warned`` (exit 0, result
differs, a warning said so), ``error`` (exit != 0, no traceback, the last stderr line is
``strokescope CMD: error: ...`` and names a file, folder or series), ``vague_error`` (exit
!= 0 otherwise), ``traceback``, ``blowup`` (an allocation failed against the limit),
``hang`` (timeout), ``crash`` (killed by a signal) and ``silent`` (exit 0, result differs,
no warning; or exit 0 without a result). Results are compared through ``info --json`` (the
series found) and the ``results.json`` that ``--out`` writes (HT volume in mL; thrombus call,
segments and volume).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import warnings
import zlib
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
from tests.fuzz.cli_run import MEMORY_LIMIT as MEMORY_LIMIT
from tests.fuzz.cli_run import NOBODY, TIMEOUT_S, CliRun, run_cli
from tests.fuzz.cli_run import WALL_LIMIT_S as WALL_LIMIT_S
from tests.fuzz.mutations import MUTATIONS, Mutation
from tests.fuzz.results import (
    same_result,
    summarise_ht,
    summarise_info,
    summarise_thrombus,
    warning_lines,
)

COMMANDS = ("info", "ht", "thrombus")
SEED = 16
PHANTOM = [
    "--seed",
    "3",
    "--occlusion",
    "M1",
    "--hemorrhage",
    "PH:12",
    "--matrix",
    "128",
    "--inplane-mm",
    "1.4",
    "--slice-mm",
    "2.0",
]
"""A small study (CTA 128 x 128 x 80) on which the shipped models still find the M1 clot."""
HEAVY = frozenset(
    {
        "slice_moved_1e9",
        "last_slice_moved_5000",
        "first_slice_moved_minus_800",
        "spacing_1e-9_all",
        "spacing_1e6_all",
        "columns_max_all",
        "frames_huge",
        "sparse_16gib_dcm",
        "symlink_dev_zero",
        "positions_far_away",
        "thickness_huge_all",
        "slice_moved_sideways",
        "iop_one_different",
        "rows_half_all",
    }
)
"""Mutations that may allocate up to the memory limit: run one at a time when in parallel."""
KINDS = ("ok", "warned", "error", "vague_error", "traceback", "blowup", "hang", "crash", "silent")
FAILING = ("traceback", "blowup", "hang", "crash", "silent")
"""The kinds the fuzzing bars forbid outright; the others fail only against a mutation's
expectation."""
ALLOWED = {
    "same": {"ok"},
    "warn_or_error": {"ok", "warned", "error"},
    "error": {"error", "ok"},
}
MEMORY_MARKERS = (
    "MemoryError",
    "Unable to allocate",
    "bad_alloc",
    "Cannot allocate memory",
    "out of memory",
    "ArrayMemoryError",
)


@dataclass(frozen=True)
class Study:
    """The phantom study: ``root`` holds ncct/, cta/ and followup/; ``click`` hits the bleed."""

    root: Path
    click: str


@dataclass(frozen=True)
class Outcome:
    """How one command fared on one mutation, and whether that meets the expectation."""

    mutation: str
    group: str
    expect: str
    command: str
    kind: str
    passed: bool
    cause: str
    seconds: float
    peak_mb: float
    result: dict[str, Any] | None = None
    warnings: list[str] = field(default_factory=list)

    def line(self) -> str:
        return f"{self.mutation} [{self.command}] {self.kind}: {self.cause}"


def make_study(dest: Path) -> Study:
    """Write the phantom study into ``dest`` and find a click on the follow-up bleed."""
    run = run_cli(["phantom", str(dest), *PHANTOM], timeout=600)
    assert run.returncode == 0, f"strokescope phantom failed:\n{run.stderr[-2000:]}"
    from strokescope.io.sitk_convert import read_mask

    truth = read_mask(dest / "truth" / "hemorrhage.nii.gz").array
    k, j, i = (int(round(float(v))) for v in np.argwhere(truth).mean(axis=0))
    return Study(dest, f"z={k} y={j} x={i}")


# ----------------------------------------------------------------------------- commands


@dataclass(frozen=True)
class Case:
    """A mutated copy, ready to run: the folders the command takes, and the out folder."""

    work: Path
    target: Path
    unprivileged: bool


def _argv(command: str, case: Case, study: Study) -> list[list[str]]:
    out = case.work / "out"
    if command == "info":
        return [["info", str(case.target)], ["info", "--json", str(case.target)]]
    if command == "ht":
        return [["ht", "--ncct", str(case.target), "--click", study.click, "--out", str(out)]]
    ncct = case.target.parent / "ncct"
    return [["thrombus", "--ncct", str(ncct), "--cta", str(case.target), "--out", str(out)]]


def _read_result(command: str, case: Case, run: CliRun) -> tuple[dict[str, Any], list[str]]:
    """The summary of a successful run (raises when there is no readable result)."""
    if command == "info":
        return summarise_info(json.loads(run.stdout), case.target)
    docs = sorted((case.work / "out").glob("results-*/results.json"))
    doc = json.loads(docs[-1].read_text(encoding="utf-8"))
    return (summarise_ht if command == "ht" else summarise_thrombus)(doc)


def _names_input(line: str, case: Case) -> bool:
    if "series" in line.lower() or str(case.work) in line or "DICOMDIR" in line:
        return True
    names = {p.name for p in case.target.rglob("*")} if os.access(case.target, os.R_OK) else set()
    return any(n and n in line for n in names)


def _last_line(text: str) -> str:
    lines = [ln for ln in text.splitlines() if ln.strip()]
    return lines[-1].strip() if lines else ""


def _failure(run: CliRun, case: Case, command: str) -> tuple[str, str] | None:
    """(kind, cause) for a run that did not succeed; None for exit 0."""
    last = _last_line(run.stderr)
    if run.timed_out:
        return "hang", f"no exit after {run.seconds:.0f} s wall; last stderr: {last[:200]}"
    if any(m in run.stderr for m in MEMORY_MARKERS):
        marker = next(ln for ln in run.stderr.splitlines() if any(m in ln for m in MEMORY_MARKERS))
        return "blowup", f"{marker.strip()[:300]} (peak RSS {run.peak_mb:.0f} MB)"
    if "Traceback" in run.stderr:
        return "traceback", last[:300]
    if run.returncode < 0:
        return "crash", f"killed by signal {-run.returncode}; last stderr: {last[:200]}"
    if run.returncode == 0:
        return None
    clean = last.startswith(f"strokescope {command}: error: ") and _names_input(last, case)
    return ("error" if clean else "vague_error"), last[:300]


def judge(
    mutation: Mutation,
    command: str,
    case: Case,
    study: Study,
    baseline: dict[str, Any],
    timeout: float,
) -> Outcome:
    """Run ``command`` on a prepared case and classify what happened."""
    runs = [
        run_cli(a, timeout=timeout, unprivileged=case.unprivileged, home=case.work)
        for a in _argv(command, case, study)
    ]
    seconds = sum(r.seconds for r in runs)
    peak = max(r.peak_mb for r in runs)
    base = {
        "mutation": mutation.name,
        "group": mutation.group,
        "expect": mutation.expect,
        "command": command,
        "seconds": round(seconds, 2),
        "peak_mb": round(peak, 1),
    }
    rank = {k: i for i, k in enumerate(("hang", "blowup", "traceback", "crash", "vague_error"))}
    failures = [f for f in (_failure(r, case, command) for r in runs) if f is not None]
    if failures:
        kind, cause = min(failures, key=lambda f: rank.get(f[0], len(rank)))
        passed = kind in ALLOWED[mutation.expect]
        return Outcome(kind=kind, passed=passed, cause=cause, **base)
    warned_text = [w for r in runs for w in warning_lines(r)]
    try:
        result, json_warnings = _read_result(command, case, runs[-1])
    except (OSError, ValueError, KeyError, IndexError, TypeError) as exc:
        cause = f"exit 0 without a readable result ({type(exc).__name__}: {exc})"
        return Outcome(kind="silent", passed=False, cause=cause[:300], **base)
    new = [w for w in json_warnings if w not in baseline["warnings"]] + warned_text
    if same_result(command, result, baseline["result"]):
        kind, cause = "ok", "result as the baseline" + (f"; warned: {new[0][:200]}" if new else "")
    elif new:
        kind, cause = "warned", f"result {result} with warning: {new[0][:200]}"
    else:
        kind, cause = "silent", f"result {result} instead of {baseline['result']}, no warning"
    if mutation.expect == "error" and kind == "warned":
        cause = "not refused: " + cause
    passed = kind in ALLOWED[mutation.expect]
    return Outcome(kind=kind, passed=passed, cause=cause, result=result, warnings=new, **base)


# ----------------------------------------------------------------------------- driving


def _target_of(command: str) -> str:
    return "cta" if command == "thrombus" else "followup"


def prepare(mutation: Mutation, command: str, study: Study, work: Path, seed: int) -> Case:
    """Copy the target series and the NCCT next to it into ``work``; mutate the target."""
    target_name = _target_of(command)
    work.mkdir(parents=True)
    target = work / target_name
    shutil.copytree(study.root / target_name, target)
    shutil.copytree(study.root / "ncct", work / "ncct")
    unprivileged = mutation.unprivileged and os.geteuid() == 0
    if unprivileged:  # the mutation's chmod must bind the reader: run it as nobody
        for path in [work, *work.rglob("*")]:
            os.lchown(path, NOBODY, NOBODY)
        for parent in work.parents:
            if parent == Path(tempfile.gettempdir()) or parent == Path("/"):
                break
            parent.chmod(parent.stat().st_mode | 0o055)
    rng = np.random.default_rng([seed, zlib.crc32(mutation.name.encode())])
    with warnings.catch_warnings():  # pydicom's notes on the values we break on purpose
        warnings.simplefilter("ignore")
        mutation.apply(target, rng)
    return Case(work, target, unprivileged)


def _rmtree(path: Path) -> None:
    """Remove a case folder, first giving back the permissions a mutation took away."""
    if not path.exists():
        return
    path.chmod(0o700)
    for here, dirs, _ in os.walk(path):  # top down: a child is unlocked before the descent
        for d in dirs:
            child = os.path.join(here, d)
            if not os.path.islink(child):
                os.chmod(child, 0o700)
    shutil.rmtree(path)


def baselines(study: Study, work: Path, commands: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Run each command on an unmutated copy; fails loudly if the baseline itself fails."""
    out: dict[str, dict[str, Any]] = {}
    identity = Mutation("baseline", "header", "same", "no change", lambda f, r: None)
    for command in commands:
        case = prepare(identity, command, study, work / f"baseline-{command}", SEED)
        runs = [run_cli(a, home=case.work) for a in _argv(command, case, study)]
        for r in runs:
            assert r.returncode == 0, f"baseline {r.argv} failed:\n{r.stderr[-3000:]}"
        result, warnings = _read_result(command, case, runs[-1])
        out[command] = {
            "result": result,
            "warnings": warnings,
            "seconds": sum(r.seconds for r in runs),
        }
        _rmtree(case.work)
    return out


def run_mutation(
    mutation: Mutation,
    commands: Iterable[str],
    study: Study,
    work: Path,
    base: dict[str, dict[str, Any]],
    *,
    seed: int = SEED,
    timeout: float = TIMEOUT_S,
) -> list[Outcome]:
    """Every command on ``mutation`` (info and ht share one mutated copy)."""
    outcomes: list[Outcome] = []
    cases: dict[str, Case] = {}
    broken: dict[str, Outcome] = {}
    try:
        for command in commands:
            target = _target_of(command)
            if target in broken:
                outcomes.append(replace(broken[target], command=command))
                continue
            if target not in cases:
                try:
                    cases[target] = prepare(mutation, command, study, work / target, seed)
                except Exception as exc:  # the fuzzer's own bug: say so, do not hide it
                    cause = f"mutation failed to apply: {exc!r}"
                    broken[target] = Outcome(
                        mutation.name,
                        mutation.group,
                        mutation.expect,
                        command,
                        "traceback",
                        False,
                        cause,
                        0.0,
                        0.0,
                    )
                    outcomes.append(broken[target])
                    _rmtree(work / target)
                    continue
            outcomes.append(judge(mutation, command, cases[target], study, base[command], timeout))
    finally:
        for case in cases.values():
            _rmtree(case.work)
        _rmtree(work)
    return outcomes


def select(count: int, seed: int) -> list[Mutation]:
    """``count`` mutations chosen by ``seed``, spread over the groups (round robin)."""
    rng = np.random.default_rng(seed)
    groups: dict[str, list[Mutation]] = {}
    for m in MUTATIONS.values():
        groups.setdefault(m.group, []).append(m)
    queues = {g: [ms[i] for i in rng.permutation(len(ms))] for g, ms in sorted(groups.items())}
    chosen: list[Mutation] = []
    while len(chosen) < min(count, len(MUTATIONS)):
        for queue in queues.values():
            if queue and len(chosen) < count:
                chosen.append(queue.pop(0))
    return chosen


def as_dict(outcome: Outcome) -> dict[str, Any]:
    return asdict(outcome)
