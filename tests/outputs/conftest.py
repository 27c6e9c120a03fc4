"""Fixtures of the outputs tests (helpers live in export_cases.py)."""

from __future__ import annotations

import pytest
from export_cases import Study, make_study


@pytest.fixture(scope="session")
def study(tmp_path_factory: pytest.TempPathFactory) -> Study:
    return make_study(tmp_path_factory)
