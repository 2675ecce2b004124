"""`newsbrief serve`: a port that cannot be listened on is one clear error, before the server."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from newsbrief.cli import cli
from newsbrief.cli.serve import check_listen


@pytest.fixture
def busy_port() -> Iterator[int]:
    """Hold a listening socket on a free loopback port, as another server would."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


@pytest.fixture
def no_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if `serve` gets as far as starting uvicorn."""
    import uvicorn

    def run(app: Any, **kwargs: Any) -> None:
        pytest.fail("uvicorn.run was called: the busy port was not detected")

    monkeypatch.setattr(uvicorn, "run", run)


@pytest.mark.usefixtures("no_server")
def test_a_port_in_use_is_one_clear_error(tmp_path: Path, busy_port: int) -> None:
    database = tmp_path / "serve.sqlite3"
    result = CliRunner().invoke(
        cli, ["serve", "--port", str(busy_port), "--database", f"sqlite:///{database}"]
    )
    assert result.exit_code == 1
    assert result.stderr == (
        f"newsbrief: error: cannot listen on 127.0.0.1:{busy_port}: address already in use\n"
    )
    assert not database.exists()  # refused before the store was opened


def test_check_listen_releases_a_free_port() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    check_listen("127.0.0.1", port)
    check_listen("127.0.0.1", port)  # the check's own socket was closed
