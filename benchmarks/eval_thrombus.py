"""Phantom evaluation of the thrombus analysis (``strokescope evaluate``, see
strokescope.thrombus.phantom_evaluation).

    python benchmarks/eval_thrombus.py [--models DIR] [--n 40] [--seed0 800000] [--quick]

Prints the metric table against the issue-3 bars and writes benchmarks/results/eval_thrombus.json.
"""

from __future__ import annotations

import sys

from strokescope.cli import main

if __name__ == "__main__":
    raise SystemExit(main(["evaluate", *sys.argv[1:]]))
