"""Fixtures for the hemorrhage tests (helpers live in ht_cases.py)."""

from __future__ import annotations

import pytest
from ht_cases import Case, make_case


@pytest.fixture(scope="module")
def ph_case() -> Case:
    return make_case(seed=11)
