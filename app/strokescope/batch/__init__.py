"""Cohort batches: ``strokescope batch COHORT.csv --out DIR`` and ``--summarize DIR``.

A thin shell over :mod:`strokescope.pipeline`: the cohort file (:mod:`.cohort`), one case
from inputs to exported results (:mod:`.runner`), the resumable ledger of case records
(:mod:`.ledger`, :mod:`.record`, :mod:`.fingerprint`), the summary tables (:mod:`.tables`),
in-process or Dask execution (:mod:`.run`, :mod:`.cluster`) and the cohort statistics
(:mod:`.stats`, :mod:`.plot`). Nothing here imports Dask at import time.
"""
