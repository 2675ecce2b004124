"""Checks on the test suite itself: it collects the same way however it is started, and under
CI a skip cannot turn a tier into a quiet pass."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent


def _pytest(args: list[str], *, cwd: Path, env: dict[str, str], plain: bool = False) -> str:
    """Run pytest in a subprocess and return its output.

    ``plain``: start it as the ``pytest`` command does, without the current directory on
    ``sys.path`` (``python -P``); otherwise as ``python -m pytest``, which adds it.
    """
    command = [sys.executable, *(["-P"] if plain else []), "-m", "pytest", *args]
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    return f"exit {done.returncode}\n{done.stdout}{done.stderr}"


def _collected(output: str) -> int:
    match = re.search(r"^(\d+) tests? collected", output, re.MULTILINE)
    assert match and "error" not in output.splitlines()[-1].lower(), output[-3000:]
    return int(match.group(1))


@pytest.mark.slow
def test_plain_pytest_and_python_m_pytest_collect_the_same_tests() -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    args = ["--collect-only", "-q", "-p", "no:cacheprovider"]
    plain = _pytest(args, cwd=ROOT, env=env, plain=True)
    module = _pytest(args, cwd=ROOT, env=env)
    assert plain.startswith("exit 0"), plain[-3000:]
    assert _collected(plain) == _collected(module) > 1000


def _run_skipping_suite(tmp_path: Path, ci: str | None, *options: str) -> str:
    (tmp_path / "conftest.py").write_text("from ci_policy import pytest_runtest_makereport\n")
    (tmp_path / "test_tier.py").write_text(
        "import pytest\n\n"
        "def test_needs_data():\n"
        "    pytest.skip('evaluation data not found at /nowhere')\n\n"
        "@pytest.mark.xfail(reason='known', strict=True)\n"
        "def test_known_failure():\n"
        "    assert False\n\n"
        "def test_runs():\n"
        "    pass\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_ADDOPTS")}
    env["PYTHONPATH"] = os.pathsep.join([str(TESTS), env.get("PYTHONPATH", "")])
    # Only the plug-ins named with -p: loading every installed one (schemathesis, hypothesis,
    # ...) took ~15 of each run's ~17 seconds, and none of them is what is checked here.
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    if ci is not None:
        env["CI"] = ci
    args = ["-q", "-rA", "-p", "no:cacheprovider", *options, str(tmp_path)]
    return _pytest(args, cwd=tmp_path, env=env)


@pytest.mark.parametrize("ci", ["true", "1", "TRUE"])
def test_under_ci_a_skip_fails_the_run_with_its_reason(tmp_path: Path, ci: str) -> None:
    out = _run_skipping_suite(tmp_path, ci)
    assert out.startswith("exit 1"), out
    assert "1 failed, 1 passed, 1 xfailed" in out
    assert (
        "skipped under CI (evaluation data not found at /nowhere): CI must run every tier; "
        "make scripts/test.sh install or start what this test needs"
    ) in out


@pytest.mark.slow
@pytest.mark.parametrize(
    ("ci", "exit_code", "outcomes"),
    [("true", 1, "1 failed, 1 passed, 1 xfailed"), (None, 0, "1 passed, 1 skipped, 1 xfailed")],
)
def test_the_ci_rule_holds_in_parallel_runs(
    tmp_path: Path, ci: str | None, exit_code: int, outcomes: str
) -> None:
    """scripts/test.sh runs the suite with pytest-xdist: a worker's skip fails the run too."""
    out = _run_skipping_suite(tmp_path, ci, "-p", "xdist.plugin", "-n", "2")
    assert out.startswith(f"exit {exit_code}"), out
    assert "bringing up nodes" in out and outcomes in out, out  # xdist ran it
    if ci:
        assert "skipped under CI (evaluation data not found at /nowhere)" in out, out


@pytest.mark.parametrize("ci", [None, "", "false"])
def test_outside_ci_a_skip_is_a_skip(tmp_path: Path, ci: str | None) -> None:
    out = _run_skipping_suite(tmp_path, ci)
    assert out.startswith("exit 0"), out
    assert "1 passed, 1 skipped, 1 xfailed" in out
