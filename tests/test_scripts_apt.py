"""scripts/test.sh waits for the package manager's lock instead of failing (scripts/apt_wait.sh).

A fake ``apt-get`` first on PATH stands for the real one: it fails as apt does while another
install holds the lock, then succeeds.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "apt_wait.sh"
LOCKED = (
    "E: Could not get lock /var/lib/dpkg/lock-frontend. It is held by process 4242 (apt-get)\n"
    "E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), is another "
    "process using it?"
)


def _fake_apt(tmp_path: Path, failures: int, message: str) -> Path:
    """Write an apt-get that fails ``failures`` times with ``message``, then succeeds."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "apt-get"
    calls = tmp_path / "calls"
    fake.write_text(
        "#!/bin/bash\n"
        f'echo "$*" >> {calls}\n'
        f'if [ "$(wc -l < {calls})" -le {failures} ]; then echo "{message}" >&2; exit 100; fi\n'
        'echo "installed"\n'
    )
    fake.chmod(0o755)
    return bin_dir


def _apt_get(tmp_path: Path, bin_dir: Path, wait: int) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", f'source "{SCRIPT}"; apt_get install -y chromium'],
        capture_output=True,
        text=True,
        timeout=60,
        env={
            "PATH": f"{bin_dir}:/usr/bin:/bin",
            "NEWSBRIEF_APT_LOCK_POLL": "0.1",
            "NEWSBRIEF_APT_LOCK_WAIT": str(wait),
        },
    )


def test_a_held_lock_is_waited_for(tmp_path: Path) -> None:
    done = _apt_get(tmp_path, _fake_apt(tmp_path, 3, LOCKED), wait=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "installed\n"
    calls = (tmp_path / "calls").read_text().splitlines()
    assert calls == ["-o DPkg::Lock::Timeout=60 install -y chromium"] * 4
    assert done.stderr.count("waiting for the package manager lock") == 3


def test_another_failure_is_not_retried(tmp_path: Path) -> None:
    done = _apt_get(tmp_path, _fake_apt(tmp_path, 5, "E: Unable to locate package chromium"), 60)
    assert done.returncode == 100
    assert done.stderr == "E: Unable to locate package chromium\n"
    assert len((tmp_path / "calls").read_text().splitlines()) == 1


def test_the_wait_has_a_limit(tmp_path: Path) -> None:
    done = _apt_get(tmp_path, _fake_apt(tmp_path, 100, LOCKED), wait=0)
    assert done.returncode == 100
    assert "Could not get lock" in done.stderr


def test_test_sh_uses_it() -> None:
    text = (SCRIPT.parent / "test.sh").read_text()
    assert "source scripts/apt_wait.sh" in text
    assert "apt_get update" in text and "apt_get install" in text
    assert "\n    apt-get " not in text
