"""Under CI, a skipped test is a failed test: every tier CI is meant to run must run.

Locally a test skips with a clear reason when something it needs is missing (the evaluation
data, a PostgreSQL server, Chromium, torch...). In CI (``CI`` set to true/1/yes, as `.ci/run`
runs) the same skip would turn the quality gate or a whole tier into a green no-op, so the
report is turned into a failure that keeps the skip's reason. ``scripts/test.sh`` installs and
starts everything the suite needs; a skip under CI means it did not.
"""

from __future__ import annotations

import os
from collections.abc import Generator
from typing import Any

import pytest

#: Values of the CI variable that mean "this is a CI run" (GitHub, GitLab and .ci/run use true).
CI_VALUES = frozenset({"1", "true", "yes"})


def under_ci() -> bool:
    """Return whether this run is a CI run (the ``CI`` environment variable)."""
    return os.environ.get("CI", "").strip().lower() in CI_VALUES


def _skip_reason(report: pytest.TestReport) -> str:
    longrepr: Any = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return str(longrepr[2]).removeprefix("Skipped: ")
    return str(longrepr)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, None]:
    outcome = yield
    report: pytest.TestReport = outcome.get_result()
    if report.skipped and not hasattr(report, "wasxfail") and under_ci():
        report.outcome = "failed"
        report.longrepr = (
            f"skipped under CI ({_skip_reason(report)}): CI must run every tier; "
            "make scripts/test.sh install or start what this test needs"
        )
