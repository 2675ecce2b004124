"""The test suite's own hooks (tests/conftest.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

#: Imports llama_cpp (which opens /dev/null twice at import), then runs the end-of-session hook.
_PROBE = "import llama_cpp, conftest\nconftest.pytest_unconfigure(None)\nprint('hook ran')\n"


@pytest.mark.slow  # needs llama-cpp-python, which the model tier installs
def test_no_resource_warning_from_llama_cpp_at_exit() -> None:
    """ "ResourceWarning: unclosed file /dev/null" printed twice after the test summary."""
    pytest.importorskip("llama_cpp")
    done = subprocess.run(
        [sys.executable, "-W", "always::ResourceWarning", "-c", _PROBE],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent,
        timeout=120,
    )
    assert (done.returncode, done.stdout) == (0, "hook ran\n"), done.stderr
    assert "ResourceWarning" not in done.stderr
