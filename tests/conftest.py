"""Suite-wide rule: in CI a skipped test fails the run unless it is listed here.

``.ci/run`` installs every tool the tests use and sets ``STROKESCOPE_NO_SKIPS=1``, so a
test that skips there has lost its check silently (a tool missing from the CI image, a
model missing from the checkout). Only skips that depend on the platform, not on the
set-up, are allowed, each with its reason. Locally (variable unset) skips stay skips.
"""

from __future__ import annotations

import os

import pytest

from skip_rules import ALLOWED_SKIPS, unexpected_skips


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if os.environ.get("STROKESCOPE_NO_SKIPS") != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is None:
        return
    skipped = [r.nodeid for r in reporter.stats.get("skipped", [])]
    bad = unexpected_skips(skipped, ALLOWED_SKIPS)
    if bad:
        reporter.write_line(
            f"STROKESCOPE_NO_SKIPS: {len(bad)} test(s) skipped that must run in CI "
            "(install what they need or list them in tests/conftest.py):",
            red=True,
        )
        for nodeid in bad:
            reporter.write_line(f"  {nodeid}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
