"""Cohort files for the outcome tests, written from the synthetic law (seeded)."""

from __future__ import annotations

from pathlib import Path

from strokescope.outcome.synthetic import draw_cohort


def write_cohort(path: Path, n: int, *, seed: int, mtici: bool = False) -> Path:
    """A cohort file with precomputed feature columns (no images); outcomes as 0/1 or,
    with ``mtici``, as grades (success drawn as 2c or 3, failure as 0-2b)."""
    cohort = draw_cohort(n, seed=seed)
    column = "mtici" if mtici else "outcome"
    lines = [",".join(("id", *cohort.names, column))]
    for i, (x, y) in enumerate(zip(cohort.x, cohort.y, strict=True)):
        value = (("2c", "3")[i % 2] if y else ("0", "1", "2a", "2b")[i % 4]) if mtici else str(y)
        lines.append(",".join((f"p{i:03d}", *(f"{v:.3f}" for v in x), value)))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
