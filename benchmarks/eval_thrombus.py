"""Held-out phantom evaluation of the thrombus analysis (see strokescope.thrombus.evaluate).

    python benchmarks/eval_thrombus.py [--models DIR] [--n 40] [--quick]

Prints the metric table against the issue-3 bars and writes benchmarks/results/eval_thrombus.json.
"""

from __future__ import annotations

import logging

from strokescope.thrombus.evaluate import main

if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    raise SystemExit(main())
