"""Shared test fixtures: where the evaluation data lives, and how to skip without it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

# Under CI a skip fails the run (see ci_policy); imported by name so pytest finds the hook.
from ci_policy import pytest_runtest_makereport  # noqa: F401

#: ../shared/data beside the checkout (CI has it); NEWSBRIEF_DATA overrides.
DATA_DIR = Path(
    os.environ.get("NEWSBRIEF_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)


def data_path(*parts: str) -> Path:
    """Return a path under the shared data folder, skipping the test when it is absent."""
    path = DATA_DIR.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"evaluation data not found at {path} (set NEWSBRIEF_DATA to its folder)")
    return path


@pytest.fixture
def data_dir() -> Path:
    return data_path()


def pytest_unconfigure(config: pytest.Config | None) -> None:
    """Close the two /dev/null files llama-cpp-python opens when imported and never closes.

    ``llama_cpp._utils`` keeps them as module globals; at exit Python collected them with a
    ``ResourceWarning: unclosed file /dev/null`` printed after the test summary.
    """
    utils = sys.modules.get("llama_cpp._utils")
    for name in ("outnull_file", "errnull_file"):
        handle = getattr(utils, name, None)
        if handle is not None and not handle.closed:
            handle.close()
