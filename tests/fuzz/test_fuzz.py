"""CI subset of the DICOM fuzzer: 30 seeded mutations through ``info`` and ``ht --out``.

The mutations are chosen by a fixed seed, spread over the five groups (``runner.select``);
each runs the installed CLI on a mutated copy of one phantom follow-up series and must meet
its declared outcome: no traceback, no memory blow-up, no hang, no silently different
result, and a refusal in one line where the mutation says ``error``. The full set over all
three commands is ``benchmarks/fuzz_dicom.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from tests.fuzz import runner

pytestmark = pytest.mark.slow

COUNT, SELECTION_SEED = 30, 2016
COMMANDS = ("info", "ht")
SUBSET = runner.select(COUNT, SELECTION_SEED)


@pytest.fixture(scope="module")
def fuzz_study(tmp_path_factory: pytest.TempPathFactory) -> tuple[runner.Study, dict[str, Any]]:
    """The phantom study and the unmutated baselines, made once for the module."""
    work = tmp_path_factory.mktemp("fuzz")
    study = runner.make_study(work / "study")
    return study, runner.baselines(study, work, COMMANDS)


def test_subset_is_seeded_and_spread() -> None:
    assert len(SUBSET) == COUNT == len({m.name for m in SUBSET})
    assert [m.name for m in runner.select(COUNT, SELECTION_SEED)] == [m.name for m in SUBSET]
    assert len({m.group for m in SUBSET}) == 5


@pytest.mark.parametrize("mutation", SUBSET, ids=lambda m: m.name)
def test_mutation_meets_its_outcome(
    mutation: runner.Mutation,
    fuzz_study: tuple[runner.Study, dict[str, Any]],
    tmp_path: Path,
) -> None:
    study, base = fuzz_study
    outcomes = runner.run_mutation(mutation, COMMANDS, study, tmp_path / "case", base)
    barred = [o.line() for o in outcomes if o.kind in runner.FAILING]
    assert not barred, f"{mutation.doc}:\n" + "\n".join(barred)
    missed = [o.line() for o in outcomes if not o.passed]
    assert not missed, f"{mutation.doc} (expected {mutation.expect}):\n" + "\n".join(missed)
